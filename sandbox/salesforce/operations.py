"""Record operations behind the sObject and sObject Collections resources.

Every operation runs under the store lock. A collection is applied record by record; with
``allOrNone`` the first failure undoes what the batch already changed and every other record
reports ALL_OR_NONE_OPERATION_ROLLED_BACK, as Salesforce does. The ``partial-batch`` fault
makes one item fail with UNABLE_TO_LOCK_ROW (Salesforce's usual transient row-lock error).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from sandbox.salesforce.errors import ApiError, not_found
from sandbox.salesforce.schema import Record
from sandbox.salesforce.writes import RecordError, deserialize, record_id_for, validate

if TYPE_CHECKING:
    from sandbox.salesforce.store import SalesforceStore

MAX_COLLECTION = 200
ROLLED_BACK = RecordError(
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using "
    "AllOrNone header",
    [],
)
Result = dict[str, Any]


class MultipleMatches(Exception):
    """Upsert found several records by external id: HTTP 300 with their URLs."""

    def __init__(self, urls: list[str]) -> None:
        super().__init__(f"{len(urls)} records match")
        self.urls = urls


def _as_api_error(exc: RecordError) -> ApiError:
    status = 404 if exc.code == "ENTITY_IS_DELETED" else 400
    return ApiError(status, exc.code, exc.message, exc.fields)


def live_record(store: SalesforceStore, obj: str, raw_id: str) -> Record:
    """The record at ``/sobjects/{obj}/{id}`` or the 404 Salesforce gives."""
    canonical = store.valid_id_for(obj, raw_id)
    if canonical is None:
        raise ApiError(
            404,
            "NOT_FOUND",
            f"Provided external ID field does not exist or is not accessible: {raw_id}",
        )
    rec = store.tables[obj].by_id.get(canonical)
    if rec is None:
        raise not_found()
    deleted = store.schemas[obj].slots.get("IsDeleted")
    if deleted is not None and rec[deleted]:
        raise ApiError(404, "ENTITY_IS_DELETED", "entity is deleted", [])
    return rec


def create_one(store: SalesforceStore, obj: str, payload: Mapping[str, Any]) -> str:
    fields = deserialize(store.schemas[obj], payload)
    with store.lock:
        try:
            return str(store.insert(obj, validate(store, obj, fields, creating=True))[0])
        except RecordError as exc:
            raise _as_api_error(exc) from None


def update_one(store: SalesforceStore, obj: str, raw_id: str, payload: Mapping[str, Any]) -> None:
    fields = deserialize(store.schemas[obj], payload)
    with store.lock:
        rec = live_record(store, obj, raw_id)
        try:
            values = validate(store, obj, fields, creating=False, record_id=rec[0])
        except RecordError as exc:
            raise _as_api_error(exc) from None
        store.update(obj, rec[0], values)


def delete_one(store: SalesforceStore, obj: str, raw_id: str) -> None:
    with store.lock:
        rec = live_record(store, obj, raw_id)
        store.delete(obj, rec[0])


def upsert_one(
    store: SalesforceStore, obj: str, field: str, value: str, payload: Mapping[str, Any]
) -> tuple[str, bool]:
    """(id, created) for ``PATCH /sobjects/{obj}/{field}/{value}``."""
    schema = store.schemas[obj]
    f = schema.field(field)
    if f is None or not f.external_id:
        raise ApiError(
            404,
            "NOT_FOUND",
            f"Provided external ID field does not exist or is not accessible: {field}",
        )
    fields = deserialize(schema, payload)
    given = fields.get(f)
    if given is not None and str(given).casefold() != value.casefold():
        raise ApiError(
            400,
            "INVALID_FIELD",
            f"The value of {f.name} in the request body does not match the value in the URL",
        )
    fields[f] = value
    with store.lock:
        try:
            return _upsert(store, obj, f.name, value, fields)
        except RecordError as exc:
            raise _as_api_error(exc) from None


def _upsert(
    store: SalesforceStore, obj: str, field: str, value: str, fields: dict[Any, Any]
) -> tuple[str, bool]:
    table = store.tables[obj]
    deleted = table.deleted_slot
    matches = [
        i
        for i in table.find_external(field, value)
        if deleted is None or not table.by_id[i][deleted]
    ]
    if len(matches) > 1:
        raise MultipleMatches([f"/sobjects/{obj}/{i}" for i in matches])
    if not matches:
        return str(store.insert(obj, validate(store, obj, fields, creating=True))[0]), True
    fields = {f: v for f, v in fields.items() if f.name != field}
    values = validate(store, obj, fields, creating=False, record_id=matches[0])
    store.update(obj, matches[0], values)
    return matches[0], False


def collection(
    store: SalesforceStore,
    body: Any,
    *,
    method: str,
    fail_item: Callable[[], bool],
    upsert: tuple[str, str] | None = None,
) -> list[Result]:
    """POST (create) / PATCH (update, or upsert by ``(object, field)``) of up to 200 records."""
    if not isinstance(body, Mapping) or not isinstance(body.get("records"), list):
        raise ApiError(400, "JSON_PARSER_ERROR", "Expected a JSON object with a records array")
    records = body["records"]
    if len(records) > MAX_COLLECTION:
        raise ApiError(
            400,
            "EXCEEDED_ID_LIMIT",
            "record limit reached. cannot submit more than "
            f"{MAX_COLLECTION} records into this call",
        )
    all_or_none = bool(body.get("allOrNone", False))
    parsed = [_parse_item(store, item, upsert) for item in records]  # 400s happen here
    results: list[Result | RecordError] = []
    undo: dict[str, dict[str, Record | None]] = {}
    with store.lock:
        stamp = store.now_str()
        for obj, fields, raw_id, error in parsed:
            try:
                if error is not None:
                    raise error
                if fail_item():
                    raise RecordError(
                        "UNABLE_TO_LOCK_ROW",
                        "unable to obtain exclusive access "
                        f"to this record or 1 records: {raw_id or obj}",
                        [],
                    )
                results.append(_apply(store, obj, fields, raw_id, method, upsert, stamp, undo))
            except RecordError as exc:
                results.append(exc)
                if all_or_none:
                    break
        failed = any(isinstance(r, RecordError) for r in results)
        if all_or_none and failed:
            for obj, previous in undo.items():
                store.tables[obj].restore(previous)
            results += [ROLLED_BACK] * (len(parsed) - len(results))
            results = [r if isinstance(r, RecordError) else ROLLED_BACK for r in results]
    return [
        r if isinstance(r, dict) else {"success": False, "errors": [r.as_json()]} for r in results
    ]


def _parse_item(
    store: SalesforceStore, item: Any, upsert: tuple[str, str] | None
) -> tuple[str, dict[Any, Any], str | None, RecordError | None]:
    attributes = item.get("attributes") if isinstance(item, Mapping) else None
    type_name = attributes.get("type") if isinstance(attributes, Mapping) else None
    obj = store.object_name(type_name) if isinstance(type_name, str) else None
    if upsert is not None and obj is None and type_name is None:
        obj = upsert[0]
    if obj is None:
        message = (
            "Must specify a type in attributes"
            if type_name is None
            else f"sObject type '{type_name}' is not supported."
        )
        return "", {}, None, RecordError("INVALID_TYPE", message, [])
    id_key = next((k for k in item if k.lower() == "id"), None)
    raw_id = item[id_key] if id_key else None
    payload = {k: v for k, v in item.items() if k != id_key}
    fields = deserialize(store.schemas[obj], payload)
    return obj, fields, None if raw_id is None else str(raw_id), None


def _apply(
    store: SalesforceStore,
    obj: str,
    fields: dict[Any, Any],
    raw_id: str | None,
    method: str,
    upsert: tuple[str, str] | None,
    stamp: str,
    undo: dict[str, dict[str, Record | None]],
) -> Result:
    previous = undo.setdefault(obj, {})
    table = store.tables[obj]
    if upsert is not None:
        field = store.schemas[obj].field(upsert[1])
        value = fields.get(field) if field is not None else None
        if field is None or not field.external_id:
            raise RecordError(
                "INVALID_FIELD",
                f"Field name provided, {upsert[1]} is not an "
                f"External ID or indexed field for {obj}",
                [],
            )
        if value is None:
            raise RecordError("MISSING_ARGUMENT", f"{field.name} not specified", [field.name])
        # The version to restore if an all-or-none batch fails later: looked up by the
        # external id (copying the table's ids per record made upserts O(table size)).
        olds = {i: table.by_id[i] for i in table.find_external(field.name, str(value))}
        try:
            record_id, created = _upsert(store, obj, field.name, str(value), fields)
        except MultipleMatches as exc:
            raise RecordError(
                "DUPLICATE_EXTERNAL_ID",
                f"{field.name}: more than one record found for external id field: {exc.urls}",
                [field.name],
            ) from None
        previous.setdefault(record_id, None if created else olds.get(record_id))
        return {"id": record_id, "success": True, "errors": [], "created": created}
    if method == "POST":
        if raw_id is not None:
            raise RecordError("INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])
        rec = store.insert(obj, validate(store, obj, fields, creating=True), stamp=stamp)
        previous.setdefault(rec[0], None)
        return {"id": rec[0], "success": True, "errors": []}
    if raw_id is None:
        raise RecordError("MISSING_ARGUMENT", "Id not specified in an update call", [])
    record_id = record_id_for(store, obj, raw_id)
    values = validate(store, obj, fields, creating=False, record_id=record_id)
    previous.setdefault(record_id, table.by_id[record_id])
    store.update(obj, record_id, values, stamp=stamp)
    return {"id": record_id, "success": True, "errors": []}


def delete_collection(
    store: SalesforceStore, raw_ids: list[str], all_or_none: bool
) -> list[Result]:
    """``DELETE /composite/sobjects?ids=...``: soft-delete up to 200 records."""
    if len(raw_ids) > MAX_COLLECTION:
        raise ApiError(
            400,
            "EXCEEDED_ID_LIMIT",
            "record limit reached. cannot submit more than "
            f"{MAX_COLLECTION} records into this call",
        )
    results: list[Result] = []
    with store.lock:
        planned: list[tuple[str, str] | RecordError] = []
        for raw in raw_ids:
            obj = store.object_of_id(raw)
            try:
                if obj is None:
                    raise RecordError("MALFORMED_ID", f"malformed id {raw}", [])
                planned.append((obj, record_id_for(store, obj, raw)))
            except RecordError as exc:
                planned.append(exc)
        if all_or_none and any(isinstance(p, RecordError) for p in planned):
            return [
                {
                    "success": False,
                    "errors": [(p if isinstance(p, RecordError) else ROLLED_BACK).as_json()],
                }
                for p in planned
            ]
        for item in planned:
            if isinstance(item, RecordError):
                results.append({"success": False, "errors": [item.as_json()]})
                continue
            store.delete(*item)
            results.append({"id": item[1], "success": True, "errors": []})
    return results
