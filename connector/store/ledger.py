"""The write ledger: every planned write by idempotency key, stored before it is sent and
settled after, so a crash or a replay never sends a finished write twice.

States: ``pending`` (begun, outcome unknown), ``sent`` (reserved for adapters that can
tell "on the wire"), ``done`` (the CRM accepted it: never sent again), ``failed`` (the
CRM refused it: a later plan may try again).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, RowMapping, bindparam, select, update

from connector.operations import Operation, OperationResult, TagUpdate, TaskClose, TaskCreate
from connector.store.engine import writing
from connector.store.entries import LedgerEntry
from connector.store.scope import Scoped
from connector.store.tables import ledger
from connector.store.upserts import chunks, upsert

IN_FLIGHT = ("pending", "sent")
_OPERATIONS: dict[str, type[TagUpdate] | type[TaskCreate] | type[TaskClose]] = {
    "tag_update": TagUpdate,
    "task_create": TaskCreate,
    "task_close": TaskClose,
}


def _target(op: Operation) -> str:
    return op.task_id if isinstance(op, TaskClose) else op.record_id


def _entry(row: RowMapping) -> LedgerEntry:
    payload = row["payload"]
    operation = _OPERATIONS[payload["kind"]].model_validate(payload)
    return LedgerEntry(
        key=row["key"],
        system=row["system"],
        operation=operation,
        state=row["state"],
        crm_id=row["crm_id"],
        error=row["error"],
        attempts=row["attempts"],
        run_id=row["run_id"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


class LedgerStore(Scoped):
    """The ledger of this workspace."""

    def ledger_begin(
        self, operations: Sequence[Operation], run_id: str | None = None
    ) -> list[Operation]:
        """Store ``operations`` as pending before they are sent; returns those to send.

        A key already ``done`` is left alone and left out of the result. Any other known
        key (pending after a crash, failed) becomes pending again with one more attempt.
        """
        ops = list({op.key: op for op in operations}.values())
        with writing(self.engine) as conn:
            done = self._keys_in(conn, [op.key for op in ops], ("done",))
            todo = [op for op in ops if op.key not in done]
            now = self._now()
            rows = [
                {
                    "workspace": self.workspace,
                    "key": op.key,
                    "system": op.system,
                    "kind": op.kind,
                    "target_id": _target(op),
                    "partner_id": op.partner_id,
                    "payload": op.model_dump(mode="json"),
                    "state": "pending",
                    "crm_id": None,
                    "error": None,
                    "attempts": 1,
                    "run_id": run_id,
                    "created_at": now,
                    "updated_at": now,
                }
                for op in todo
            ]
            upsert(
                conn,
                ledger,
                rows,
                keep=("created_at", "crm_id"),
                overrides=lambda _new: {"attempts": ledger.c.attempts + 1},
                only_if=lambda _new: ledger.c.state != "done",
            )
        return todo

    def ledger_finish(self, results: Sequence[OperationResult]) -> None:
        """Settle begun operations: ok → ``done`` with the CRM's id, else ``failed``."""
        if not results:
            return
        stmt = (
            update(ledger)
            .where(ledger.c.workspace == self.workspace, ledger.c.key == bindparam("b_key"))
            .values(
                state=bindparam("b_state"),
                crm_id=bindparam("b_crm_id"),
                error=bindparam("b_error"),
                updated_at=bindparam("b_now"),
            )
        )
        now = self._now()
        params = [
            {
                "b_key": r.key,
                "b_state": "done" if r.ok else "failed",
                "b_crm_id": r.crm_id,
                "b_error": None if r.ok else r.error,
                "b_now": now,
            }
            for r in results
        ]
        with writing(self.engine) as conn:
            conn.execute(stmt, params)

    def ledger_in_flight(self) -> list[LedgerEntry]:
        """Entries begun but never settled: after a crash, check the CRM before resending."""
        c = ledger.c
        query = (
            select(ledger)
            .where(c.workspace == self.workspace, c.state.in_(IN_FLIGHT))
            .order_by(c.created_at, c.key)
        )
        with self.engine.connect() as conn:
            return [_entry(row) for row in conn.execute(query).mappings()]

    def ledger_get(self, keys: Sequence[str]) -> dict[str, LedgerEntry]:
        """The entries of ``keys`` that exist, by key."""
        c = ledger.c
        query = select(ledger).where(
            c.workspace == self.workspace, c.key.in_(bindparam("keys", expanding=True))
        )
        found: dict[str, LedgerEntry] = {}
        with self.engine.connect() as conn:
            for part in chunks(list(dict.fromkeys(keys))):
                for row in conn.execute(query, {"keys": list(part)}).mappings():
                    found[row["key"]] = _entry(row)
        return found

    def _keys_in(self, conn: Connection, keys: list[str], states: Sequence[str]) -> set[str]:
        c = ledger.c
        query = select(c.key).where(
            c.workspace == self.workspace,
            c.state.in_(states),
            c.key.in_(bindparam("keys", expanding=True)),
        )
        return {
            key
            for part in chunks(keys)
            for key in conn.execute(query, {"keys": list(part)}).scalars()
        }
