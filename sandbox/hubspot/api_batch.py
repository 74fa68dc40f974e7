"""``/crm/v3/objects/{type}/batch/{read,create,update,upsert,archive}``.

At most ``batch_max_inputs`` (100) inputs, else 400. Refused property values fail the whole
batch with 400 (the error HubSpot/Node clients throw from batch upserts, e.g.
Atlas-Authority/marketing-automation#174); a unique value already held fails it with 409
CONFLICT naming one existing id (HubSpot/hubspot-api-python#51). Unknown ids give 207 with one
OBJECT_NOT_FOUND error listing them. The ``partial-batch`` fault fails single items (207).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from sandbox.hubspot import errors
from sandbox.hubspot.api_objects import conflict_response, plan_associations
from sandbox.hubspot.objecttypes import SINGULAR, TYPE_IDS
from sandbox.hubspot.records import Record
from sandbox.hubspot.routing import Ctx
from sandbox.hubspot.services import Services, batch_inputs, object_type, property_names
from sandbox.hubspot.store import HubSpotStore
from sandbox.hubspot.values import Stored, ValueIssue, format_datetime


def batch_body(
    results: list[dict[str, Any]],
    errs: list[dict[str, Any]],
    started: int,
    ok_status: int,
    finished: int | None = None,
) -> Response:
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "requestedAt": format_datetime(started),
        "startedAt": format_datetime(started),
        "completedAt": format_datetime(started if finished is None else finished),
    }
    if errs:
        body["numErrors"] = len(errs)
        body["errors"] = errs
        return errors.json_response(body, 207)
    return errors.json_response(body, ok_status)


def missing_error(object_name: str, ids: list[str]) -> dict[str, Any]:
    return errors.standard_error(
        "OBJECT_NOT_FOUND",
        f"Could not get some {SINGULAR[object_name].upper()} objects, they may be deleted or "
        "not exist. Check that ids are valid.",
        {"ids": ids},
    )


def fault_error(context: Mapping[str, list[str]]) -> dict[str, Any]:
    return errors.standard_error(
        "VALIDATION_ERROR", "Record could not be written (sandbox partial-batch fault)", context
    )


class BatchApi:
    def __init__(self, services: Services) -> None:
        self.s = services

    def handle(self, ctx: Ctx) -> Response:
        op = ctx.params["op"]
        handler = {
            "read": self.read,
            "create": self.create,
            "update": self.update,
            "upsert": self.upsert,
            "archive": self.archive,
        }.get(op)
        if handler is None:
            return errors.not_found(f"Unknown batch operation {op!r}")
        object_name = object_type(ctx)
        if isinstance(object_name, Response):
            return object_name
        inputs = batch_inputs(ctx, self.s.options.batch_max_inputs)
        if isinstance(inputs, Response):
            return inputs
        return handler(ctx, object_name, inputs)

    def read(self, ctx: Ctx, object_name: str, inputs: list[Any]) -> Response:
        started = self.s.store.now_ms()
        body = ctx.body
        archived = ctx.flag("archived")
        id_property = body.get("idProperty")
        props = self.s.renderer.selection(object_name, property_names(body.get("properties")))
        table = self.s.store.tables[object_name]
        results, missing, seen = [], [], set()
        for item in inputs:
            key = str((item or {}).get("id", ""))
            if key in seen:
                continue
            seen.add(key)
            if archived:
                record = table.get(int(key)) if key.isdigit() else None
                record = record if record is not None and record.archived else None
            else:
                record = self.s.store.find_by(object_name, id_property, key)
            if record is None:
                missing.append(key)
            else:
                results.append(self.s.renderer.record(object_name, record, props))
        self.s.stats.add_returned(len(results), object_name)
        errs = [missing_error(object_name, missing)] if missing else []
        return batch_body(results, errs, started, 200, self.s.store.now_ms())

    def create(self, ctx: Ctx, object_name: str, inputs: list[Any]) -> Response:
        store = self.s.store
        started = store.now_ms()
        checked = _check_all(store, object_name, inputs, creating=True)
        if isinstance(checked, Response):
            return checked
        plans = []
        for item in inputs:
            links = plan_associations(store, object_name, (item or {}).get("associations"))
            if isinstance(links, str):
                return errors.validation(links)
            plans.append(links)
        refused = _unique_refusal(store, object_name, checked)
        if refused is not None:
            return refused
        results, errs = [], []
        for index, (item, values, links) in enumerate(zip(inputs, checked, plans, strict=True)):
            trace = (item or {}).get("objectWriteTraceId")
            if self.s.faults.draw("partial-batch"):
                errs.append(fault_error({"objectWriteTraceId": [str(trace or index)]}))
                continue
            record = store.create(object_name, values)
            for to_type, to_id, kind in links:
                store.associate(object_name, record.id, to_type, to_id, [kind])
            rendered = self.s.renderer.record(
                object_name, record, self.s.renderer.written(object_name, record)
            )
            if trace:
                rendered["objectWriteTraceId"] = str(trace)
            results.append(rendered)
        self.s.stats.add_written(len(results), object_name)
        return batch_body(results, errs, started, 201, store.now_ms())

    def update(self, ctx: Ctx, object_name: str, inputs: list[Any]) -> Response:
        store = self.s.store
        started = store.now_ms()
        keys = [str((item or {}).get("id", "")) for item in inputs]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            return errors.validation(
                f"Duplicate IDs found in batch input: [{', '.join(duplicates)}]"
            )
        checked = _check_all(store, object_name, inputs)
        if isinstance(checked, Response):
            return checked
        found: list[tuple[Record, dict[str, Stored | None]]] = []
        missing = []
        for item, key, values in zip(inputs, keys, checked, strict=True):
            record = store.find_by(object_name, (item or {}).get("idProperty"), key)
            if record is None:
                missing.append(key)
                continue
            clash = store.conflict(object_name, values, own_id=record.id)
            if clash is not None:
                return conflict_response(object_name, clash)
            found.append((record, values))
        results, errs = [], [missing_error(object_name, missing)] if missing else []
        for record, values in found:
            if self.s.faults.draw("partial-batch"):
                errs.append(fault_error({"ids": [str(record.id)]}))
                continue
            store.update(object_name, record, values)
            results.append(
                self.s.renderer.record(
                    object_name, record, self.s.renderer.written(object_name, record)
                )
            )
        self.s.stats.add_written(len(results), object_name)
        return batch_body(results, errs, started, 200, store.now_ms())

    def upsert(self, ctx: Ctx, object_name: str, inputs: list[Any]) -> Response:
        store = self.s.store
        started = store.now_ms()
        unique = store.unique_properties(object_name)
        for item in inputs:
            id_property = (item or {}).get("idProperty")
            if id_property not in unique:
                return errors.validation(
                    f"Unable to perform update/upsert by non-unique {TYPE_IDS[object_name]} "
                    f"property {id_property} in portal ID {self.s.options.hub_id}"
                )
        with_keys = [
            {
                **(item or {}),
                "properties": {
                    **((item or {}).get("properties") or {}),
                    item["idProperty"]: item.get("id"),
                },
            }
            for item in inputs
        ]
        checked = _check_all(store, object_name, with_keys)
        if isinstance(checked, Response):
            return checked
        for item in with_keys:
            if store.find_by(object_name, item["idProperty"], str(item.get("id", ""))) is None:
                missing = store.missing_required(object_name, item["properties"])
                if missing:
                    return errors.invalid_properties(missing)
        results, errs, written = [], [], 0
        for item, values in zip(inputs, checked, strict=True):
            key = str(item.get("id", ""))
            if self.s.faults.draw("partial-batch"):
                errs.append(fault_error({"ids": [key]}))
                continue
            record = store.find_by(object_name, item["idProperty"], key)
            new = record is None
            if record is None:
                record = store.create(object_name, values)
            else:
                store.update(object_name, record, values)
            written += 1
            rendered = self.s.renderer.record(
                object_name, record, self.s.renderer.written(object_name, record)
            )
            rendered["new"] = new
            results.append(rendered)
        self.s.stats.add_written(written, object_name)
        return batch_body(results, errs, started, 200, store.now_ms())

    def archive(self, ctx: Ctx, object_name: str, inputs: list[Any]) -> Response:
        store = self.s.store
        archived = 0
        for item in inputs:
            key = str((item or {}).get("id", ""))
            record = store.find_by(object_name, None, key)
            if record is not None:
                store.archive(object_name, record)
                archived += 1
        self.s.stats.add_written(archived, object_name)
        return errors.no_content()


def _check_all(
    store: HubSpotStore, object_name: str, inputs: list[Any], *, creating: bool = False
) -> list[dict[str, Stored | None]] | Response:
    checked: list[dict[str, Stored | None]] = []
    issues: list[ValueIssue] = []
    for item in inputs:
        raw = (item or {}).get("properties")
        if not isinstance(raw, dict):
            return errors.validation("Invalid input JSON: each input needs 'properties'")
        values, found = store.check(object_name, raw)
        if creating:
            found += store.missing_required(object_name, raw)
        checked.append(values)
        issues.extend(found)
    if issues:
        return errors.invalid_properties(issues)
    return checked


def _unique_refusal(
    store: HubSpotStore, object_name: str, checked: list[dict[str, Stored | None]]
) -> Response | None:
    """409 for a value a stored record holds; 400 for one two inputs of the batch share."""
    seen: set[tuple[str, str]] = set()
    unique = store.unique_properties(object_name)
    for values in checked:
        clash = store.conflict(object_name, values)
        if clash is not None:
            return conflict_response(object_name, clash)
        for name in unique:
            value = values.get(name)
            if value is None:
                continue
            if (name, str(value)) in seen:
                return errors.validation(
                    f"Duplicate values found for unique property {name} in batch input: {value}",
                    context={"propertyName": [name]},
                )
            seen.add((name, str(value)))
    return None
