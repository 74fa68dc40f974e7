"""Follow-up tasks in Salesforce: found by key, created once, closed with a note.

**Find.** A task carries its key in the key field (``PartnerPulse_Key__c``, an External ID
with unique values). ``find`` asks ``SELECT Id, <key> FROM Task WHERE <key> IN (...) AND
IsDeleted = false`` through the SOQL builder, in chunks that keep the WHERE well under
SOQL's 4,000 characters.

**Create, never twice** (pitfall 12). Tasks are upserted on the key field:
``PATCH /composite/sobjects/Task/<key field>``, 200 a request. A key no task carries is
created (``created: true``); a key a task carries updates that task instead
(``created: false``), so a replay cannot make a second one. That makes the call
idempotent, and it alone among creates may be retried after a timeout or a reset.

**Close.** The tasks are read (their ``Status``, ``IsClosed`` and ``Description``, by id
through the builder), then one collection update sets ``Status = Completed`` with the note
appended to ``Description``. A task already closed (by a person) is left as it is; a task
Salesforce no longer has is refused.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from simple_salesforce.api import Salesforce

from adapters.salesforce import soql
from adapters.salesforce.composite import Item, Refused, send
from adapters.salesforce.forms import (
    DONE_STATUS,
    OPEN_STATUS,
    Unwritable,
    closed_description,
    due_date,
    subject,
    task_priority,
)
from adapters.salesforce.session import SalesforceSession
from connector.errors import CrmRefused
from connector.operations import TaskClose, TaskCreate

TASK = "Task"
UPDATE_PATH = "composite/sobjects"

Outcome = str | Refused  # the task id, or why it was not written


class TaskWriter:
    """Finds, creates and closes tasks in one org; ``key_field`` holds the task key."""

    def __init__(self, session: SalesforceSession, key_field: str) -> None:
        self.session = session
        self.key_field = soql.name(key_field)

    # -- find ---------------------------------------------------------------------------
    def find(self, task_keys: Sequence[str]) -> dict[str, str]:
        """``{task_key: task_id}`` for the keys a live task carries."""
        found: dict[str, str] = {}
        for chunk in soql.in_chunks([k for k in task_keys if k]):
            text = soql.lookup(TASK, [self.key_field], self.key_field, chunk)
            for row in self._rows(f"find Tasks by {self.key_field}", text):
                key = row.get(self.key_field)
                if isinstance(key, str) and key in chunk:
                    found.setdefault(key, str(row["Id"]))
        return found

    # -- create -------------------------------------------------------------------------
    def create(self, operations: Sequence[TaskCreate]) -> dict[str, Outcome]:
        """Outcomes by task key; a key with no outcome may or may not have been created."""
        outcomes: dict[str, Outcome] = {}
        items: list[Item] = []
        for op in {op.task_key: op for op in operations}.values():
            try:
                items.append(Item(op.task_key, self.record(op)))
            except Unwritable as exc:
                outcomes[op.task_key] = Refused(str(exc), by_salesforce=False)
        # An upsert by External ID is idempotent: the session's retry policy may replay it
        # after a reset or a timeout, and the replay finds the task the first one made.
        path = f"composite/sobjects/{TASK}/{self.key_field}"
        answers = send(self.session, path, items, what=f"upsert Tasks by {self.key_field}")
        outcomes.update({ref: str(result["id"]) for ref, result in answers.done.items()})
        outcomes.update(answers.refused)
        return outcomes

    def record(self, op: TaskCreate) -> dict[str, Any]:
        """The upsert record of ``op`` (no ``Id``: the key field identifies it)."""
        body: dict[str, Any] = {
            "attributes": {"type": TASK},
            self.key_field: op.task_key,
            "Subject": subject(op.subject),
            "Description": op.body,
            "ActivityDate": due_date(op.due),
            "Status": OPEN_STATUS,
            "Priority": task_priority(op.priority),
            "WhatId": op.record_id,
        }
        if op.owner_id:
            body["OwnerId"] = op.owner_id
        return body

    # -- close --------------------------------------------------------------------------
    def close(self, operations: Sequence[TaskClose]) -> dict[str, Outcome]:
        """Outcomes by task id; a task Salesforce no longer has is refused."""
        notes = {op.task_id: op.note for op in operations}
        outcomes: dict[str, Outcome] = {}
        ids = []
        for task_id in notes:
            try:
                ids.append(soql.record_id(task_id))
            except ValueError:
                outcomes[task_id] = Refused(
                    f"{task_id!r} is not a Salesforce record id", by_salesforce=False
                )
        current: dict[str, dict[str, Any]] = {}
        for chunk in soql.in_chunks(ids):
            text = soql.lookup(TASK, ["Status", "IsClosed", "Description"], "Id", chunk)
            for found in self._rows("read Tasks to close", text):
                current[_id15(str(found["Id"]))] = found
        items: list[Item] = []
        for task_id in ids:
            row = current.get(_id15(task_id))
            if row is None:
                outcomes[task_id] = Refused("NOT_FOUND no live Task has this id (deleted?)")
            elif row.get("IsClosed") is True or row.get("Status") == DONE_STATUS:
                outcomes[task_id] = task_id  # closed already: nothing to write
            else:
                description = closed_description(row.get("Description"), notes[task_id])
                body = {
                    "attributes": {"type": TASK},
                    "id": task_id,
                    "Status": DONE_STATUS,
                    "Description": description,
                }
                items.append(Item(task_id, body))
        answers = send(self.session, UPDATE_PATH, items, what="close Tasks")
        outcomes.update({ref: ref for ref in answers.done})
        outcomes.update(answers.refused)
        return outcomes

    def _rows(self, what: str, text: str) -> Iterator[dict[str, Any]]:
        """Every row of one query, page by page; a repeated locator is an error."""
        result: dict[str, Any] = self.session.run(what, lambda sf: sf.query(text))
        seen: set[str] = set()
        while True:
            yield from result.get("records") or []
            url = result.get("nextRecordsUrl")
            if result.get("done", True) or not url:
                return
            if url in seen:
                raise CrmRefused(f"Salesforce repeated the query locator during {what}")
            seen.add(url)

            def more(sf: Salesforce, url: str = url) -> dict[str, Any]:
                return dict(sf.query_more(url, identifier_is_url=True))

            result = self.session.run(f"{what} (next page)", more)


def _id15(record_id: str) -> str:
    """The case-sensitive 15-character form, so 15- and 18-character ids match."""
    return record_id[:15]
