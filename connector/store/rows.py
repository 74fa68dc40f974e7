"""Canonical records to table rows (reading back is ``decode.py``), and which table keeps
which record type.

This is the hot path of a pull, so a row is a plain tuple built straight from the frozen
model's attributes (no per-row ``model_dump``), with values already in the form the
driver sends (:class:`RowFormat`). Conventions:

- money (``Deal.amount``) is integer cents, rounded half-even (banker's rounding, so a
  column of half-cents does not drift upwards); read back as ``Decimal`` with 2 places;
- KPI target/actual are floats (the schema's choice: ratios, not money); read back as
  the shortest ``Decimal`` that round-trips the float;
- a record's ``owner`` and ``partner`` are stored by id only: they are in the record's
  own system. ``mirror_of`` keeps its system.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import RowMapping, Table

from connector.model import (
    Activity,
    AnyRecord,
    Deal,
    Issue,
    KpiReading,
    Owner,
    PartnerRecord,
    Record,
    SourceRef,
    SurveyAnswer,
)
from connector.store import decode, tables

R = TypeVar("R", bound=Record)
Values = tuple[Any, ...]

_CENT = Decimal(1)
_HUNDRED = Decimal(100)


def to_cents(amount: Decimal | None) -> int | None:
    """``Decimal("12.345")`` → ``1234`` (half-even); None stays None."""
    if amount is None:
        return None
    return int((amount * _HUNDRED).quantize(_CENT, rounding=ROUND_HALF_EVEN))


_STAMP = "%04d-%02d-%02d %02d:%02d:%02d.%06d"  # SQLAlchemy's SQLite DATETIME storage format


def sqlite_stamp(value: datetime | None) -> str | None:
    """Aware datetime → the naive-UTC text SQLAlchemy stores in SQLite (sorts as time)."""
    if value is None:
        return None
    if value.tzinfo is not UTC:  # canonical records are UTC already; anything else converts
        value = value.astimezone(UTC)
    # %-formatting measured a third faster than isoformat(" ", "microseconds") here.
    return _STAMP % (
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
    )


def iso_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class RowFormat:
    """How rows are built for one database.

    Datetimes and dates: psycopg takes them as they are; SQLite takes the text
    SQLAlchemy's own types would write, so both paths read back alike. ``unique``:
    PostgreSQL upserts a page with one ``INSERT ... SELECT``, which may not touch a key
    twice, and rows in key order keep overlapping writers from deadlocking; SQLite
    steps through the rows in page order, where the upsert's "not older" rule already
    makes the newest (then the last) duplicate win.
    """

    stamp: Callable[[datetime | None], Any]
    day: Callable[[date | None], Any]
    unique: bool


POSTGRESQL = RowFormat(stamp=_same, day=_same, unique=True)
SQLITE = RowFormat(stamp=sqlite_stamp, day=iso_date, unique=False)


def _id(ref: SourceRef | None) -> str | None:
    return None if ref is None else ref.id


def _owner(r: Owner, e: RowFormat) -> Values:
    return (r.name, r.email, r.active)


def _partner(r: PartnerRecord, e: RowFormat) -> Values:
    return (
        r.name,
        r.domain,
        _id(r.owner),
        r.is_partner,
        e.day(r.partner_since),
        e.day(r.partner_end),
        e.stamp(r.created_at),
        r.unique_resources,
        r.linked_salesforce_id,
        json.dumps(r.tags),
    )


def _activity(r: Activity, e: RowFormat) -> Values:
    kind = r.kind._value_  # the plain str; Enum.value is a slow descriptor
    return (
        _id(r.partner),
        kind,
        e.stamp(r.occurred_at),
        _id(r.owner),
        r.subject,
        r.task_key,
        r.is_open,
    )


def _deal(r: Deal, e: RowFormat) -> Values:
    m = r.mirror_of
    return (
        _id(r.partner),
        r.name,
        to_cents(r.amount),
        e.day(r.close_date),
        r.won,
        r.closed,
        None if m is None else m.system,
        None if m is None else m.id,
    )


def _issue(r: Issue, e: RowFormat) -> Values:
    m = r.mirror_of
    return (
        _id(r.partner),
        r.subject,
        e.stamp(r.opened_at),
        r.closed,
        e.stamp(r.closed_at),
        None if m is None else m.system,
        None if m is None else m.id,
    )


def _survey(r: SurveyAnswer, e: RowFormat) -> Values:
    return (r.partner.id, r.score, e.day(r.answered_on))


def _kpi(r: KpiReading, e: RowFormat) -> Values:
    return (r.partner.id, float(r.target), float(r.actual))


BASE_COLUMNS = ("workspace", "system", "source_id", "stream", "modified_at", "deleted", "run_id")


@dataclass(frozen=True, eq=False)
class Kind(Generic[R]):
    """How one record type is stored: its table, its own columns (after
    :data:`BASE_COLUMNS`) in the order ``values`` returns them, and the way back."""

    table: Table
    columns: tuple[str, ...]
    values: Callable[[R, RowFormat], Values]
    from_row: Callable[[RowMapping], R]

    @property
    def all_columns(self) -> tuple[str, ...]:
        return BASE_COLUMNS + self.columns

    def __post_init__(self) -> None:
        if set(self.all_columns) != set(self.table.c.keys()):  # tables.py moved: fail at import
            raise RuntimeError(f"rows.py does not match the columns of table {self.table.name}")


KINDS: dict[type[Record], Kind[Any]] = {
    Owner: Kind(tables.owners, ("name", "email", "active"), _owner, decode.owner),
    PartnerRecord: Kind(
        tables.partners,
        (
            "name",
            "domain",
            "owner_id",
            "is_partner",
            "partner_since",
            "partner_end",
            "created_at",
            "unique_resources",
            "linked_salesforce_id",
            "tags",
        ),
        _partner,
        decode.partner,
    ),
    Activity: Kind(
        tables.activities,
        ("partner_source_id", "kind", "occurred_at", "owner_id", "subject", "task_key", "is_open"),
        _activity,
        decode.activity,
    ),
    Deal: Kind(
        tables.deals,
        (
            "partner_source_id",
            "name",
            "amount_cents",
            "close_date",
            "won",
            "closed",
            "mirror_system",
            "mirror_id",
        ),
        _deal,
        decode.deal,
    ),
    Issue: Kind(
        tables.issues,
        (
            "partner_source_id",
            "subject",
            "opened_at",
            "closed",
            "closed_at",
            "mirror_system",
            "mirror_id",
        ),
        _issue,
        decode.issue,
    ),
    SurveyAnswer: Kind(
        tables.surveys, ("partner_source_id", "score", "answered_on"), _survey, decode.survey
    ),
    KpiReading: Kind(tables.kpis, ("partner_source_id", "target", "actual"), _kpi, decode.kpi),
}


def kind_of(record_type: type[R]) -> Kind[R]:
    """The storage of ``record_type``; a type the store does not know is a programming error."""
    kind = KINDS.get(record_type)
    if kind is None:
        raise TypeError(f"the store does not keep {record_type.__name__} records")
    return cast("Kind[R]", kind)


def _newest_in_key_order(records: Sequence[AnyRecord]) -> list[AnyRecord]:
    """One record per ref (the newest, then the last), sorted by (system, id)."""
    latest: dict[tuple[type[Record], str, str], AnyRecord] = {}
    for record in records:
        ref_key = (type(record), record.ref.system, record.ref.id)
        seen = latest.get(ref_key)
        if seen is None or record.modified_at >= seen.modified_at:
            latest[ref_key] = record
    return [latest[k] for k in sorted(latest, key=lambda k: (k[1], k[2]))]


def rows_by_kind(
    records: Sequence[AnyRecord],
    workspace: str,
    stream: str,
    run_id: str | None,
    fmt: RowFormat,
) -> dict[Kind[Any], list[Values]]:
    """Rows (tuples in ``Kind.all_columns`` order) grouped by kind, as ``fmt`` wants them."""
    stamp = fmt.stamp
    grouped: dict[Kind[Any], list[Values]] = {}
    for record in _newest_in_key_order(records) if fmt.unique else records:
        kind = KINDS.get(type(record)) or kind_of(type(record))
        rows = grouped.get(kind)
        if rows is None:
            rows = grouped[kind] = []
        ref = record.ref
        base = (
            workspace,
            ref.system,
            ref.id,
            stream,
            stamp(record.modified_at),
            record.deleted,
            run_id,
        )
        rows.append(base + kind.values(record, fmt))
    return grouped
