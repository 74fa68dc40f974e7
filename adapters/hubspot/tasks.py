"""Follow-up tasks in HubSpot: found by key, created once, closed with a note.

**Find.** A task carries its key in the task-key property (``pp_task_key``, unique values).
``find`` searches ``key IN [...]`` (100 values a filter, through the filter builder); search
never returns archived tasks.

**Create, never twice** (pitfalls 12, 13). Before creating, the keys the ledger has sent
before (``TaskCreate.sent_before``: a retry, or a create a crash cut off) are looked up and
a task that exists is answered with its id; a key never sent cannot exist, so a first run
spends no search on it. The rest go to ``batch/create`` (100 a call),
each with the association to its company (``HUBSPOT_DEFINED`` type 192, task → company)
inside the create body and its key as ``objectWriteTraceId``. The key property is unique,
so a task the lookup missed (search lags writes) cannot be made twice either: HubSpot
refuses the whole batch with 409 CONFLICT naming one holder. The batch is then split: the
keys that exist now are looked up again (and the named holder read, should search still
lag), answered with their ids, and the rest created. A create is never replayed blindly:
after a timeout, a reset or a 5xx its keys get no answer, and the next run settles them by
key (only a 429 or a 401, which HubSpot refuses before acting, is retried).

**Close.** The tasks are read (``batch/read``) for their body and status, then
``batch/update`` sets ``hs_task_status = COMPLETED`` with the note appended to
``hs_task_body``. A task already completed (by a person) is left as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import structlog

from adapters.hubspot.batches import (
    Input,
    Refused,
    WholeRefusal,
    chunks,
    read_answer,
    read_records,
    send_updates,
    triage,
    whole_refusal,
)
from adapters.hubspot.client import HubSpotClient
from adapters.hubspot.errors import OutcomeUnknown
from adapters.hubspot.forms import (
    DONE_STATUS,
    OPEN_STATUS,
    TASK_TYPE,
    Unwritable,
    closed_body,
    due_timestamp,
    task_priority,
)
from adapters.hubspot.search import Search, condition
from connector.errors import ConnectorError, CrmRefused
from connector.operations import TaskClose, TaskCreate

log = structlog.get_logger("partnerpulse.hubspot.tasks")

TASKS = "tasks"
IN_MAX = 100  # values in one IN filter
TASK_TO_COMPANY = 192  # HUBSPOT_DEFINED association type, task → company
SEARCH = f"POST /crm/v3/objects/{TASKS}/search"
CREATE = f"POST /crm/v3/objects/{TASKS}/batch/create"

Outcome = str | Refused  # the task id, or why HubSpot refused


class TaskWriter:
    """Finds, creates and closes tasks in one portal; ``key`` is the task-key property."""

    def __init__(self, client: HubSpotClient, key: str) -> None:
        self.client = client
        self.key = key

    # -- find ---------------------------------------------------------------------------
    def find(self, task_keys: Sequence[str]) -> dict[str, str]:
        """``{task_key: task_id}`` for the keys a live task carries (the lowest id first)."""
        wanted = list(dict.fromkeys(k for k in task_keys if k))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), IN_MAX):
            chunk = wanted[start : start + IN_MAX]
            keys = set(chunk)
            after: str | None = None
            while True:
                request = Search(
                    filters=(condition(self.key, "IN", values=chunk),),
                    properties=(self.key,),
                    after=after,
                ).request()

                def run(request: Any = request) -> Any:
                    return self.client.search_api.do_search(TASKS, request, _preload_content=False)

                answer = self.client.call_json(SEARCH, run)
                for task in answer.get("results") or []:
                    value = (task.get("properties") or {}).get(self.key)
                    if value in keys:
                        found.setdefault(str(value), str(task["id"]))
                following = ((answer.get("paging") or {}).get("next") or {}).get("after")
                if not following:
                    break
                if str(following) == after:
                    raise CrmRefused(f"HubSpot repeated the paging token on {SEARCH}")
                after = str(following)
        return found

    # -- create -------------------------------------------------------------------------
    def create(self, operations: Sequence[TaskCreate]) -> dict[str, Outcome]:
        """Outcomes by task key; a key with no outcome may or may not have been created."""
        outcomes: dict[str, Outcome] = {}
        inputs: list[Input] = []
        unique = {op.task_key: op for op in operations}
        for op in unique.values():
            try:
                inputs.append(Input(op.task_key, self.create_body(op)))
            except Unwritable as exc:
                outcomes[op.task_key] = Refused(str(exc), by_hubspot=False)
        existing = self.find([i.ref for i in inputs if unique[i.ref].sent_before])
        outcomes.update(existing)
        pending = chunks([i for i in inputs if i.ref not in existing])
        while pending:
            part = pending.pop(0)
            try:
                body = self._send(part)
            except OutcomeUnknown as exc:
                log.warning("task create outcome unknown", tasks=len(part), error=str(exc))
                continue
            except ConnectorError as exc:
                refusal = whole_refusal(exc)
                if refusal is None:
                    raise
                pending[:0] = self._split(refusal, part, outcomes)
                continue
            answers = read_answer(body, part, match=self.key)
            outcomes.update({ref: str(task["id"]) for ref, task in answers.done.items()})
            outcomes.update(answers.refused)
        return outcomes

    def create_body(self, op: TaskCreate) -> dict[str, Any]:
        properties = {
            "hs_task_subject": op.subject,
            "hs_task_body": op.body,
            "hs_timestamp": due_timestamp(op.due),
            "hs_task_status": OPEN_STATUS,
            "hs_task_priority": task_priority(op.priority),
            "hs_task_type": TASK_TYPE,
            self.key: op.task_key,
        }
        if op.owner_id:
            properties["hubspot_owner_id"] = op.owner_id
        association = {
            "to": {"id": op.record_id},
            "types": [
                {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": TASK_TO_COMPANY}
            ],
        }
        return {
            "objectWriteTraceId": op.task_key,
            "properties": properties,
            "associations": [association],
        }

    def _send(self, part: Sequence[Input]) -> dict[str, Any]:
        payload = {"inputs": [i.body for i in part]}

        def run() -> Any:
            return self.client.batch_api.create(TASKS, payload, _preload_content=False)

        return self.client.call_json(CREATE, run, idempotent=False)

    def _split(
        self, refusal: WholeRefusal, part: Sequence[Input], outcomes: dict[str, Outcome]
    ) -> list[Sequence[Input]]:
        """Answer what a whole-batch refusal tells; return the parts to send again."""
        if refusal.status == 409:
            holders = self._holders(refusal, part)
            outcomes.update(holders)
            rest = [i for i in part if i.ref not in holders]
            if rest and not holders:  # no holder found: nothing to learn from sending again
                why = Refused(f"HubSpot refused the batch: {refusal.message}", retryable=True)
                outcomes.update(dict.fromkeys((i.ref for i in rest), why))
                return []
            return [rest] if rest else []
        refused, again = triage(refusal, part)
        outcomes.update({ref: Refused(why) for ref, why in refused.items()})
        return again

    def _holders(self, refusal: WholeRefusal, part: Sequence[Input]) -> dict[str, str]:
        """The keys of ``part`` that a task holds now: by search, and by reading the task
        the 409 names (search may not show it yet)."""
        refs = [i.ref for i in part]
        holders = self.find(refs)
        named = refusal.existing_id
        if named is not None and named not in holders.values():
            read = read_records(self.client, TASKS, [named], [self.key])
            task = read.done.get(named)
            value = (task or {}).get("properties", {}).get(self.key)
            if value in refs:
                holders[str(value)] = named
        return holders

    # -- close --------------------------------------------------------------------------
    def close(self, operations: Sequence[TaskClose]) -> dict[str, Outcome]:
        """Outcomes by task id; a task HubSpot no longer has is refused with its message."""
        notes = {op.task_id: op.note for op in operations}
        current = read_records(self.client, TASKS, list(notes), ["hs_task_body", "hs_task_status"])
        outcomes: dict[str, Outcome] = dict(current.refused)
        inputs: list[Input] = []
        for task_id, note in notes.items():
            task = current.done.get(task_id)
            if task is None:
                continue
            props = task.get("properties") or {}
            if str(props.get("hs_task_status") or "").upper() == DONE_STATUS:
                outcomes[task_id] = task_id  # completed already: nothing to do
                continue
            body = closed_body(props.get("hs_task_body"), note)
            inputs.append(
                Input(
                    task_id,
                    {
                        "id": task_id,
                        "properties": {"hs_task_status": DONE_STATUS, "hs_task_body": body},
                    },
                )
            )
        answers = send_updates(self.client, TASKS, inputs)
        outcomes.update({ref: ref for ref in answers.done})
        outcomes.update(answers.refused)
        return outcomes
