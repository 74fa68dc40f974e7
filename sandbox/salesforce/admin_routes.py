"""The back door under ``/__sandbox/`` (never counted, never faulted; see HELPERS.md).

Besides the shared routes, ``POST /__sandbox/sessions/expire`` ends every session (the
static one too), so tests can exercise re-login without waiting for a timeout.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from sandbox.common.faults import FaultSpecError, parse_fault_spec
from sandbox.salesforce.fixtures import export_records, fixture_values
from sandbox.salesforce.responses import json_response
from sandbox.salesforce.values import to_datetime_value

if TYPE_CHECKING:
    from sandbox.salesforce.app import SalesforceApp


class AdminError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


async def handle_admin(app: SalesforceApp, request: Request) -> Response:
    path = request.url.path.removeprefix("/__sandbox/").rstrip("/")
    method = request.method
    try:
        if method == "GET" and path == "stats":
            return json_response(stats_snapshot(app))
        if method == "GET" and path.startswith("records/"):
            return json_response(export_records(app.store, _object(app, path[8:])))
        if method != "POST":
            raise AdminError(404, f"no back-door route {method} /__sandbox/{path}")
        body = await _body(request)
        handler = _POST_ROUTES.get(path)
        if handler is None:
            raise AdminError(404, f"no back-door route POST /__sandbox/{path}")
        return json_response(handler(app, body))
    except AdminError as exc:
        return json_response({"error": str(exc)}, exc.status)
    except (ValueError, KeyError, TypeError) as exc:
        return json_response({"error": f"{type(exc).__name__}: {exc}"}, 400)


def stats_snapshot(app: SalesforceApp) -> dict[str, Any]:
    snapshot = app.stats.snapshot()
    snapshot.update(
        {
            "faults_injected": dict(app.faults.injected),
            "daily_used": app.allocation.used,
            "daily_limit": app.allocation.limit,
            "open_query_locators": len(app.cursors),
            "sessions_issued": app.sessions.issued,
            "bulk_jobs_created": app.bulk_jobs_created,
        }
    )
    return snapshot


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw or b"{}")
    except ValueError as exc:
        raise AdminError(400, f"body is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise AdminError(400, "body must be a JSON object")
    return body


def _object(app: SalesforceApp, name: str) -> str:
    obj = app.store.object_name(name)
    if obj is None:
        raise AdminError(404, f"unknown object {name!r}")
    return obj


def _reset(app: SalesforceApp, _body: dict[str, Any]) -> dict[str, Any]:
    app.stats.reset()
    return {"ok": True}


def _faults(app: SalesforceApp, body: dict[str, Any]) -> dict[str, Any]:
    try:
        rates = parse_fault_spec(str(body.get("spec", "")))["salesforce"]
    except FaultSpecError as exc:
        raise AdminError(400, str(exc)) from None
    seed = body.get("seed")
    app.faults.replace(rates, int(seed) if seed is not None else None)
    return {"ok": True, "rates": dict(rates.rates)}


def _latency(app: SalesforceApp, body: dict[str, Any]) -> dict[str, Any]:
    if app.middleware is not None:
        app.middleware.latency_ms = float(body["ms"])
    return {"ok": True}


def _mutate(app: SalesforceApp, body: dict[str, Any]) -> dict[str, Any]:
    """Change records as a person in the UI would: any field, stamps bumped."""
    store = app.store
    obj = _object(app, str(body["object"]))
    schema = store.schemas[obj]
    values = fixture_values(obj, schema, body.get("set") or {})
    values.pop("Id", None)
    stamp = to_datetime_value(body["modstamp"]) if body.get("modstamp") else None
    changed = []
    with store.lock:
        for record_id in body.get("ids") or []:
            if record_id not in store.tables[obj].by_id:
                raise AdminError(404, f"no {obj} with id {record_id}")
            store.update(obj, record_id, values, stamp=stamp)
            changed.append(record_id)
    return {"updated": len(changed), "ids": changed}


def _create(app: SalesforceApp, body: dict[str, Any]) -> dict[str, Any]:
    store = app.store
    obj = _object(app, str(body["object"]))
    ids = []
    with store.lock:
        for raw in body.get("records") or []:
            values = fixture_values(obj, store.schemas[obj], raw)
            ids.append(store.insert(obj, values, given=values.keys())[0])
    return {"ids": ids}


def _delete(app: SalesforceApp, body: dict[str, Any]) -> dict[str, Any]:
    obj = _object(app, str(body["object"]))
    deleted = [i for i in body.get("ids") or [] if app.store.delete(obj, i)]
    return {"deleted": len(deleted), "ids": deleted}


def _drop_field(app: SalesforceApp, body: dict[str, Any]) -> dict[str, Any]:
    obj = _object(app, str(body["object"]))
    if not app.store.drop_field(obj, str(body["field"])):
        raise AdminError(404, f"{obj} has no field {body['field']!r}")
    return {"ok": True}


def _limits(app: SalesforceApp, body: dict[str, Any]) -> dict[str, Any]:
    limit, used = body.get("daily_limit"), body.get("daily_used")
    app.allocation.set(
        limit=None if limit is None else int(limit), used=None if used is None else int(used)
    )
    return {"daily_limit": app.allocation.limit, "daily_used": app.allocation.used}


def _expire_sessions(app: SalesforceApp, _body: dict[str, Any]) -> dict[str, Any]:
    return {"expired": app.sessions.expire_all()}


_POST_ROUTES = {
    "stats/reset": _reset,
    "faults": _faults,
    "latency": _latency,
    "mutate": _mutate,
    "create": _create,
    "delete": _delete,
    "schema/drop-field": _drop_field,
    "limits": _limits,
    "sessions/expire": _expire_sessions,
}
