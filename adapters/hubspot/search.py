"""THE HubSpot search-filter builder: the only place a value enters a search request.

Values are bound as values: each lands in a filter's ``value`` / ``values`` / ``highValue``
JSON field, serialised by ``json`` — never spliced into a string HubSpot parses (the
free-text ``query`` is never used), so ``x' OR Name != '`` stays the literal text it is.
Property names are checked against HubSpot's name syntax, operators against the API's
enum, and datetimes become epoch milliseconds (search compares at millisecond precision;
crm-api.md §8.4).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from hubspot.crm.objects import Filter, FilterGroup, PublicObjectSearchRequest

Operator = Literal[
    "EQ",
    "NEQ",
    "LT",
    "LTE",
    "GT",
    "GTE",
    "BETWEEN",
    "IN",
    "NOT_IN",
    "HAS_PROPERTY",
    "NOT_HAS_PROPERTY",
    "CONTAINS_TOKEN",
    "NOT_CONTAINS_TOKEN",
]
OPERATORS: frozenset[str] = frozenset(Operator.__args__)  # type: ignore[attr-defined]
_PROPERTY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,99}$")
MAX_LIMIT = 200
MAX_FILTERS_PER_GROUP = 6
RESULT_CAP = 10_000  # HubSpot refuses `after` + limit beyond this; we page by id instead

Value = str | int | datetime
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def epoch_ms(moment: datetime) -> int:
    """Milliseconds since the epoch for a timezone-aware datetime (truncated, not rounded)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("search datetimes must be timezone-aware")
    return (moment - EPOCH) // _MS


def bind(value: Value) -> str:
    """A value as HubSpot's filter takes it: a string, with datetimes as epoch-ms."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return str(epoch_ms(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"cannot bind {type(value).__name__} as a HubSpot filter value")


def prop(name: str) -> str:
    if not _PROPERTY.match(name):
        raise ValueError(f"{name!r} is not a HubSpot property name")
    return name


def condition(
    name: str,
    operator: Operator,
    value: Value | None = None,
    *,
    values: Sequence[Value] | None = None,
    high: Value | None = None,
) -> dict[str, Any]:
    """One filter, as HubSpot's JSON has it."""
    if operator not in OPERATORS:
        raise ValueError(f"{operator!r} is not a HubSpot search operator")
    out: dict[str, Any] = {"propertyName": prop(name), "operator": operator}
    if operator in ("IN", "NOT_IN"):
        if not values:
            raise ValueError(f"{operator} needs values")
        out["values"] = [bind(v) for v in values]
    elif operator in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
        pass
    else:
        if value is None:
            raise ValueError(f"{operator} needs a value")
        out["value"] = bind(value)
        if operator == "BETWEEN":
            if high is None:
                raise ValueError("BETWEEN needs a high value")
            out["highValue"] = bind(high)
    return out


@dataclass(frozen=True)
class Search:
    """One search request: filters AND-ed in one group, one sort, a page size."""

    filters: tuple[dict[str, Any], ...] = ()
    properties: tuple[str, ...] = ()
    sort: str = "hs_object_id"
    ascending: bool = True
    limit: int = MAX_LIMIT
    after: str | None = None

    def body(self) -> dict[str, Any]:
        """The JSON body HubSpot receives."""
        if not 1 <= self.limit <= MAX_LIMIT:
            raise ValueError(f"search limit must be 1..{MAX_LIMIT}")
        if len(self.filters) > MAX_FILTERS_PER_GROUP:
            raise ValueError(f"at most {MAX_FILTERS_PER_GROUP} filters in one group")
        body: dict[str, Any] = {
            "filterGroups": [{"filters": [dict(f) for f in self.filters]}] if self.filters else [],
            "sorts": [
                {
                    "propertyName": prop(self.sort),
                    "direction": "ASCENDING" if self.ascending else "DESCENDING",
                }
            ],
            "properties": [prop(p) for p in self.properties],
            "limit": self.limit,
        }
        if self.after is not None:
            body["after"] = bind(self.after)
        return body

    def request(self) -> Any:
        """The SDK's ``PublicObjectSearchRequest`` for :meth:`body` (operators validated by
        the client's own enum as well)."""
        body = self.body()
        groups = [
            FilterGroup(
                filters=[
                    Filter(
                        property_name=f["propertyName"],
                        operator=f["operator"],
                        value=f.get("value"),
                        values=f.get("values"),
                        high_value=f.get("highValue"),
                    )
                    for f in group["filters"]
                ]
            )
            for group in body["filterGroups"]
        ]
        return PublicObjectSearchRequest(
            filter_groups=groups,
            sorts=body["sorts"],
            properties=body["properties"],
            limit=body["limit"],
            after=body.get("after"),
        )


STAMP = "hs_lastmodifieddate"
OBJECT_ID = "hs_object_id"


def window(
    since: datetime | None, until: datetime | None, after_id: str | None
) -> tuple[dict[str, Any], ...]:
    """Filters for records modified in [since, until] with an id above ``after_id``
    (keyset paging by ``hs_object_id``: the 10,000-result cap never applies)."""
    filters: list[dict[str, Any]] = []
    if since is not None:
        filters.append(condition(STAMP, "GTE", since))
    if until is not None:
        filters.append(condition(STAMP, "LTE", until))
    if after_id is not None:
        filters.append(condition(OBJECT_ID, "GT", object_id(after_id)))
    return tuple(filters)


def object_id(value: str) -> int:
    """A HubSpot record id, checked to be one (digits), as the number search compares."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 30:
        raise ValueError(f"{value!r} is not a HubSpot record id")
    return int(text)
