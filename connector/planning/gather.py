"""Reading what a plan is made from out of the store: links, live partner records,
owners, the tool's own tasks, what the tool last wrote, and the recent task ledger.

Three reads go to the store's tables directly, read-only, because ``SqlStore`` has no
method for them yet (proposed to the store: ``tool_tasks()``,
``ledger_latest_done(kind)``, ``ledger_keys(kinds, since)``): the tasks carrying a task
key (an indexed filter; loading every activity would cost a full table read), the
latest done tag update per record, and the task ledger keys of the last cooldown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select

from connector.config.scoring import PlaybooksConfig
from connector.model import Activity, Owner, PartnerRecord, SourceRef, System
from connector.operations import TagUpdate, TagValue
from connector.planning.plan import PlanInputs
from connector.scoring import ScoredPartner
from connector.store import LedgerEntry, SqlStore
from connector.store.rows import kind_of
from connector.store.tables import activities, ledger

TASK_KINDS = ("task_create", "task_close")


def gather_inputs(
    store: SqlStore,
    scored: Sequence[ScoredPartner],
    *,
    as_of: datetime,
    systems: Iterable[System],
    playbooks: PlaybooksConfig,
) -> PlanInputs:
    """Everything :func:`connector.planning.build_plan` needs, as of ``as_of``."""
    links: dict[str, list[SourceRef]] = defaultdict(list)
    for link in store.links():
        links[link.partner_id].append(link.ref)
    linked = {ref for refs in links.values() for ref in refs}
    records = {
        r.ref: r for r in store.records(PartnerRecord, include_deleted=True) if r.ref in linked
    }
    owners = {o.ref: o for o in store.records(Owner, include_deleted=True)}
    longest = max((p.cooldown_days for p in playbooks.by_name().values()), default=0)
    memory, written_at = tag_memory(store)
    return PlanInputs(
        as_of=as_of,
        scored=scored,
        links=dict(links),
        records=_with_own_writes(records, memory, written_at),
        owners=owners,
        tool_tasks=tool_tasks(store),
        memory=memory,
        task_ledger=task_ledger(store, since=as_of - timedelta(days=longest + 2)),
        systems=frozenset(systems),
    )


def tool_tasks(store: SqlStore) -> list[Activity]:
    """Every activity carrying a task key (the tool's own tasks), deleted ones included."""
    c = activities.c
    query = (
        select(activities)
        .where(c.workspace == store.workspace, c.task_key.is_not(None))
        .order_by(c.system, c.source_id)
    )
    storage = kind_of(Activity)
    with store.engine.connect() as conn:
        return [storage.from_row(row) for row in conn.execute(query).mappings()]


def _with_own_writes(
    records: dict[SourceRef, PartnerRecord],
    memory: dict[SourceRef, dict[str, TagValue]],
    written_at: dict[SourceRef, datetime],
) -> dict[SourceRef, PartnerRecord]:
    """Records whose stored copy predates the tool's own last write carry what it wrote.

    A pull reads only up to its start (Salesforce: the last whole second before it), so a
    run that follows the previous one closely may not have read back that run's writes
    yet. Without this, it would plan every tag again from the stale copy (invariant 2).
    A person's later edit has a later stamp and is read back as usual.
    """
    fresher = {}
    for ref, record in records.items():
        stamp = written_at.get(ref)
        if stamp is not None and record.modified_at < stamp and ref in memory:
            record = record.model_copy(update={"tags": {**record.tags, **memory[ref]}})
        fresher[ref] = record
    return fresher


def tag_memory(
    store: SqlStore,
) -> tuple[dict[SourceRef, dict[str, TagValue]], dict[SourceRef, datetime]]:
    """Per record, the tag values the tool last wrote (the latest done tag update's), and
    when that write was recorded done."""
    c = ledger.c
    rank = (
        func.row_number()
        .over(
            partition_by=(c.system, c.target_id),
            order_by=(c.updated_at.desc(), c.created_at.desc(), c.key.desc()),
        )
        .label("rn")
    )
    ranked = (
        select(c.key, rank)
        .where(c.workspace == store.workspace, c.kind == "tag_update", c.state == "done")
        .subquery()
    )
    with store.engine.connect() as conn:
        keys = list(conn.execute(select(ranked.c.key).where(ranked.c.rn == 1)).scalars())
    memory: dict[SourceRef, dict[str, TagValue]] = {}
    written_at: dict[SourceRef, datetime] = {}
    for entry in store.ledger_get(keys).values():
        if isinstance(op := entry.operation, TagUpdate):
            ref = SourceRef(system=op.system, id=op.record_id)
            memory[ref] = written_by(op)
            written_at[ref] = entry.updated_at
    return memory, written_at


def written_by(update: TagUpdate) -> dict[str, TagValue]:
    """What the record's tags hold once ``update`` is done, as far as the tool knows."""
    return dict(update.written) or {c.tag: c.new for c in update.changes}


def task_ledger(store: SqlStore, *, since: datetime) -> dict[str, LedgerEntry]:
    """Task creates and closes ledgered since ``since``, plus any still in flight."""
    c = ledger.c
    query = select(c.key).where(
        c.workspace == store.workspace, c.kind.in_(TASK_KINDS), c.created_at >= since
    )
    with store.engine.connect() as conn:
        keys = list(conn.execute(query).scalars())
    found = store.ledger_get(keys)
    for entry in store.ledger_in_flight():
        if entry.operation.kind in TASK_KINDS:
            found.setdefault(entry.key, entry)
    return found
