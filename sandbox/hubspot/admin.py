"""The sandbox's back door under ``/__sandbox/`` (never counted, never faulted, no auth).

Routes are the contract in HELPERS.md: stats, faults, latency, records dump, mutate (as a
person in the UI: bumps ``hs_lastmodifieddate``/``updatedAt`` to ``modstamp`` or now), create,
delete (archive; does not bump ``hs_lastmodifieddate``), schema drop-field, daily limits.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sandbox.common.faults import FaultSpecError, parse_fault_spec
from sandbox.common.middleware import SandboxMiddleware
from sandbox.hubspot import errors
from sandbox.hubspot.loading import FixtureError, add_records
from sandbox.hubspot.objecttypes import resolve_type
from sandbox.hubspot.records import Record
from sandbox.hubspot.services import Services
from sandbox.hubspot.values import parse_instant

PREFIX = "/__sandbox/"


def _fail(status: int, message: str) -> Response:
    return errors.json_response({"error": message}, status)


class AdminApi:
    def __init__(self, services: Services) -> None:
        self.s = services
        self.middleware: SandboxMiddleware | None = None

    async def handle(self, request: Request) -> Response:
        action = request.url.path[len(PREFIX) :].strip("/")
        body: dict[str, Any] = {}
        if request.method == "POST":
            raw = await request.body()
            try:
                body = json.loads(raw) if raw else {}
            except json.JSONDecodeError as exc:
                return _fail(400, f"invalid JSON: {exc}")
        with self.s.store.lock:
            try:
                return self._dispatch(request.method, action, body)
            except FixtureError as exc:
                return _fail(400, str(exc))

    def _dispatch(self, method: str, action: str, body: dict[str, Any]) -> Response:
        if method == "GET" and action == "stats":
            return errors.json_response(self._stats())
        if method == "GET" and action.startswith("records/"):
            return self._records(action.removeprefix("records/"))
        if method != "POST":
            return _fail(404, f"no back-door route {method} {PREFIX}{action}")
        handler = {
            "stats/reset": self._reset,
            "faults": self._faults,
            "latency": self._latency,
            "mutate": self._mutate,
            "create": self._create,
            "delete": self._delete,
            "schema/drop-field": self._drop_field,
            "limits": self._limits,
        }.get(action)
        if handler is None:
            return _fail(404, f"no back-door route POST {PREFIX}{action}")
        return handler(body)

    def _stats(self) -> dict[str, Any]:
        return {
            **self.s.stats.snapshot(),
            "faults_injected": dict(self.s.faults.injected),
            **self.s.limiter.snapshot(),
        }

    def _reset(self, body: dict[str, Any]) -> Response:
        self.s.stats.reset()
        self.s.faults.injected.clear()
        return errors.json_response({"ok": True})

    def _faults(self, body: dict[str, Any]) -> Response:
        try:
            rates = parse_fault_spec(str(body.get("spec", "")))["hubspot"]
        except FaultSpecError as exc:
            return _fail(400, str(exc))
        seed = body.get("seed")
        self.s.faults.replace(rates, int(seed) if seed is not None else None)
        return errors.json_response({"ok": True})

    def _latency(self, body: dict[str, Any]) -> Response:
        if self.middleware is not None:
            self.middleware.latency_ms = float(body.get("ms", 0))
        return errors.json_response({"ok": True})

    def _type(self, body: dict[str, Any]) -> str:
        object_type = resolve_type(str(body.get("object", "")))
        if object_type is None:
            raise FixtureError(f"unknown object {body.get('object')!r}")
        return object_type

    def _records(self, name: str) -> Response:
        object_type = resolve_type(name)
        if object_type is None:
            return _fail(404, f"unknown object {name!r}")
        table = self.s.store.tables[object_type]
        rows = [self._fixture_row(object_type, r) for r in table.records.values()]
        return errors.json_response(rows)

    def _fixture_row(self, object_type: str, record: Record) -> dict[str, Any]:
        renderer = self.s.renderer
        defs = renderer.selection(object_type, list(record.props))
        row = renderer.record(object_type, record, defs)
        graph = self.s.store.associations
        row["associations"] = {
            to_type: [str(i) for i in graph.targets(object_type, record.id, to_type)]
            for to_type in graph.pairs_from(object_type)
            if graph.targets(object_type, record.id, to_type)
        }
        return row

    def _records_of(self, object_type: str, ids: list[Any]) -> list[Record]:
        table = self.s.store.tables[object_type]
        found = []
        for raw in ids:
            record = table.get(int(raw)) if str(raw).isdigit() else None
            if record is None:
                raise FixtureError(f"{object_type} {raw} does not exist")
            found.append(record)
        return found

    def _mutate(self, body: dict[str, Any]) -> Response:
        object_type = self._type(body)
        records = self._records_of(object_type, list(body.get("ids") or []))
        values, issues = self.s.store.check(object_type, dict(body.get("set") or {}))
        if issues:
            return errors.invalid_properties(issues)
        raw_stamp = body.get("modstamp")
        stamp = parse_instant(raw_stamp) if raw_stamp else None
        if raw_stamp and stamp is None:
            return _fail(400, f"modstamp {raw_stamp!r} is not ISO-8601 or epoch milliseconds")
        for record in records:
            self.s.store.update(object_type, record, values, stamp=stamp)
        return errors.json_response({"updated": len(records)})

    def _create(self, body: dict[str, Any]) -> Response:
        object_type = self._type(body)
        ids = add_records(self.s.store, object_type, list(body.get("records") or []))
        return errors.json_response({"ids": [str(i) for i in ids]})

    def _delete(self, body: dict[str, Any]) -> Response:
        object_type = self._type(body)
        records = self._records_of(object_type, list(body.get("ids") or []))
        for record in records:
            self.s.store.archive(object_type, record)
        return errors.json_response({"archived": len(records)})

    def _drop_field(self, body: dict[str, Any]) -> Response:
        object_type = self._type(body)
        field = str(body.get("field", ""))
        if not self.s.store.drop_property(object_type, field):
            return _fail(404, f"{object_type} has no property {field!r}")
        return errors.json_response({"dropped": field})

    def _limits(self, body: dict[str, Any]) -> Response:
        limit, used = body.get("daily_limit"), body.get("daily_used")
        self.s.limiter.set_daily(
            int(limit) if limit is not None else None, int(used) if used is not None else None
        )
        if "rate_limits" in body:  # off: measure local throughput with no limits (bench/)
            self.s.limiter.enabled = bool(body["rate_limits"])
        return errors.json_response(self.s.limiter.snapshot())
