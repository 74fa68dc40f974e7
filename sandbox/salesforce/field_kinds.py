"""Constructors for the field tables: one short call per kind of Salesforce field."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sandbox.salesforce.schema import Field


def ro(name: str, type_: str, label: str, **kw: Any) -> Field:
    return Field(name, type_, label, createable=False, updateable=False, **kw)


def text(name: str, length: int, label: str = "", **kw: Any) -> Field:
    return Field(name, kw.pop("type", "string"), label, length=length, **kw)


def pick(name: str, values: tuple[str, ...], label: str = "", **kw: Any) -> Field:
    return Field(name, "picklist", label, length=255, picklist=values, **kw)


def ref(name: str, to: tuple[str, ...], rel: str, label: str, **kw: Any) -> Field:
    return Field(name, "reference", label, length=18, reference_to=to, relationship=rel, **kw)


def num(
    name: str, label: str = "", type_: str = "double", p: int = 18, s: int = 2, **kw: Any
) -> Field:
    return Field(name, type_, label, precision=p, scale=s, **kw)


def boolean(name: str, label: str = "", **kw: Any) -> Field:
    return Field(name, "boolean", label, nillable=False, default=kw.pop("default", False), **kw)


def date_field(name: str, label: str = "", **kw: Any) -> Field:
    return Field(name, "date", label, **kw)


def datetime_field(name: str, label: str = "", **kw: Any) -> Field:
    return Field(name, "datetime", label, **kw)


def custom(f: Field, *, tool: bool = False) -> Field:
    return replace(f, custom=True, tool=tool)


def head(obj: str, *, deletable: bool = True) -> list[Field]:
    fields = [ro("Id", "id", f"{obj} ID", length=18, nillable=False)]
    if deletable:
        fields.append(ro("IsDeleted", "boolean", "Deleted", nillable=False, default=False))
    return fields


def owner() -> Field:
    return ref("OwnerId", ("User",), "Owner", "Owner ID", nillable=False)


def audit() -> list[Field]:
    return [
        ro("CreatedDate", "datetime", "Created Date", nillable=False),
        ro(
            "CreatedById",
            "reference",
            "Created By ID",
            length=18,
            nillable=False,
            reference_to=("User",),
            relationship="CreatedBy",
        ),
        ro("LastModifiedDate", "datetime", "Last Modified Date", nillable=False),
        ro(
            "LastModifiedById",
            "reference",
            "Last Modified By ID",
            length=18,
            nillable=False,
            reference_to=("User",),
            relationship="LastModifiedBy",
        ),
        ro("SystemModstamp", "datetime", "System Modstamp", nillable=False),
    ]


ADDRESS_KEYS = (
    ("city", "City"),
    ("country", "Country"),
    ("geocodeAccuracy", "GeocodeAccuracy"),
    ("latitude", "Latitude"),
    ("longitude", "Longitude"),
    ("postalCode", "PostalCode"),
    ("state", "State"),
    ("street", "Street"),
)


def address(prefix: str, label: str) -> list[Field]:
    compound = f"{prefix}Address"
    return [
        text(f"{prefix}Street", 255, f"{label} Street", type="textarea", compound=compound),
        text(f"{prefix}City", 40, f"{label} City", compound=compound),
        text(f"{prefix}State", 80, f"{label} State/Province", compound=compound),
        text(f"{prefix}PostalCode", 20, f"{label} Zip/Postal Code", compound=compound),
        text(f"{prefix}Country", 80, f"{label} Country", compound=compound),
        num(f"{prefix}Latitude", f"{label} Latitude", p=18, s=15, compound=compound),
        num(f"{prefix}Longitude", f"{label} Longitude", p=18, s=15, compound=compound),
        pick(
            f"{prefix}GeocodeAccuracy",
            (
                "Address",
                "NearAddress",
                "Block",
                "Street",
                "ExtendedZip",
                "Zip",
                "Neighborhood",
                "City",
                "County",
                "State",
                "Unknown",
            ),
            f"{label} Geocode Accuracy",
            restricted=True,
            compound=compound,
        ),
        ro(
            compound,
            "address",
            f"{label} Address",
            filterable=False,
            sortable=False,
            components=tuple((key, f"{prefix}{suffix}") for key, suffix in ADDRESS_KEYS),
        ),
    ]
