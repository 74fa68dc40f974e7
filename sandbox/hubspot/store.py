"""The sandbox portal's data: records, associations, schema and owners, with HubSpot's write rules.

Every write goes through :meth:`HubSpotStore.check` (property existence, types, options, the
midnight rule for dates) and bumps ``hs_lastmodifieddate``/``updatedAt`` to the millisecond;
archiving does not. The HTTP layer holds :attr:`lock` around each request, so tests may also
read the store directly from another thread.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sandbox.hubspot.associations import AssociationGraph, AssocType
from sandbox.hubspot.objecttypes import DEFAULT_TYPE_ID, ENGAGEMENTS, OBJECT_TYPES, resolve_type
from sandbox.hubspot.pipelines import CLOSED_DEAL_STAGES
from sandbox.hubspot.records import ObjectTable, Record
from sandbox.hubspot.schema import GroupDef, PropertyDef
from sandbox.hubspot.schema_defaults import TOOL_GROUP, TOOL_SPECS, default_schema
from sandbox.hubspot.values import Stored, ValueIssue

_INTERNED_TYPES = frozenset({"enumeration", "bool", "number"})


class HubSpotStore:
    """All objects of one portal. Build it empty or with :meth:`from_records`."""

    def __init__(
        self,
        *,
        include_tool_properties: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.tables = {name: ObjectTable(name) for name in OBJECT_TYPES}
        self.associations = AssociationGraph()
        self.properties, self.groups = default_schema(self.now_ms(), include_tool_properties)
        self.schema_version = 0
        self.owners: list[dict[str, Any]] = []
        self._next_id = 10_001
        for name in OBJECT_TYPES:
            for prop in self.unique_properties(name):
                self.tables[name].index_unique(prop)

    @classmethod
    def from_records(
        cls,
        objects: Mapping[str, Sequence[Mapping[str, Any]]],
        owners: Sequence[Mapping[str, Any]] = (),
        now: datetime | None = None,
        *,
        include_tool_properties: bool = True,
    ) -> HubSpotStore:
        """A store holding fixture records (see the sandbox contract in HELPERS.md).

        Values are stored as HubSpot would store them; unknown properties and dangling
        associations raise ``ValueError`` naming the record, so fixture mistakes surface early.
        Enumeration options are not enforced here (fixtures may hold legacy values).
        ``now`` anchors the store's clock (see :meth:`anchor`) and stamps records that carry
        no ``createdate``/``hs_lastmodifieddate``.
        """
        from sandbox.hubspot.loading import load_fixture

        store = cls(include_tool_properties=include_tool_properties)
        if now is not None:
            store.anchor(now)
        load_fixture(store, objects, owners, store.now_ms())
        return store

    # -- time and ids ------------------------------------------------------------------
    def anchor(self, now: datetime) -> None:
        """Make the store's clock read ``now`` at this moment and advance in real time."""
        offset = now.timestamp() - time.time()
        self.clock = lambda: time.time() + offset

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def reserve_ids(self, highest: int) -> None:
        self._next_id = max(self._next_id, highest)

    # -- schema -------------------------------------------------------------------------
    def prop(self, object_type: str, name: str) -> PropertyDef | None:
        found = self.properties[object_type].get(name)
        return found if found is not None and not found.archived else None

    def unique_properties(self, object_type: str) -> list[str]:
        names = [p.name for p in self.properties[object_type].values() if p.has_unique_value]
        if object_type == "contacts":
            names.append("email")  # HubSpot keys contacts by email (upsert, 409 on duplicates)
        return [n for n in names if self.prop(object_type, n) is not None]

    def add_property(self, object_type: str, definition: PropertyDef) -> None:
        self.properties[object_type][definition.name] = definition
        if definition.has_unique_value:
            self.tables[object_type].index_unique(definition.name)
        self.schema_version += 1

    def archive_property(self, object_type: str, name: str, now_ms: int) -> None:
        definition = self.properties[object_type][name]
        definition.archived = True
        definition.archived_at = now_ms
        self.tables[object_type].unique.pop(name, None)
        self.schema_version += 1

    def drop_property(self, object_type: str, name: str) -> bool:
        """Schema drift: the property and its values disappear entirely."""
        if self.properties[object_type].pop(name, None) is None:
            return False
        self.tables[object_type].drop_property(name)
        self.schema_version += 1
        return True

    def remove_tool_properties(self) -> None:
        """A portal where ``partnerpulse setup`` has not run: no ``pp_*`` properties or group."""
        for object_type, specs in TOOL_SPECS.items():
            for name, *_ in specs:
                self.drop_property(object_type, name)
            self.groups[object_type].pop(TOOL_GROUP, None)
        self.schema_version += 1

    def add_group(self, object_type: str, group: GroupDef) -> None:
        self.groups[object_type][group.name] = group
        self.schema_version += 1

    # -- values -------------------------------------------------------------------------
    def check(
        self, object_type: str, values: Mapping[str, Any]
    ) -> tuple[dict[str, Stored | None], list[ValueIssue]]:
        """Stored forms of written values, or every reason HubSpot would refuse them."""
        stored: dict[str, Stored | None] = {}
        issues: list[ValueIssue] = []
        for name, raw in values.items():
            definition = self.prop(object_type, name)
            if definition is None:
                issues.append(
                    ValueIssue(name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist')
                )
                continue
            value, issue = definition.coerce(raw)
            if issue is not None:
                issues.append(issue)
                continue
            if isinstance(value, str) and definition.type in _INTERNED_TYPES:
                value = sys.intern(value)
            stored[sys.intern(name)] = value
        return stored, issues

    @staticmethod
    def missing_required(object_type: str, values: Mapping[str, Any]) -> list[ValueIssue]:
        """Engagements need ``hs_timestamp`` on create (HubSpot's engagement docs) [code name
        unverified]."""
        if object_type in ENGAGEMENTS and values.get("hs_timestamp") in (None, ""):
            return [
                ValueIssue(
                    "hs_timestamp", "REQUIRED_PROPERTY", 'Property "hs_timestamp" is required'
                )
            ]
        return []

    def value(self, object_type: str, record: Record, definition: PropertyDef) -> Stored | None:
        """A record's stored value of one property, system properties included."""
        source = definition.source
        if source is None:
            return record.props.get(definition.name)
        if source == "id":
            return str(record.id)
        if source == "created":
            return record.created
        if source == "updated":
            return record.updated
        stage = record.props.get("dealstage")
        if source == "closed_won":
            return "true" if stage == "closedwon" else "false"
        return "true" if stage in CLOSED_DEAL_STAGES else "false"

    def conflict(
        self, object_type: str, values: Mapping[str, Stored | None], own_id: int | None = None
    ) -> tuple[str, int] | None:
        """(property, existing id) when a unique value is already held by another live record."""
        table = self.tables[object_type]
        for name in self.unique_properties(object_type):
            value = values.get(name)
            if value is None:
                continue
            holder = table.unique.get(name, {}).get(str(value))
            if holder is not None and holder != own_id:
                return name, holder
        return None

    def find_by(self, object_type: str, id_property: str | None, key: str) -> Record | None:
        """A live record by id, or by the value of a unique property."""
        table = self.tables[object_type]
        if id_property in (None, "", "hs_object_id"):
            return table.live(int(key)) if key.isdigit() else None
        holder = table.unique.get(id_property or "", {}).get(key)
        return table.live(holder) if holder is not None else None

    # -- writes (values already checked) ----------------------------------------------------
    def create(
        self,
        object_type: str,
        values: Mapping[str, Stored | None],
        *,
        record_id: int | None = None,
        created: int | None = None,
        updated: int | None = None,
    ) -> Record:
        now = self.now_ms()
        props = {k: v for k, v in values.items() if v is not None}
        record = Record(
            record_id if record_id is not None else self.new_id(),
            props,
            created if created is not None else now,
            updated if updated is not None else now,
        )
        if record_id is not None:
            self.reserve_ids(record_id)
        self.tables[object_type].add(record)
        return record

    def update(
        self,
        object_type: str,
        record: Record,
        values: Mapping[str, Stored | None],
        stamp: int | None = None,
    ) -> None:
        table = self.tables[object_type]
        for name, value in values.items():
            table.set_value(record, name, value)
        table.touch(record, self.now_ms() if stamp is None else stamp)

    def archive(self, object_type: str, record: Record) -> None:
        self.tables[object_type].archive(record, self.now_ms())

    def associate(
        self,
        from_type: str,
        from_id: int,
        to_type: str,
        to_id: int,
        types: Sequence[AssocType] = (),
    ) -> None:
        self.associations.add(from_type, from_id, to_type, to_id, types)

    @staticmethod
    def can_associate(from_type: str, to_type: str) -> bool:
        return (from_type, to_type) in DEFAULT_TYPE_ID

    @staticmethod
    def object_type(name: str) -> str | None:
        return resolve_type(name)
