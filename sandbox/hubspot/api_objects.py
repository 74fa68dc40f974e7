"""``/crm/v3/objects/{type}``: list, get, create, update, archive.

List pages in id order; ``after`` is the id of the next record (an opaque string to clients).
``paging`` is absent on the last page. ``archived=true`` lists only archived records.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

from starlette.responses import Response

from sandbox.hubspot import errors
from sandbox.hubspot.associations import HUBSPOT_DEFINED, AssocType
from sandbox.hubspot.objecttypes import SINGULAR, TYPE_ID_PAIR, resolve_type
from sandbox.hubspot.records import Record
from sandbox.hubspot.routing import Ctx
from sandbox.hubspot.schema import PropertyDef
from sandbox.hubspot.services import Services, body_dict, object_type, page_limit
from sandbox.hubspot.store import HubSpotStore

HISTORY_MAX = 50
NOT_FOUND = "Object not found.  objectId are usually numeric."

PlannedLink = tuple[str, int, AssocType]  # (to type, to id, type)


def plan_associations(store: HubSpotStore, from_type: str, raw: Any) -> list[PlannedLink] | str:
    """The ``associations`` of a create body, checked; a message when one is not valid."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        return "associations must be a list"
    planned: list[PlannedLink] = []
    for item in raw:
        to_id = str(((item or {}).get("to") or {}).get("id", ""))
        for spec in (item or {}).get("types") or []:
            category = spec.get("associationCategory", HUBSPOT_DEFINED)
            type_id = spec.get("associationTypeId")
            pair = TYPE_ID_PAIR.get(type_id) if isinstance(type_id, int) else None
            if category != HUBSPOT_DEFINED or pair is None or pair[0] != from_type:
                return f"{category} association type {type_id} is not valid for {from_type}"
            to_type = pair[1]
            if not to_id.isdigit() or store.tables[to_type].live(int(to_id)) is None:
                return f"{to_type} {to_id} does not exist; cannot associate it"
            planned.append((to_type, int(to_id), (category, type_id)))
    return planned


