"""HubSpot object types, their numeric ids, and the HUBSPOT_DEFINED association type ids.

The type ids (``0-2`` companies, ``0-27`` tasks, ...) and association type ids are the ones
in hubspot-api-client 12.0.0 (``hubspot/crm/association_type.py``) and HubSpot's docs.
"""

from __future__ import annotations

OBJECT_TYPES: tuple[str, ...] = (
    "companies",
    "contacts",
    "deals",
    "tickets",
    "calls",
    "emails",
    "meetings",
    "notes",
    "tasks",
)
ENGAGEMENTS = frozenset({"calls", "emails", "meetings", "notes", "tasks"})

TYPE_IDS: dict[str, str] = {
    "contacts": "0-1",
    "companies": "0-2",
    "deals": "0-3",
    "tickets": "0-5",
    "tasks": "0-27",
    "calls": "0-48",
    "emails": "0-49",
    "notes": "0-46",
    "meetings": "0-47",
}

SINGULAR: dict[str, str] = {
    "companies": "company",
    "contacts": "contact",
    "deals": "deal",
    "tickets": "ticket",
    "calls": "call",
    "emails": "email",
    "meetings": "meeting",
    "notes": "note",
    "tasks": "task",
}

_ALIASES: dict[str, str] = {
    **{name: name for name in OBJECT_TYPES},
    **{type_id: name for name, type_id in TYPE_IDS.items()},
    **{single: name for name, single in SINGULAR.items()},
}


def resolve_type(name: str) -> str | None:
    """The plural name for ``companies``, ``company``, ``0-2``, ``COMPANY``; None if unknown."""
    return _ALIASES.get(name) or _ALIASES.get(name.lower())


# (from, to) -> the unlabelled HUBSPOT_DEFINED association type id.
_PAIRS: tuple[tuple[str, str, int, int], ...] = (
    ("deals", "contacts", 3, 4),
    ("contacts", "tickets", 15, 16),
    ("deals", "tickets", 27, 28),
    ("companies", "calls", 181, 182),
    ("companies", "emails", 185, 186),
    ("companies", "meetings", 187, 188),
    ("companies", "notes", 189, 190),
    ("companies", "tasks", 191, 192),
    ("contacts", "calls", 193, 194),
    ("contacts", "emails", 197, 198),
    ("contacts", "meetings", 199, 200),
    ("contacts", "notes", 201, 202),
    ("contacts", "tasks", 203, 204),
    ("deals", "calls", 205, 206),
    ("deals", "emails", 209, 210),
    ("deals", "meetings", 211, 212),
    ("deals", "notes", 213, 214),
    ("deals", "tasks", 215, 216),
    ("tickets", "calls", 219, 220),
    ("tickets", "emails", 223, 224),
    ("tickets", "meetings", 225, 226),
    ("tickets", "notes", 227, 228),
    ("tickets", "tasks", 229, 230),
    ("contacts", "companies", 279, 280),
    ("tickets", "companies", 339, 340),
    ("deals", "companies", 341, 342),
    ("calls", "meetings", 399, 400),
)
# Labelled "primary" HUBSPOT_DEFINED types: (from, to, type id, reverse id, label).
_PRIMARY: tuple[tuple[str, str, int, int, str], ...] = (
    ("contacts", "companies", 1, 2, "Primary"),
    ("deals", "companies", 5, 6, "Primary"),
    ("tickets", "companies", 26, 25, "Primary"),
)

DEFAULT_TYPE_ID: dict[tuple[str, str], int] = {}
REVERSE_TYPE_ID: dict[int, int] = {}
TYPE_ID_PAIR: dict[int, tuple[str, str]] = {}
TYPE_LABEL: dict[int, str] = {}
for _a, _b, _ab, _ba in _PAIRS:
    DEFAULT_TYPE_ID[(_a, _b)] = _ab
    DEFAULT_TYPE_ID[(_b, _a)] = _ba
    REVERSE_TYPE_ID[_ab] = _ba
    REVERSE_TYPE_ID[_ba] = _ab
    TYPE_ID_PAIR[_ab] = (_a, _b)
    TYPE_ID_PAIR[_ba] = (_b, _a)
for _a, _b, _ab, _ba, _label in _PRIMARY:
    REVERSE_TYPE_ID[_ab] = _ba
    REVERSE_TYPE_ID[_ba] = _ab
    TYPE_ID_PAIR[_ab] = (_a, _b)
    TYPE_ID_PAIR[_ba] = (_b, _a)
    TYPE_LABEL[_ab] = _label
    TYPE_LABEL[_ba] = _label


def v3_association_name(from_type: str, to_type: str, type_id: int) -> str:
    """The v3 ``type`` string of an association (``task_to_company``), as list/get return it."""
    base = f"{SINGULAR[from_type]}_to_{SINGULAR[to_type]}"
    return base if DEFAULT_TYPE_ID.get((from_type, to_type)) == type_id else f"{base}_{type_id}"
