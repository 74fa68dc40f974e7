"""Sending HubSpot batch writes and reading their answers, one input at a time.

``POST /crm/v3/objects/{type}/batch/{update|create|read}`` takes at most 100 inputs. The
answer is per input: 200/201 with ``results``, or 207 adding ``errors`` whose ``context``
names the inputs (``ids`` for updates and reads, ``objectWriteTraceId`` for creates).

Some refusals fail the *whole* batch and apply nothing: a 400 for one invalid property value
(``VALIDATION_ERROR`` with each bad property named), a 409 for one unique value already held.
:func:`triage` splits a refused 400: inputs setting a property that does not exist are
refused; the inputs the message does not point at are sent again together; the suspects
(the refused value quoted, the linked record named) are sent apart, halved until one stands
alone. So one bad input among 100 costs two or three calls and never a refusal of the 99.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from adapters.hubspot.client import HubSpotClient
from adapters.hubspot.errors import API_EXCEPTIONS, body_of
from connector.errors import ConnectorError

BATCH_MAX = 100
SETUP = "run `partnerpulse setup`"
# Per-input error categories that a later attempt may not meet.
TRANSIENT = frozenset({"RATE_LIMITS", "RATE_LIMIT", "LOCKED", "TIMEOUT", "INTERNAL_ERROR"})
_INVALID = "Property values were not valid: "


@dataclass(frozen=True)
class Input:
    """One batch input: ``ref`` matches it to its answer (the record id of an update or
    read, the task key of a create, sent as ``objectWriteTraceId``)."""

    ref: str
    body: dict[str, Any]

    @property
    def properties(self) -> Mapping[str, Any]:
        found = self.body.get("properties")
        return found if isinstance(found, dict) else {}

    @property
    def targets(self) -> tuple[str, ...]:
        """The record ids this input's associations point at."""
        links = self.body.get("associations") or []
        return tuple(str((link.get("to") or {}).get("id")) for link in links)


Part = Sequence[Input]


@dataclass(frozen=True)
class Refused:
    """Why an input was not applied; ``by_hubspot`` is False when it was never sent."""

    message: str
    retryable: bool = False
    by_hubspot: bool = True


@dataclass
class Answers:
    """What HubSpot said, by ``ref``: done (with the record) or refused. A ref in neither
    got no answer: its outcome is unknown."""

    done: dict[str, dict[str, Any]] = field(default_factory=dict)
    refused: dict[str, Refused] = field(default_factory=dict)

    def merge(self, other: Answers) -> None:
        self.done.update(other.done)
        self.refused.update(other.refused)


@dataclass(frozen=True)
class WholeRefusal:
    """A 4xx that refused a whole batch (nothing in it was applied)."""

    status: int
    body: dict[str, Any]

    @property
    def message(self) -> str:
        category = str(self.body.get("category") or "")
        text = str(self.body.get("message") or "")[:300]
        return f"{category}: {text}" if category and text else category or text

    @property
    def existing_id(self) -> str | None:
        """The id a 409 CONFLICT names (``... already exists. Existing ID: 123``)."""
        text = str(self.body.get("message") or "")
        _, sep, tail = text.rpartition("Existing ID:")
        found = tail.strip().split()[0] if sep and tail.strip() else ""
        return found if found.isdigit() else None


def whole_refusal(error: ConnectorError) -> WholeRefusal | None:
    """The whole-batch refusal behind a translated error (400/409/422), else None: the
    error is then the whole call's (auth, budget, retries exhausted) and is raised."""
    cause = error.__cause__
    if not isinstance(cause, API_EXCEPTIONS):
        return None
    status = int(getattr(cause, "status", 0) or 0)
    if status not in (400, 409, 422):
        return None
    return WholeRefusal(status, body_of(cause))


def chunks(items: Sequence[Input], size: int = BATCH_MAX) -> list[Part]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def read_answer(
    body: Mapping[str, Any], inputs: Sequence[Input], *, match: str | None = None
) -> Answers:
    """Per-input answers of a 200/201/207 batch body. Results are matched to inputs by
    ``objectWriteTraceId``, else by the ``match`` property, else by record id."""
    refs = {i.ref for i in inputs}
    answers = Answers()
    for result in body.get("results") or []:
        props = result.get("properties") or {}
        for ref in (
            result.get("objectWriteTraceId"),
            props.get(match) if match else None,
            result.get("id"),
        ):
            if ref is not None and str(ref) in refs:
                answers.done[str(ref)] = result
                break
    for error in body.get("errors") or []:
        context = error.get("context") or {}
        named = [*context.get("ids", []), *context.get("objectWriteTraceId", [])]
        category = str(error.get("category") or "")
        text = str(error.get("message") or "")[:300]
        refusal = Refused(f"{category}: {text}" if category else text, category in TRANSIENT)
        for ref in named:
            if str(ref) in refs and str(ref) not in answers.done:
                answers.refused[str(ref)] = refusal
    return answers


@dataclass(frozen=True)
class Issue:
    """One refused property value of a 400: property name, HubSpot's code and message."""

    name: str
    code: str
    message: str