class ObjectsApi:
    def __init__(self, services: Services) -> None:
        self.s = services

    def list_page(self, ctx: Ctx) -> Response:
        object_name = object_type(ctx)
        if isinstance(object_name, Response):
            return object_name
        history = ctx.multi("propertiesWithHistory")
        maximum = HISTORY_MAX if history else self.s.options.list_max_limit
        limit = page_limit(ctx.first("limit"), 10, maximum)
        if isinstance(limit, Response):
            return limit
        associations = self._association_types(ctx)
        if isinstance(associations, Response):
            return associations
        table = self.s.store.tables[object_name]
        ids = table.archived_ids if ctx.flag("archived") else table.live_ids
        after = ctx.first("after")
        if after is not None and not after.isdigit():
            return errors.validation(f"after: {after!r} is not a valid paging token")
        start = bisect_left(ids, int(after)) if after else 0
        page = ids[start : start + limit]
        props = self.s.renderer.selection(object_name, ctx.multi("properties"))
        results = [
            self._render(object_name, table.records[i], props, associations, history) for i in page
        ]
        self.s.stats.add_returned(len(results), object_name)
        body: dict[str, Any] = {"results": results}
        if start + limit < len(ids):
            token = str(ids[start + limit])
            body["paging"] = {
                "next": {"after": token, "link": f"{ctx.base_url}{ctx.path}?after={token}"}
            }
        return errors.json_response(body)

    def get(self, ctx: Ctx) -> Response:
        object_name = object_type(ctx)
        if isinstance(object_name, Response):
            return object_name
        associations = self._association_types(ctx)
        if isinstance(associations, Response):
            return associations
        record = self._find(object_name, ctx, archived=ctx.flag("archived"))
        if record is None:
            return errors.not_found(NOT_FOUND, context={"id": [ctx.params["id"]]})
        props = self.s.renderer.selection(object_name, ctx.multi("properties"))
        history = ctx.multi("propertiesWithHistory")
        self.s.stats.add_returned(1, object_name)
        return errors.json_response(self._render(object_name, record, props, associations, history))

    def create(self, ctx: Ctx) -> Response:
        object_name = object_type(ctx)
        if isinstance(object_name, Response):
            return object_name
        body = body_dict(ctx)
        if isinstance(body, Response):
            return body
        store = self.s.store
        raw = body.get("properties") or {}
        values, issues = store.check(object_name, raw)
        issues += store.missing_required(object_name, raw)
        if issues:
            return errors.invalid_properties(issues)
        links = plan_associations(store, object_name, body.get("associations"))
        if isinstance(links, str):
            return errors.validation(links)
        clash = store.conflict(object_name, values)
        if clash is not None:
            return conflict_response(object_name, clash)
        record = store.create(object_name, values)
        for to_type, to_id, kind in links:
            store.associate(object_name, record.id, to_type, to_id, [kind])
        self.s.stats.add_written(1, object_name)
        props = self.s.renderer.written(object_name, record)
        return errors.json_response(self.s.renderer.record(object_name, record, props), 201)

    def update(self, ctx: Ctx) -> Response:
        object_name = object_type(ctx)
        if isinstance(object_name, Response):
            return object_name
        body = body_dict(ctx)
        if isinstance(body, Response):
            return body
        store = self.s.store
        record = self._find(object_name, ctx, archived=False)
        if record is None:
            return errors.not_found(NOT_FOUND, context={"id": [ctx.params["id"]]})
        values, issues = store.check(object_name, body.get("properties") or {})
        if issues:
            return errors.invalid_properties(issues)
        clash = store.conflict(object_name, values, own_id=record.id)
        if clash is not None:
            return conflict_response(object_name, clash)
        store.update(object_name, record, values)
        self.s.stats.add_written(1, object_name)
        props = self.s.renderer.written(object_name, record)
        return errors.json_response(self.s.renderer.record(object_name, record, props))

    def archive(self, ctx: Ctx) -> Response:
        object_name = object_type(ctx)
        if isinstance(object_name, Response):
            return object_name
        record = self._find(object_name, ctx, archived=False)
        if record is not None:
            self.s.store.archive(object_name, record)
            self.s.stats.add_written(1, object_name)
        return errors.no_content()

    def _find(self, object_name: str, ctx: Ctx, *, archived: bool) -> Record | None:
        key = ctx.params["id"]
        id_property = ctx.first("idProperty")
        if archived:
            table = self.s.store.tables[object_name]
            record = table.get(int(key)) if key.isdigit() else None
            return record if record is not None and record.archived else None
        return self.s.store.find_by(object_name, id_property, key)

    def _association_types(self, ctx: Ctx) -> list[str] | Response:
        names = ctx.multi("associations") or []
        resolved = []
        for name in names:
            to_type = resolve_type(name)
            if to_type is None:
                return errors.validation(f"Unable to infer object type from: {name}")
            resolved.append(to_type)
        return resolved

    def _render(
        self,
        object_name: str,
        record: Record,
        props: list[PropertyDef],
        associations: list[str],
        history: list[str] | None,
    ) -> dict[str, Any]:
        body = self.s.renderer.record(object_name, record, props, associations)
        if history:
            body["propertiesWithHistory"] = self._history(object_name, record, history)
        return body

    def _history(self, object_name: str, record: Record, names: list[str]) -> dict[str, Any]:
        """Only the current value is kept, so each history holds one entry."""
        out: dict[str, Any] = {}
        for definition in self.s.renderer.selection(object_name, names):
            value = self.s.renderer.out(
                definition, self.s.store.value(object_name, record, definition)
            )
            out[definition.name] = (
                []
                if value is None
                else [
                    {
                        "value": value,
                        "timestamp": self.s.renderer.out_stamp(record.updated),
                        "sourceType": "API",
                        "sourceId": "sandbox",
                    }
                ]
            )
        return out


def conflict_response(object_name: str, clash: tuple[str, int]) -> Response:
    """409 for a unique value already held; the exact body recorded in
    HubSpot/hubspot-api-nodejs#545 and HubSpot/hubspot-api-python#51 (one id, no context)."""
    _name, existing = clash
    label = SINGULAR[object_name].capitalize()
    return errors.error(409, "CONFLICT", f"{label} already exists. Existing ID: {existing}")
