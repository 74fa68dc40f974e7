"""The sandbox's schema model: one :class:`ObjectSchema` per sObject, built from field tables.

Records are stored as lists indexed by a field's *slot* (cheaper than a dict per record for
600,000 records). Dropping a field (schema drift) hides it from describe, SOQL and writes but
keeps its slot, so stored records need not change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

Record = list[Any]


@dataclass(frozen=True)
class Field:
    """One field as describe reports it; the flags mean what Salesforce's describe flags mean."""

    name: str
    type: str
    label: str = ""
    length: int = 0
    custom: bool = False
    createable: bool = True
    updateable: bool = True
    nillable: bool = True
    required: bool = False  # create fails with REQUIRED_FIELD_MISSING when absent
    external_id: bool = False
    unique: bool = False
    picklist: tuple[str, ...] = ()
    restricted: bool = False
    default: Any = None
    reference_to: tuple[str, ...] = ()
    relationship: str | None = None
    calculated: bool = False
    compound: str | None = None  # compoundFieldName: the compound field this one belongs to
    components: tuple[tuple[str, str], ...] = ()  # address: (json key, component field)
    precision: int = 0
    scale: int = 0
    filterable: bool = True
    sortable: bool = True
    name_field: bool = False
    auto_number: bool = False
    tool: bool = False  # written by PartnerPulse; left out when include_tool_fields is off

    @property
    def display_label(self) -> str:
        return self.label or self.name.removesuffix("__c").replace("_", " ")


@dataclass
class ObjectSchema:
    """An sObject's fields, their storage slots and relationship names."""

    name: str
    key_prefix: str
    label: str
    label_plural: str
    all_fields: Sequence[Field]
    slots: dict[str, int] = field(init=False)
    fields: dict[str, Field] = field(init=False)
    _lower: dict[str, str] = field(init=False)
    _relationships: dict[str, Field] = field(init=False)

    def __post_init__(self) -> None:
        self.slots = {f.name: i for i, f in enumerate(self.all_fields)}
        self.fields = {f.name: f for f in self.all_fields}
        self._reindex()

    def _reindex(self) -> None:
        self._lower = {name.lower(): name for name in self.fields}
        self._relationships = {
            f.relationship.lower(): f for f in self.fields.values() if f.relationship
        }

    @property
    def width(self) -> int:
        return len(self.all_fields)

    def field(self, name: str) -> Field | None:
        """Case-insensitive lookup of a live (not dropped) field."""
        canonical = self._lower.get(name.lower())
        return self.fields[canonical] if canonical else None

    def relationship(self, name: str) -> Field | None:
        """The reference field behind a relationship name (``Owner`` → ``OwnerId``)."""
        return self._relationships.get(name.lower())

    def slot(self, name: str) -> int:
        return self.slots[name]

    def has(self, name: str) -> bool:
        return name in self.fields

    @property
    def name_field(self) -> str:
        return next((f.name for f in self.fields.values() if f.name_field), "Id")

    def drop(self, name: str) -> bool:
        """Schema drift: the field disappears. False if it did not exist."""
        canonical = self._lower.get(name.lower())
        if canonical is None or canonical == "Id":
            return False
        del self.fields[canonical]
        self._reindex()
        return True

    def external_id_fields(self) -> Iterable[Field]:
        return (f for f in self.fields.values() if f.external_id)
