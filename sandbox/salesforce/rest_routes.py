"""REST resources under ``/services/data/vXX.X/``: query, sObjects, collections, limits.

Paths are accepted with and without a trailing slash (simple-salesforce sends ``/query/``,
``/limits/``, ``/sobjects/Task/``). ``nextRecordsUrl`` is a server-relative path, as the
client prefixes ``https://{instance}`` itself.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from sandbox.salesforce.bulk_routes import handle_jobs
from sandbox.salesforce.describe import describe_object, global_entry
from sandbox.salesforce.errors import ApiError, not_found
from sandbox.salesforce.operations import (
    MultipleMatches,
    collection,
    create_one,
    delete_collection,
    delete_one,
    live_record,
    update_one,
    upsert_one,
)
from sandbox.salesforce.query_engine import Cursor, compile_and_bind, run_query
from sandbox.salesforce.replication import get_deleted, get_updated, limits_body
from sandbox.salesforce.responses import JSON_TYPE, json_response, no_content
from sandbox.salesforce.schema import Record
from sandbox.salesforce.soql_ast import FieldPath, SoqlError
from sandbox.salesforce.soql_fields import resolve
from sandbox.salesforce.soql_json import json_renderer

if TYPE_CHECKING:
    from sandbox.salesforce.app import SalesforceApp

MIN_BATCH, MAX_BATCH = 200, 2000


async def handle_rest(app: SalesforceApp, request: Request, version: str, rest: str) -> Response:
    parts = [p for p in rest.split("/") if p]
    method = request.method
    if not parts:
        return json_response(
            {
                name: f"/services/data/v{version}/{name}"
                for name in ("sobjects", "query", "queryAll", "limits", "composite", "jobs")
            }
        )
    head = parts[0]
    if head in ("query", "queryAll") and method == "GET":
        if len(parts) == 1:
            return _query(app, request, version, head)
        if len(parts) == 2:
            return _query_more(app, request, version, head, parts[1])
    if head == "sobjects":
        return await _sobjects(app, request, version, parts[1:])
    if head == "composite" and parts[1:2] == ["sobjects"]:
        return await _collections(app, request, version, parts[2:])
    if head == "limits" and len(parts) == 1 and method == "GET":
        return json_response(
            limits_body(app.allocation.limit, app.allocation.used, app.bulk_jobs_created)
        )
    if head == "jobs" and parts[1:2] == ["query"]:
        return await handle_jobs(app, request, version, parts[2:])
    raise not_found()


# -- query -----------------------------------------------------------------------------------
def _batch_size(request: Request, default: int) -> int:
    options = request.headers.get("sforce-query-options", "")
    for part in options.split(","):
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "batchsize" and value.strip().isdigit():
            return max(MIN_BATCH, min(MAX_BATCH, int(value)))
    return default


def _query(app: SalesforceApp, request: Request, version: str, endpoint: str) -> Response:
    text = request.query_params.get("q")
    if not text:
        raise ApiError(400, "MALFORMED_QUERY", "A query string has to be specified")
    if app.faults.draw("query-timeout"):
        raise ApiError(400, "QUERY_TIMEOUT", "Your query request was running for too long.")
    try:
        query = compile_and_bind(app.store, text, version)
    except SoqlError as exc:
        raise ApiError(400, exc.code, exc.message_for(text)) from None
    rows = run_query(app.store, query, include_deleted=endpoint == "queryAll")
    if query.count_only:
        return json_response({"totalSize": len(rows), "done": True, "records": []})
    cursor = Cursor(rows, query, endpoint, _batch_size(request, app.options.default_batch_size))
    locator = app.cursors.open(cursor) if len(rows) > cursor.batch_size else ""
    return _page(app, cursor, locator, 0, cursor.batch_size, version)


def _query_more(
    app: SalesforceApp, request: Request, version: str, endpoint: str, ident: str
) -> Response:
    locator, _, offset = ident.rpartition("-")
    if not locator or not offset.isdigit():
        raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    try:
        cursor = app.cursors.get(locator)
    except SoqlError as exc:
        raise ApiError(400, exc.code, exc.text) from None
    batch = _batch_size(request, cursor.batch_size)
    return _page(app, cursor, locator, int(offset), batch, version)


def _page(
    app: SalesforceApp, cursor: Cursor, locator: str, offset: int, batch: int, version: str
) -> Response:
    rows = cursor.rows[offset : offset + batch]
    end = offset + len(rows)
    total = len(cursor.rows)
    head = f'{{"totalSize":{total},"done":{"true" if end >= total else "false"},'
    if end < total:
        head += f'"nextRecordsUrl":"/services/data/v{version}/{cursor.endpoint}/{locator}-{end}",'
    render = cursor.query.render
    body = head + '"records":[' + ",".join([render(rec) for rec in rows]) + "]}"
    app.stats.add_returned(len(rows), cursor.query.obj)
    return Response(body.encode(), media_type=JSON_TYPE)


# -- sObjects ----------------------------------------------------------------------------
def _object(app: SalesforceApp, name: str) -> str:
    obj = app.store.object_name(name)
    if obj is None:
        raise not_found()
    return obj


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw or b"null")
    except ValueError as exc:
        raise ApiError(400, "JSON_PARSER_ERROR", f"Unexpected character: {exc}") from None


async def _sobjects(
    app: SalesforceApp, request: Request, version: str, parts: list[str]
) -> Response:
    store, method = app.store, request.method
    if not parts and method == "GET":
        return json_response(
            {
                "encoding": "UTF-8",
                "maxBatchSize": 200,
                "sobjects": [global_entry(s, version) for s in store.schemas.values()],
            }
        )
    if not parts:
        raise not_found()
    obj = _object(app, parts[0])
    schema = store.schemas[obj]
    if len(parts) == 1:
        if method == "POST":
            record_id = create_one(store, obj, await _json_body(request))
            app.stats.add_written(1, obj)
            return json_response({"id": record_id, "success": True, "errors": []}, 201)
        if method == "GET":
            return json_response(
                {"objectDescribe": global_entry(schema, version), "recentItems": []}
            )
    elif len(parts) == 2 and parts[1] in ("describe", "deleted", "updated") and method == "GET":
        params = dict(request.query_params)
        if parts[1] == "describe":
            return json_response(describe_object(schema, store.schemas, version))
        if parts[1] == "deleted":
            return json_response(
                get_deleted(store, obj, params, app.options.deleted_retention_days)
            )
        return json_response(get_updated(store, obj, params, app.options.updated_window_days))
    elif len(parts) == 2:
        return await _record(app, request, version, obj, parts[1])
    elif len(parts) == 3:
        return await _by_external_id(app, request, version, obj, parts[1], parts[2])
    raise ApiError(405, "METHOD_NOT_ALLOWED", f"HTTP Method '{method}' not allowed.")


async def _record(
    app: SalesforceApp, request: Request, version: str, obj: str, raw_id: str
) -> Response:
    store, method = app.store, request.method
    if method == "GET":
        rec = live_record(store, obj, raw_id)
        app.stats.add_returned(1, obj)
        return _render_record(app, request, version, obj, rec)
    if method == "PATCH":
        update_one(store, obj, raw_id, await _json_body(request))
        app.stats.add_written(1, obj)
        return no_content()
    if method == "DELETE":
        delete_one(store, obj, raw_id)
        app.stats.add_written(1, obj)
        return no_content()
    raise ApiError(
        405,
        "METHOD_NOT_ALLOWED",
        f"HTTP Method '{method}' not allowed. Allowed are GET,PATCH,DELETE",
    )


def _render_record(
    app: SalesforceApp, request: Request, version: str, obj: str, rec: Record
) -> Response:
    schema = app.store.schemas[obj]
    wanted = request.query_params.get("fields")
    names = [n.strip() for n in wanted.split(",") if n.strip()] if wanted else list(schema.fields)
    try:
        columns = [resolve(app.store, obj, FieldPath((name,), 0)) for name in names]
    except SoqlError as exc:
        raise ApiError(400, "INVALID_FIELD", exc.text) from None
    text = json_renderer(app.store, obj, columns, version)(rec)
    return Response(text.encode(), media_type=JSON_TYPE)


async def _by_external_id(
    app: SalesforceApp, request: Request, version: str, obj: str, field: str, value: str
) -> Response:
    store = app.store
    try:
        if request.method == "PATCH":
            record_id, created = upsert_one(store, obj, field, value, await _json_body(request))
            app.stats.add_written(1, obj)
            body = {"id": record_id, "success": True, "errors": [], "created": created}
            return json_response(body, 201 if created else 200)
        if request.method == "GET":
            f = store.schemas[obj].field(field)
            if f is None or not f.external_id:
                raise ApiError(
                    404,
                    "NOT_FOUND",
                    f"Provided external ID field does not exist or is not accessible: {field}",
                )
            table = store.tables[obj]
            ids = [
                i
                for i in table.find_external(f.name, value)
                if table.deleted_slot is None or not table.by_id[i][table.deleted_slot]
            ]
            if len(ids) > 1:
                raise MultipleMatches([f"/sobjects/{obj}/{i}" for i in ids])
            if not ids:
                raise not_found()
            app.stats.add_returned(1, obj)
            return _render_record(app, request, version, obj, table.by_id[ids[0]])
    except MultipleMatches as exc:
        return json_response([f"/services/data/v{version}{u}" for u in exc.urls], 300)
    raise ApiError(405, "METHOD_NOT_ALLOWED", f"HTTP Method '{request.method}' not allowed.")


# -- sObject Collections -------------------------------------------------------------------
async def _collections(
    app: SalesforceApp, request: Request, version: str, parts: list[str]
) -> Response:
    store, method = app.store, request.method
    if method == "DELETE" and not parts:
        ids = [i for i in request.query_params.get("ids", "").split(",") if i]
        all_or_none = request.query_params.get("allOrNone", "false").lower() == "true"
        results = delete_collection(store, ids, all_or_none)
        app.stats.add_written(sum(r["success"] for r in results))
        return json_response(results)
    upsert = None
    if len(parts) == 2 and method == "PATCH":
        upsert = (_object(app, parts[0]), parts[1])
    elif parts or method not in ("POST", "PATCH"):
        raise not_found()
    body = await _json_body(request)
    results = collection(
        store,
        body,
        method=method,
        fail_item=lambda: app.faults.draw("partial-batch"),
        upsert=upsert,
    )
    written: Counter[str] = Counter()
    for item, result in zip(body["records"], results, strict=True):
        if result["success"]:
            attributes = item.get("attributes") or {}
            written[str(attributes.get("type") or (upsert or ("",))[0])] += 1
    for obj, count in written.items():
        app.stats.add_written(count, store.object_name(obj) or obj)
    return json_response(results)
