"""Records as the objects API returns them (``SimplePublicObject`` and friends)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sandbox.hubspot.objecttypes import v3_association_name
from sandbox.hubspot.options import HubSpotOptions
from sandbox.hubspot.records import Record
from sandbox.hubspot.schema import PropertyDef
from sandbox.hubspot.schema_defaults import ALWAYS_READ, DEFAULT_READ
from sandbox.hubspot.store import HubSpotStore
from sandbox.hubspot.values import Stored, format_date, format_datetime

_TIME_TYPES = frozenset({"date", "datetime"})


class Renderer:
    def __init__(self, store: HubSpotStore, options: HubSpotOptions) -> None:
        self.store = store
        self.date_format = options.date_format

    def selection(self, object_type: str, names: Sequence[str] | None) -> list[PropertyDef]:
        """The properties a read returns: the requested ones that exist (unknown names are
        ignored, as HubSpot ignores them), or the type's defaults, plus the system ones."""
        wanted = list(DEFAULT_READ[object_type]) if names is None else list(names)
        wanted.extend(ALWAYS_READ)
        chosen: dict[str, PropertyDef] = {}
        for name in wanted:
            definition = self.store.prop(object_type, name)
            if definition is not None:
                chosen.setdefault(name, definition)
        return list(chosen.values())

    def written(self, object_type: str, record: Record) -> list[PropertyDef]:
        """What create/update responses carry: every property the record has, plus system ones."""
        names = [n for n in record.props if self.store.prop(object_type, n) is not None]
        if object_type == "deals":
            names += ["hs_is_closed_won", "hs_is_closed"]
        return self.selection(object_type, names)

    def out(self, definition: PropertyDef, stored: Stored | None) -> str | None:
        if stored is None:
            return None
        if definition.type == "datetime":
            return format_datetime(int(stored))
        if definition.type == "date":
            return format_date(int(stored), self.date_format)
        return str(stored)

    @staticmethod
    def out_stamp(ms: int) -> str:
        return format_datetime(ms)

    def record(
        self,
        object_type: str,
        record: Record,
        props: Sequence[PropertyDef],
        associations: Sequence[str] = (),
    ) -> dict[str, Any]:
        created = format_datetime(record.created)
        updated = format_datetime(record.updated)
        stored = record.props
        values: dict[str, str | None] = {}
        for d in props:
            source = d.source
            if source is None:
                value = stored.get(d.name)
                if value is None or d.type not in _TIME_TYPES:
                    values[d.name] = value if value is None else str(value)
                else:
                    values[d.name] = self.out(d, value)
            elif source == "created":
                values[d.name] = created
            elif source == "updated":
                values[d.name] = updated
            elif source == "id":
                values[d.name] = str(record.id)
            else:
                values[d.name] = self.out(d, self.store.value(object_type, record, d))
        body: dict[str, Any] = {
            "id": str(record.id),
            "properties": values,
            "createdAt": created,
            "updatedAt": updated,
            "archived": record.archived_at is not None,
        }
        if record.archived_at is not None:
            body["archivedAt"] = format_datetime(record.archived_at)
        if associations:
            linked = self.associations(object_type, record.id, associations)
            if linked:
                body["associations"] = linked
        return body

    def associations(
        self, object_type: str, record_id: int, to_types: Sequence[str]
    ) -> dict[str, Any]:
        graph = self.store.associations
        out: dict[str, Any] = {}
        for to_type in to_types:
            table = self.store.tables[to_type]
            results = []
            for to_id in graph.targets(object_type, record_id, to_type):
                if table.live(to_id) is None:
                    continue
                for _category, type_id in graph.types(object_type, record_id, to_type, to_id):
                    results.append(
                        {
                            "id": str(to_id),
                            "type": v3_association_name(object_type, to_type, type_id),
                        }
                    )
            if results:
                out[to_type] = {"results": results}
        return out
