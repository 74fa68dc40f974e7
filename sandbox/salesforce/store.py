"""The sandbox Salesforce's data: every object's table, the clock, ids and the write primitives.

Writes here take already-typed values (see ``values.coerce``); API validation lives in
``writes``. One re-entrant lock guards every change; readers get whole record lists that are
never changed in place. The clock starts at ``now`` (the fixture's "present") and runs on
from there in real time, so records written later always carry later stamps.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.salesforce.derived import derive
from sandbox.salesforce.ids import IdFactory, is_valid_id, normalize_id
from sandbox.salesforce.objects import build_schemas
from sandbox.salesforce.schema import ObjectSchema, Record
from sandbox.salesforce.table import ObjectTable
from sandbox.salesforce.values import format_datetime

AUDIT_FIELDS = ("CreatedDate", "LastModifiedDate", "SystemModstamp")
# Fixture load order: parents before the records whose derived fields look them up.
LOAD_ORDER = ("User", "Account", "Contact", "Opportunity", "Case", "Task", "Event")


class SalesforceStore:
    """All records of one sandbox org."""

    def __init__(
        self, schemas: Mapping[str, ObjectSchema] | None = None, now: datetime | None = None
    ) -> None:
        self.schemas = dict(schemas or build_schemas())
        self.tables = {name: ObjectTable(schema) for name, schema in self.schemas.items()}
        self._names = {name.lower(): name for name in self.schemas}
        self._prefixes = {schema.key_prefix: name for name, schema in self.schemas.items()}
        self.lock = threading.RLock()
        anchor = now or datetime.now(UTC)
        self._anchor = anchor if anchor.tzinfo else anchor.replace(tzinfo=UTC)
        self._started = time.monotonic()
        self._clock: Callable[[], datetime] | None = None
        self.ids = IdFactory(taken=lambda i: self.lookup(i) is not None)
        self._case_numbers = itertools.count(1001)
        self.api_user_id = ""

    # -- clock ---------------------------------------------------------------------------
    def now(self) -> datetime:
        if self._clock is not None:
            return self._clock()
        return self._anchor + timedelta(seconds=time.monotonic() - self._started)

    def now_str(self) -> str:
        return format_datetime(self.now())

    def set_clock(self, clock: Callable[[], datetime] | None) -> None:
        """Replace the running clock (tests); None restores it."""
        self._clock = clock

    # -- lookups -------------------------------------------------------------------------
    def object_name(self, name: str) -> str | None:
        """The canonical sObject name for a case-insensitive one, or None."""
        return self._names.get(name.lower())

    def table(self, name: str) -> ObjectTable:
        return self.tables[name]

    def object_of_id(self, record_id: str) -> str | None:
        return self._prefixes.get(record_id[:3])

    def lookup(self, record_id: str) -> tuple[str, Record] | None:
        """(object, record) for any id of any object, deleted or not."""
        obj = self._prefixes.get(record_id[:3])
        if obj is None:
            return None
        rec = self.tables[obj].by_id.get(record_id)
        return (obj, rec) if rec is not None else None

    # -- writes --------------------------------------------------------------------------
    def insert(
        self,
        obj: str,
        values: Mapping[str, Any],
        *,
        stamp: str | None = None,
        given: Collection[str] = (),
    ) -> Record:
        """Add a record; system fields, defaults and derived fields are filled in."""
        with self.lock:
            rec = self.build(obj, values, stamp=stamp, given=given)
            self.tables[obj].put(rec)
            return rec

    def build(
        self,
        obj: str,
        values: Mapping[str, Any],
        *,
        stamp: str | None = None,
        given: Collection[str] = (),
    ) -> Record:
        """A complete new record (not yet stored): defaults, system and derived fields set."""
        schema = self.schemas[obj]
        rec: Record = [None] * schema.width
        for f in schema.all_fields:
            if f.default is not None:
                rec[schema.slots[f.name]] = f.default
        for name, value in values.items():
            rec[schema.slots[name]] = value
        rec[0] = values.get("Id") or self.ids.new(schema.key_prefix)
        self._fill_system(obj, schema, rec, stamp or self.now_str(), given)
        derive(
            obj,
            schema,
            rec,
            previous=None,
            now=rec[schema.slots["SystemModstamp"]],
            lookup=self.lookup,
            schemas=self.schemas,
            given=given,
        )
        return rec

    def _fill_system(
        self, obj: str, schema: ObjectSchema, rec: Record, stamp: str, given: Collection[str]
    ) -> None:
        slots = schema.slots
        present = [rec[slots[n]] for n in AUDIT_FIELDS if n in given and rec[slots[n]]]
        latest = max(present) if present else stamp
        earliest = min(present) if present else stamp
        for name, value in (("CreatedDate", earliest), ("LastModifiedDate", latest)):
            if rec[slots[name]] is None:
                rec[slots[name]] = value
        if rec[slots["SystemModstamp"]] is None:
            rec[slots["SystemModstamp"]] = max(rec[slots["LastModifiedDate"]], latest)
        for name in ("CreatedById", "LastModifiedById", "OwnerId"):
            if name in slots and rec[slots[name]] is None:
                rec[slots[name]] = self.api_user_id or None
        if "IsDeleted" in slots and rec[slots["IsDeleted"]] is None:
            rec[slots["IsDeleted"]] = False
        if obj == "Case" and rec[slots["CaseNumber"]] is None:
            rec[slots["CaseNumber"]] = f"{next(self._case_numbers):08d}"

    def update(
        self, obj: str, record_id: str, values: Mapping[str, Any], *, stamp: str | None = None
    ) -> Record:
        """Change fields of a record (a new list replaces the old) and bump its stamps."""
        schema = self.schemas[obj]
        with self.lock:
            old = self.tables[obj].by_id[record_id]
            rec = list(old)
            for name, value in values.items():
                rec[schema.slots[name]] = value
            now = stamp or self.now_str()
            for name in ("LastModifiedDate", "SystemModstamp"):
                rec[schema.slots[name]] = now
            if self.api_user_id:
                rec[schema.slots["LastModifiedById"]] = self.api_user_id
            derive(
                obj, schema, rec, previous=old, now=now, lookup=self.lookup, schemas=self.schemas
            )
            self.tables[obj].put(rec)
            return rec

    def delete(self, obj: str, record_id: str, *, stamp: str | None = None) -> bool:
        """Soft delete (to the recycle bin): IsDeleted true, SystemModstamp bumped."""
        schema = self.schemas[obj]
        with self.lock:
            old = self.tables[obj].by_id.get(record_id)
            slot = schema.slots.get("IsDeleted")
            if old is None or slot is None or old[slot]:
                return False
            rec = list(old)
            rec[slot] = True
            rec[schema.slots["SystemModstamp"]] = stamp or self.now_str()
            self.tables[obj].put(rec)
            return True

    def drop_field(self, obj: str, field: str) -> bool:
        with self.lock:
            return self.schemas[obj].drop(field)

    def ensure_api_user(self) -> str:
        """The user API calls run as: the first active User, created when there is none."""
        with self.lock:
            if self.api_user_id:
                return self.api_user_id
            users = self.tables["User"].by_id.values()
            active = self.schemas["User"].slots["IsActive"]
            chosen = next((u[0] for u in users if u[active]), None)
            if chosen is None:
                chosen = self.ids.new(self.schemas["User"].key_prefix)
                self.insert(
                    "User",
                    {
                        "Id": chosen,
                        "Username": "integration@sandbox.partnerpulse.invalid",
                        "LastName": "Integration",
                        "FirstName": "Sandbox",
                        "Email": "integration@sandbox.partnerpulse.invalid",
                        "IsActive": True,
                    },
                )
            self.api_user_id = chosen
            return chosen

    # -- fixtures ------------------------------------------------------------------------
    @classmethod
    def from_records(
        cls,
        objects: Mapping[str, Sequence[Mapping[str, Any]]],
        now: datetime | None = None,
        *,
        include_tool_fields: bool = True,
    ) -> SalesforceStore:
        """A store holding fixture records (flat dicts keyed by API field names)."""
        from sandbox.salesforce.fixtures import load_fixture

        store = cls(now=now)
        load_fixture(store, objects)
        if not include_tool_fields:
            store.drop_tool_fields()
        return store

    def drop_tool_fields(self) -> None:
        """Remove the fields PartnerPulse writes (an org where ``setup`` has work to do)."""
        for name, schema in self.schemas.items():
            for f in [f for f in schema.fields.values() if f.tool]:
                self.drop_field(name, f.name)

    def valid_id_for(self, obj: str, value: str) -> str | None:
        """The 18-char id if ``value`` is a well-formed id of ``obj``, else None."""
        if not is_valid_id(value):
            return None
        canonical = normalize_id(value)
        return canonical if canonical[:3] == self.schemas[obj].key_prefix else None
