"""Associations v4: batch read/create/associate-default/archive and the per-record routes.

Batch read answers at most 1,000 inputs (HubSpot changelog, Feb 2025); each input's ``to`` list
pages at 500 with its own ``paging.next.after``. ``toObjectId`` is a JSON number, as in
HubSpot's examples. An id that does not exist, or has no associations of that type, is
reported in ``errors`` (207); the second uses subCategory
``crm.associations.NO_ASSOCIATIONS_FOUND`` [unverified wording].
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from sandbox.hubspot import errors
from sandbox.hubspot.api_batch import batch_body
from sandbox.hubspot.associations import HUBSPOT_DEFINED, AssocType, type_json
from sandbox.hubspot.objecttypes import (
    DEFAULT_TYPE_ID,
    SINGULAR,
    TYPE_ID_PAIR,
    TYPE_IDS,
    TYPE_LABEL,
)
from sandbox.hubspot.routing import Ctx
from sandbox.hubspot.services import Services, batch_inputs, object_type, page_limit


def _ref(raw: Any) -> str:
    return str((raw or {}).get("id", "")) if isinstance(raw, dict) else str(raw or "")


class AssociationsApi:
    def __init__(self, services: Services) -> None:
        self.s = services

    def _pair(self, ctx: Ctx, a: str, b: str) -> tuple[str, str] | Response:
        from_type = object_type(ctx, a)
        if isinstance(from_type, Response):
            return from_type
        to_type = object_type(ctx, b)
        if isinstance(to_type, Response):
            return to_type
        if (from_type, to_type) not in DEFAULT_TYPE_ID:
            return errors.validation(
                f"No association definitions exist between {TYPE_IDS[from_type]} and "
                f"{TYPE_IDS[to_type]}"
            )
        return from_type, to_type

    def _live(self, object_name: str, key: str) -> int | None:
        if not key.isdigit():
            return None
        return int(key) if self.s.store.tables[object_name].live(int(key)) is not None else None

    def _targets(self, from_type: str, from_id: int, to_type: str) -> list[dict[str, Any]]:
        graph = self.s.store.associations
        table = self.s.store.tables[to_type]
        return [
            {
                "toObjectId": to_id,
                "associationTypes": [
                    type_json(cat, tid)
                    for cat, tid in graph.types(from_type, from_id, to_type, to_id)
                ],
            }
            for to_id in graph.targets(from_type, from_id, to_type)
            if table.live(to_id) is not None
        ]

    def batch(self, ctx: Ctx) -> Response:
        pair = self._pair(ctx, "from", "to")
        if isinstance(pair, Response):
            return pair
        op = ctx.params.get("op", "")
        maximum = self.s.options.association_batch_max_inputs
        inputs = batch_inputs(ctx, maximum if op == "read" else self.s.options.batch_max_inputs)
        if isinstance(inputs, Response):
            return inputs
        handler = {
            "read": self._read,
            "create": self._create,
            "archive": self._archive,
            "default": self._default,
        }.get(op)
        if handler is None:
            return errors.not_found(f"Unknown association batch operation {op!r}")
        return handler(pair[0], pair[1], inputs)

    def batch_default(self, ctx: Ctx) -> Response:
        """``.../batch/associate/default`` (one segment longer than the other batch routes)."""
        ctx.params["op"] = "default"
        return self.batch(ctx)

    def _read(self, from_type: str, to_type: str, inputs: list[Any]) -> Response:
        started = self.s.store.now_ms()
        size = self.s.options.association_page_size
        results, missing, errs = [], [], []
        for item in inputs:
            key = _ref(item)
            from_id = self._live(from_type, key)
            if from_id is None:
                missing.append(key)
                continue
            targets = self._targets(from_type, from_id, to_type)
            if not targets:
                errs.append(
                    errors.standard_error(
                        "OBJECT_NOT_FOUND",
                        f"No {SINGULAR[to_type]} is associated with {SINGULAR[from_type]} {key}.",
                        {"fromObjectId": [key]},
                        sub_category="crm.associations.NO_ASSOCIATIONS_FOUND",
                    )
                )
                continue
            after = str((item or {}).get("after") or "0")
            start = int(after) if after.isdigit() else 0
            result: dict[str, Any] = {"from": {"id": key}, "to": targets[start : start + size]}
            if start + size < len(targets):
                token = str(start + size)
                result["paging"] = {"next": {"after": token, "link": f"?after={token}"}}
            results.append(result)
        if missing:
            errs.insert(
                0,
                errors.standard_error(
                    "OBJECT_NOT_FOUND",
                    f"Could not get some {SINGULAR[from_type].upper()} objects, they may be "
                    "deleted or not exist. Check that ids are valid.",
                    {"ids": missing},
                ),
            )
        self.s.stats.add_returned(len(results), f"{from_type}->{to_type} associations")
        return batch_body(results, errs, started, 200, self.s.store.now_ms())

    def _create(self, from_type: str, to_type: str, inputs: list[Any]) -> Response:
        started = self.s.store.now_ms()
        planned = []
        for item in inputs:
            kinds = _kinds(from_type, to_type, (item or {}).get("types"))
            if isinstance(kinds, str):
                return errors.validation(kinds)
            planned.append((_ref((item or {}).get("from")), _ref((item or {}).get("to")), kinds))
        results, errs = [], []
        for from_key, to_key, kinds in planned:
            from_id, to_id = self._live(from_type, from_key), self._live(to_type, to_key)
            if from_id is None or to_id is None:
                errs.append(_missing_pair(from_type, from_key, to_type, to_key))
                continue
            self.s.store.associate(from_type, from_id, to_type, to_id, kinds)
            results.append(_labels(from_type, from_id, to_type, to_id, kinds))
        self.s.stats.add_written(len(results), f"{from_type}->{to_type} associations")
        return batch_body(results, errs, started, 201, self.s.store.now_ms())

    def _default(self, from_type: str, to_type: str, inputs: list[Any]) -> Response:
        started = self.s.store.now_ms()
        results, errs = [], []
        for item in inputs:
            from_key, to_key = _ref((item or {}).get("from")), _ref((item or {}).get("to"))
            from_id, to_id = self._live(from_type, from_key), self._live(to_type, to_key)
            if from_id is None or to_id is None:
                errs.append(_missing_pair(from_type, from_key, to_type, to_key))
                continue
            results.append(self._associate_default(from_type, from_id, to_type, to_id))
        self.s.stats.add_written(len(results), f"{from_type}->{to_type} associations")
        return batch_body(results, errs, started, 200, self.s.store.now_ms())

    def _associate_default(
        self, from_type: str, from_id: int, to_type: str, to_id: int
    ) -> dict[str, Any]:
        type_id = DEFAULT_TYPE_ID[(from_type, to_type)]
        self.s.store.associate(from_type, from_id, to_type, to_id, [(HUBSPOT_DEFINED, type_id)])
        return {
            "from": {"id": str(from_id)},
            "to": {"id": str(to_id)},
            "associationSpec": {
                "associationCategory": HUBSPOT_DEFINED,
                "associationTypeId": type_id,
            },
        }

    def _archive(self, from_type: str, to_type: str, inputs: list[Any]) -> Response:
        removed = 0
        for item in inputs:
            from_key = _ref((item or {}).get("from"))
            targets = (item or {}).get("to") or []
            for target in targets if isinstance(targets, list) else [targets]:
                to_key = _ref(target)
                if from_key.isdigit() and to_key.isdigit():
                    graph = self.s.store.associations
                    removed += graph.remove(from_type, int(from_key), to_type, int(to_key))
        self.s.stats.add_written(removed, f"{from_type}->{to_type} associations")
        return errors.no_content()

    def list_for_record(self, ctx: Ctx) -> Response:
        pair = self._pair(ctx, "type", "toType")
        if isinstance(pair, Response):
            return pair
        size = self.s.options.association_page_size
        limit = page_limit(ctx.first("limit"), size, size)
        if isinstance(limit, Response):
            return limit
        from_id = self._live(pair[0], ctx.params["id"])
        targets = [] if from_id is None else self._targets(pair[0], from_id, pair[1])
        after = ctx.first("after") or "0"
        start = int(after) if after.isdigit() else 0
        body: dict[str, Any] = {"results": targets[start : start + limit]}
        if start + limit < len(targets):
            token = str(start + limit)
            body["paging"] = {
                "next": {"after": token, "link": f"{ctx.base_url}{ctx.path}?after={token}"}
            }
        self.s.stats.add_returned(len(body["results"]), f"{pair[0]}->{pair[1]} associations")
        return errors.json_response(body)

    def put_default(self, ctx: Ctx) -> Response:
        pair = self._pair(ctx, "from", "to")
        if isinstance(pair, Response):
            return pair
        from_id, to_id = (
            self._live(pair[0], ctx.params["fromId"]),
            self._live(pair[1], ctx.params["toId"]),
        )
        if from_id is None or to_id is None:
            return errors.not_found(f"{pair[0]} or {pair[1]} object does not exist")
        started = self.s.store.now_ms()
        result = self._associate_default(pair[0], from_id, pair[1], to_id)
        self.s.stats.add_written(1, f"{pair[0]}->{pair[1]} associations")
        return batch_body([result], [], started, 200, self.s.store.now_ms())

    def put_labelled(self, ctx: Ctx) -> Response:
        pair = self._pair(ctx, "type", "toType")
        if isinstance(pair, Response):
            return pair
        raw = ctx.body if isinstance(ctx.body, list) else None
        if raw is None:
            return errors.validation("Invalid input JSON: expected a list of association specs")
        kinds = _kinds(pair[0], pair[1], raw)
        if isinstance(kinds, str):
            return errors.validation(kinds)
        from_id, to_id = (
            self._live(pair[0], ctx.params["id"]),
            self._live(pair[1], ctx.params["toId"]),
        )
        if from_id is None or to_id is None:
            return errors.not_found(f"{pair[0]} or {pair[1]} object does not exist")
        self.s.store.associate(pair[0], from_id, pair[1], to_id, kinds)
        self.s.stats.add_written(1, f"{pair[0]}->{pair[1]} associations")
        return errors.json_response(_labels(pair[0], from_id, pair[1], to_id, kinds), 201)

    def delete(self, ctx: Ctx) -> Response:
        pair = self._pair(ctx, "type", "toType")
        if isinstance(pair, Response):
            return pair
        from_key, to_key = ctx.params["id"], ctx.params["toId"]
        if from_key.isdigit() and to_key.isdigit():
            self.s.store.associations.remove(pair[0], int(from_key), pair[1], int(to_key))
        return errors.no_content()


def _kinds(from_type: str, to_type: str, raw: Any) -> list[AssocType] | str:
    if not isinstance(raw, list) or not raw:
        return "types must be a non-empty list of association specs"
    kinds: list[AssocType] = []
    for spec in raw:
        category = str((spec or {}).get("associationCategory", HUBSPOT_DEFINED))
        type_id = (spec or {}).get("associationTypeId")
        if not isinstance(type_id, int):
            return f"associationTypeId {type_id!r} is not a number"
        if category == HUBSPOT_DEFINED and TYPE_ID_PAIR.get(type_id) != (from_type, to_type):
            return f"{category} association type {type_id} does not link {from_type} to {to_type}"
        kinds.append((category, type_id))
    return kinds


def _labels(
    from_type: str, from_id: int, to_type: str, to_id: int, kinds: list[AssocType]
) -> dict[str, Any]:
    return {
        "fromObjectTypeId": TYPE_IDS[from_type],
        "fromObjectId": from_id,
        "toObjectTypeId": TYPE_IDS[to_type],
        "toObjectId": to_id,
        "labels": [TYPE_LABEL[t] for _, t in kinds if t in TYPE_LABEL],
    }


def _missing_pair(from_type: str, from_key: str, to_type: str, to_key: str) -> dict[str, Any]:
    return errors.standard_error(
        "OBJECT_NOT_FOUND",
        f"{SINGULAR[from_type]} {from_key} or {SINGULAR[to_type]} {to_key} does not exist",
        {"fromObjectId": [from_key], "toObjectId": [to_key]},
    )