def issues_of(body: Mapping[str, Any]) -> list[Issue]:
    """The property issues of a 400 ``VALIDATION_ERROR``: from ``errors[]`` when given,
    else from the validation results HubSpot embeds in its message."""
    found: list[Issue] = []
    for item in body.get("errors") or []:
        names = ((item or {}).get("context") or {}).get("propertyName") or []
        for name in names:
            found.append(Issue(str(name), str(item.get("code") or ""), str(item.get("message"))))
    if found:
        return found
    text = str(body.get("message") or "")
    if _INVALID not in text:
        return []
    try:
        results = json.loads(text.split(_INVALID, 1)[1])
    except ValueError:
        return []
    return [
        Issue(str(r.get("name")), str(r.get("error") or ""), str(r.get("message") or ""))
        for r in results
        if isinstance(r, dict) and r.get("name")
    ]


def issue_text(issue: Issue) -> str:
    if issue.code == "PROPERTY_DOESNT_EXIST":
        return f"property '{issue.name}' does not exist — {SETUP}"
    return f"property '{issue.name}': {issue.message}"


def triage(refusal: WholeRefusal, inputs: Sequence[Input]) -> tuple[dict[str, str], list[Part]]:
    """Split a batch HubSpot refused whole (a 400 or 409: nothing applied) into the inputs certainly
    refused, with why, and the parts to send again: the inputs it does not point at, then
    the suspects — those setting the value its message quotes, or linking to the record it
    names — halved until each stands alone, where a refusal is certainly its own. An input
    is refused only when HubSpot's answer cannot be about another input."""
    if len(inputs) == 1:
        issues = issues_of(refusal.body)
        reason = "; ".join(dict.fromkeys(issue_text(i) for i in issues)) or refusal.message
        return {inputs[0].ref: reason}, []
    certain: dict[str, dict[str, None]] = {}
    suspects: set[str] = set()
    for issue in issues_of(refusal.body):
        for item in inputs:
            if issue.name not in item.properties:
                continue
            if issue.code == "PROPERTY_DOESNT_EXIST":  # no input can set it
                certain.setdefault(item.ref, {})[issue_text(issue)] = None
            elif _quotes(issue.message, str(item.properties[issue.name])):
                suspects.add(item.ref)
    if not certain and not suspects:
        words = set(re.findall(r"\w+", str(refusal.body.get("message") or "")))
        suspects = {item.ref for item in inputs if words & set(item.targets)}
    refused = {ref: "; ".join(reasons) for ref, reasons in certain.items()}
    rest = [i for i in inputs if i.ref not in refused]
    suspected = [i for i in rest if i.ref in suspects]
    clean = [i for i in rest if i.ref not in suspects]
    if not refused and not suspected:
        return {}, halves(inputs)
    parts: list[Part] = [clean] if clean else []
    if suspected:
        parts += [suspected] if len(suspected) == 1 else halves(suspected)
    return refused, parts


def _quotes(message: str, value: str) -> bool:
    """Whether HubSpot's message quotes ``value`` (not inside a list of allowed options)."""
    if not value:
        return False
    text = re.sub(r"\[[^\]]*\]", "", message)
    return re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text) is not None


def halves(inputs: Sequence[Input]) -> list[Part]:
    middle = len(inputs) // 2
    return [inputs[:middle], inputs[middle:]]


def send_updates(client: HubSpotClient, object_type: str, inputs: Sequence[Input]) -> Answers:
    """``batch/update`` of ``inputs`` (``{"id", "properties"}``), 100 a call. An update
    sends absolute values, so a replay is harmless: transient failures are retried, and
    the part of a batch refused whole is sent again without its culprits."""
    endpoint = f"POST /crm/v3/objects/{object_type}/batch/update"
    api = client.batch_api
    answers = Answers()
    pending = chunks(inputs)
    while pending:
        part = pending.pop(0)
        payload = {"inputs": [i.body for i in part]}

        def run(payload: dict[str, Any] = payload) -> Any:
            return api.update(object_type, payload, _preload_content=False)

        try:
            body = client.call_json(endpoint, run)
        except ConnectorError as exc:
            refusal = whole_refusal(exc)
            if refusal is None:
                raise
            refused, again = triage(refusal, part)
            answers.refused.update({ref: Refused(why) for ref, why in refused.items()})
            pending[:0] = again
            continue
        answers.merge(read_answer(body, part))
    return answers


def read_records(
    client: HubSpotClient, object_type: str, ids: Sequence[str], properties: Sequence[str]
) -> Answers:
    """``batch/read`` of live records by id, 100 a call; ids HubSpot does not have come
    back refused with its message."""
    endpoint = f"POST /crm/v3/objects/{object_type}/batch/read"
    api = client.batch_api
    answers = Answers()
    inputs = [Input(i, {"id": i}) for i in dict.fromkeys(ids)]
    for part in chunks(inputs):
        payload = {"properties": list(properties), "inputs": [i.body for i in part]}

        def run(payload: dict[str, Any] = payload) -> Any:
            return api.read(object_type, payload, archived=False, _preload_content=False)

        answers.merge(read_answer(client.call_json(endpoint, run), part))
    return answers
