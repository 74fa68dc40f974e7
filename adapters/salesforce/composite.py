"""sObject Collections: up to 200 records a request, answered record by record.

``PATCH /composite/sobjects`` (update by id) and ``PATCH /composite/sobjects/{SObject}/
{ExternalIdField}`` (upsert by External ID) take at most 200 records. With
``allOrNone: false`` Salesforce applies each record on its own and answers ``200`` with one
result per record, in request order: ``{"id", "success", "errors", ["created"]}``.

Both set absolute values, so sending one again after a transient failure (429, 5xx, a
reset, a timeout) changes nothing more: they run under the session's retry policy. A 400
refuses the whole request and applies none of it; when it names a field the org lacks
(``No such column 'X'``), the records setting that field are refused and the others are
sent again, so one missing field never refuses records that do not touch it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from simple_salesforce.api import Salesforce

from adapters.salesforce.errors import bad_request
from adapters.salesforce.session import SalesforceSession
from connector.errors import ConnectorError

log = structlog.get_logger("partnerpulse.salesforce.writes")

BATCH_MAX = 200
SETUP = "run `partnerpulse setup`"
# Per-record failures a later attempt may not meet (a row lock, a rolled-back neighbour).
TRANSIENT = frozenset(
    {"UNABLE_TO_LOCK_ROW", "ALL_OR_NONE_OPERATION_ROLLED_BACK", "REQUEST_RUNNING_TOO_LONG"}
)
# Per-record failures that mean the org's fields are not as the tool needs them.
SCHEMA = frozenset(
    {"INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "INVALID_FIELD_FOR_INSERT_UPDATE", "INVALID_FIELD"}
)
_NO_COLUMN = re.compile(r"No such column '([^']+)'")


@dataclass(frozen=True)
class Item:
    """One record of a collection; ``ref`` names it in answers (record id, task key)."""

    ref: str
    body: dict[str, Any]


@dataclass(frozen=True)
class Refused:
    """Why a record was not applied, said as ``CODE message`` (with a hint when one helps);
    ``by_salesforce`` is False when it was never sent (no Salesforce form for a value)."""

    detail: str
    retryable: bool = False
    by_salesforce: bool = True


@dataclass
class Answers:
    """What Salesforce said, by ``ref``: done (its result) or refused. A ref in neither got
    no answer: whether it was applied is unknown."""

    done: dict[str, dict[str, Any]] = field(default_factory=dict)
    refused: dict[str, Refused] = field(default_factory=dict)


def chunks(items: Sequence[Item], size: int = BATCH_MAX) -> list[list[Item]]:
    return [list(items[start : start + size]) for start in range(0, len(items), size)]


def send(session: SalesforceSession, path: str, items: Sequence[Item], *, what: str) -> Answers:
    """PATCH ``items`` to the collection resource ``path``, 200 a request."""
    answers = Answers()
    pending = chunks(items)
    while pending:
        part = pending.pop(0)
        payload = {"allOrNone": False, "records": [i.body for i in part]}

        def call(sf: Salesforce, payload: dict[str, Any] = payload) -> Any:
            return sf.restful(path, method="PATCH", json=payload)

        try:
            body = session.run(f"{what} ({len(part)} records)", call)
        except ConnectorError as exc:
            refusal = bad_request(exc)
            if refusal is None:
                raise
            refused, again = triage(refusal, part)
            answers.refused.update(refused)
            pending[:0] = [again] if again else []
            continue
        read_answer(body, part, answers, what=what)
    return answers


def triage(refusal: tuple[str, str], part: Sequence[Item]) -> tuple[dict[str, Refused], list[Item]]:
    """A whole request refused (400): refuse the records it points at, return the rest."""
    code, message = refusal
    missing = _NO_COLUMN.search(message)
    if missing is not None:
        column = missing.group(1).casefold()
        hit = [i for i in part if any(k.casefold() == column for k in i.body)]
        if hit and len(hit) < len(part):
            why = Refused(f"{code} {message} — {SETUP}")
            return {i.ref: why for i in hit}, [i for i in part if i not in hit]
        if hit:
            return {i.ref: Refused(f"{code} {message} — {SETUP}") for i in hit}, []
    return {i.ref: Refused(f"{code} {message} (the whole request was refused)") for i in part}, []


def read_answer(body: Any, part: Sequence[Item], answers: Answers, *, what: str) -> None:
    """Take the per-record results of one request; an unreadable answer answers nothing."""
    if not isinstance(body, list) or len(body) != len(part):
        log.warning("unreadable collection answer", what=what, records=len(part))
        return
    for item, result in zip(part, body, strict=True):
        if not isinstance(result, Mapping):
            continue
        if result.get("success") is True:
            answers.done[item.ref] = dict(result)
        else:
            answers.refused[item.ref] = refusal_of(result)


def refusal_of(result: Mapping[str, Any]) -> Refused:
    """``CODE message`` of each error of a failed record, with a setup hint when it is the
    org's schema that refused."""
    errors = [e for e in result.get("errors") or [] if isinstance(e, Mapping)]
    codes = [str(e.get("statusCode") or e.get("errorCode") or "") for e in errors]
    text = "; ".join(
        f"{code} {e.get('message', '')}".strip() for code, e in zip(codes, errors, strict=True)
    )
    if any(code in SCHEMA for code in codes):
        text += f" — {SETUP}"
    retryable = bool(codes) and all(code in TRANSIENT for code in codes)
    return Refused(text or "refused without a reason", retryable=retryable)
