"""``/crm/v3/properties/{type}``: properties and property groups.

Create answers 201; creating a name that exists answers 409 with category
``OBJECT_ALREADY_EXISTS`` [unverified; crm-api.md §10 leaves the category open]. Delete
archives (the property leaves the default listing, writes to it fail as for an unknown one).
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.responses import Response

from sandbox.hubspot import errors
from sandbox.hubspot.api_batch import batch_body
from sandbox.hubspot.routing import Ctx
from sandbox.hubspot.schema import FIELD_TYPES, PROPERTY_TYPES, GroupDef, PropertyDef, bool_options
from sandbox.hubspot.services import Services, batch_inputs, body_dict, object_type

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_EDITABLE = ("label", "description", "groupName", "displayOrder", "hidden", "formField")


class PropertiesApi:
    def __init__(self, services: Services) -> None:
        self.s = services

    def list_properties(self, ctx: Ctx) -> Response:
        object_name = object_type(ctx)
        if isinstance(object_name, Response):
            return object_name
        archived = ctx.flag("archived")
        defs = self.s.store.properties[object_name].values()
        results = [d.to_json() for d in defs if d.archived == archived]
        return errors.json_response({"results": results})

    def get(self, ctx: Ctx) -> Response:
        object_name = object_type(ctx)
        if isinstance(object_name, Response):
            return object_name
        definition = self.s.store.properties[object_name].get(ctx.params["name"])
        if definition is None or definition.archived != ctx.flag("archived"):
            return _missing(ctx.params["name"])
        return errors.json_response(definition.to_json())

    def create(self, ctx: Ctx) -> Response:
        object_name = object_type(ctx)
        if isinstance(object_name, Response):
            return object_name
        body = body_dict(ctx)
        if isinstance(body, Response):
            return body
        made = self._create_one(object_name, body)
        if isinstance(made, Response):
            return made
        return errors.json_response(made.to_json(), 201)

    def _create_one(self, object_name: str, body: dict[str, Any]) -> PropertyDef | Response:
        for required in ("name", "label", "type", "fieldType", "groupName"):
            if not body.get(required):
                return errors.validation(f"{required} can not be null or empty")
        name = str(body["name"])
        if not _NAME.match(name):
            return errors.validation(
                f"Property name {name!r} must start with a letter and contain only lowercase "
                "letters, digits and underscores"
            )
        if name in self.s.store.properties[object_name]:
            return errors.error(
                409, "OBJECT_ALREADY_EXISTS", f"Property named '{name}' already exists."
            )
        kind, field_type, group = str(body["type"]), str(body["fieldType"]), str(body["groupName"])
        if kind not in PROPERTY_TYPES:
            return errors.validation(f"type {kind!r} is not one of {', '.join(PROPERTY_TYPES)}")
        if field_type not in FIELD_TYPES:
            return errors.validation(
                f"fieldType {field_type!r} is not one of {', '.join(FIELD_TYPES)}"
            )
        if group not in self.s.store.groups[object_name]:
            return errors.validation(f"Property group '{group}' does not exist")
        options = _options(body.get("options"))
        if kind == "bool" and not options:
            options = bool_options()
        if kind == "enumeration" and not options:
            return errors.validation("Enumeration properties need at least one option")
        now = self.s.store.now_ms()
        definition = PropertyDef(
            name=name,
            label=str(body["label"]),
            type=kind,
            field_type=field_type,
            group_name=group,
            description=str(body.get("description") or ""),
            options=options,
            display_order=int(body.get("displayOrder", -1)),
            has_unique_value=bool(body.get("hasUniqueValue", False)),
            hubspot_defined=False,
            hidden=bool(body.get("hidden", False)),
            form_field=bool(body.get("formField", False)),
            external_options=bool(body.get("externalOptions", False)),
            created_at=now,
            updated_at=now,
        )
        self.s.store.add_property(object_name, definition)
        return definition

    def update(self, ctx: Ctx) -> Response:
        object_name = object_type(ctx)
        if isinstance(object_name, Response):
            return object_name
        body = body_dict(ctx)
        if isinstance(body, Response):
            return body
        definition = self.s.store.prop(object_name, ctx.params["name"])
        if definition is None:
            return _missing(ctx.params["name"])
        if definition.hubspot_defined and set(body) - {"label", "description", "displayOrder"}:
            return errors.validation(
                f"Property {definition.name} is HubSpot-defined; only its label can change"
            )
        if "groupName" in body and body["groupName"] not in self.s.store.groups[object_name]:
            return errors.validation(f"Property group '{body['groupName']}' does not exist")
        for key in _EDITABLE:
            if key in body:
                attr = {
                    "groupName": "group_name",
                    "displayOrder": "display_order",
                    "formField": "form_field",
                }.get(key, key)
                setattr(definition, attr, body[key])
        if "options" in body:
            definition.set_options(_options(body["options"]))
        if body.get("type") in PROPERTY_TYPES:
            definition.type = str(body["type"])
        if body.get("fieldType") in FIELD_TYPES:
            definition.field_type = str(body["fieldType"])
        definition.updated_at = self.s.store.now_ms()
        self.s.store.schema_version += 1
        return errors.json_response(definition.to_json())

    def archive(self, ctx: Ctx) -> Response:
        object_name = object_type(ctx)
        if isinstance(object_name, Response):
            return object_name
        definition = self.s.store.prop(object_name, ctx.params["name"])
        if definition is None:
            return _missing(ctx.params["name"])
        if definition.hubspot_defined:
            return errors.validation(
                f"Property {definition.name} is HubSpot-defined and cannot be archived"
            )
        self.s.store.archive_property(object_name, definition.name, self.s.store.now_ms())
        return errors.no_content()

    def batch(self, ctx: Ctx) -> Response:
        object_name = object_type(ctx)
        if isinstance(object_name, Response):
            return object_name
        inputs = batch_inputs(ctx, self.s.options.batch_max_inputs)
        if isinstance(inputs, Response):
            return inputs
        started = self.s.store.now_ms()
        op = ctx.params["op"]
        results: list[dict[str, Any]] = []
        errs: list[dict[str, Any]] = []
        if op == "read":
            archived = bool(ctx.body.get("archived", False))
            for item in inputs:
                name = str((item or {}).get("name", ""))
                definition = self.s.store.properties[object_name].get(name)
                if definition is None or definition.archived != archived:
                    errs.append(
                        errors.standard_error(
                            "OBJECT_NOT_FOUND", f"Unable to find property {name}", {"name": [name]}
                        )
                    )
                else:
                    results.append(definition.to_json())
            return batch_body(results, errs, started, 200, self.s.store.now_ms())
        if op == "create":
            for item in inputs:
                made = self._create_one(object_name, item or {})
                if isinstance(made, Response):
                    message = json.loads(bytes(made.body))["message"]
                    name = str((item or {}).get("name"))
                    errs.append(
                        errors.standard_error("VALIDATION_ERROR", message, {"name": [name]})
                    )
                else:
                    results.append(made.to_json())
            return batch_body(results, errs, started, 201, self.s.store.now_ms())
        if op == "archive":
            now = self.s.store.now_ms()
            for item in inputs:
                definition = self.s.store.prop(object_name, str((item or {}).get("name", "")))
                if definition is not None and not definition.hubspot_defined:
                    self.s.store.archive_property(object_name, definition.name, now)
            return errors.no_content()
        return errors.not_found(f"Unknown batch operation {op!r}")

    def list_groups(self, ctx: Ctx) -> Response:
        object_name = object_type(ctx)
        if isinstance(object_name, Response):
            return object_name
        groups = self.s.store.groups[object_name].values()
        return errors.json_response({"results": [g.to_json() for g in groups if not g.archived]})

    def get_group(self, ctx: Ctx) -> Response:
        object_name = object_type(ctx)
        if isinstance(object_name, Response):
            return object_name
        group = self.s.store.groups[object_name].get(ctx.params["group"])
        if group is None or group.archived:
            return errors.not_found(f"Unable to find property group {ctx.params['group']}")
        return errors.json_response(group.to_json())

    def create_group(self, ctx: Ctx) -> Response:
        object_name = object_type(ctx)
        if isinstance(object_name, Response):
            return object_name
        body = body_dict(ctx)
        if isinstance(body, Response):
            return body
        name, label = str(body.get("name") or ""), str(body.get("label") or "")
        if not name or not label:
            return errors.validation("name and label can not be null or empty")
        if name in self.s.store.groups[object_name]:
            return errors.error(
                409, "OBJECT_ALREADY_EXISTS", f"Property group named '{name}' already exists."
            )
        group = GroupDef(name, label, int(body.get("displayOrder", -1)))
        self.s.store.add_group(object_name, group)
        return errors.json_response(group.to_json(), 201)

    def update_group(self, ctx: Ctx) -> Response:
        object_name = object_type(ctx)
        if isinstance(object_name, Response):
            return object_name
        body = body_dict(ctx)
        if isinstance(body, Response):
            return body
        group = self.s.store.groups[object_name].get(ctx.params["group"])
        if group is None or group.archived:
            return errors.not_found(f"Unable to find property group {ctx.params['group']}")
        group.label = str(body.get("label", group.label))
        group.display_order = int(body.get("displayOrder", group.display_order))
        return errors.json_response(group.to_json())

    def archive_group(self, ctx: Ctx) -> Response:
        object_name = object_type(ctx)
        if isinstance(object_name, Response):
            return object_name
        group = self.s.store.groups[object_name].get(ctx.params["group"])
        if group is None or group.archived:
            return errors.not_found(f"Unable to find property group {ctx.params['group']}")
        group.archived = True
        return errors.no_content()


def _missing(name: str) -> Response:
    return errors.not_found(f"Unable to find property {name}", context={"name": [name]})


def _options(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        return []
    return [
        {
            "label": str((o or {}).get("label", (o or {}).get("value", ""))),
            "value": str((o or {}).get("value", "")),
            "displayOrder": int((o or {}).get("displayOrder", i)),
            "hidden": bool((o or {}).get("hidden", False)),
            **({"description": str(o["description"])} if (o or {}).get("description") else {}),
        }
        for i, o in enumerate(raw)
    ]
