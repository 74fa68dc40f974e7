"""Fixtures for scoring: a fixed ``as_of``, default settings, and a store to hand-build rows in
(SQLite file; the SQL tests also run on the PostgreSQL at 127.0.0.1:5432)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, insert, text

from connector.config.scoring import ScoringSettings
from connector.model import Grade, Segment, Snapshot, Tier
from connector.scoring import config_version
from connector.store import tables

AS_OF = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
WORKSPACE = "ws"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def as_of() -> datetime:
    return AS_OF


@pytest.fixture
def settings() -> ScoringSettings:
    return ScoringSettings()


class Rows:
    """Hand-built store rows: one method per table, sensible defaults for the rest."""

    def __init__(self, engine: Engine, workspace: str = WORKSPACE) -> None:
        self.engine = engine
        self.workspace = workspace
        self._n = 0

    def _id(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n:06d}"

    def _record(self, system: str, source_id: str, **values: Any) -> dict[str, Any]:
        return {
            "workspace": self.workspace,
            "system": system,
            "source_id": source_id,
            "stream": "test",
            "modified_at": AS_OF - timedelta(days=400),
            "deleted": False,
            **values,
        }

    def _insert(self, table: Any, row: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(table), row)

    def partner(
        self,
        system: str,
        source_id: str,
        partner_id: str | None = None,
        **values: Any,
    ) -> None:
        """A partner record and its link (to ``partner_id``, default ``P-<source_id>``)."""
        row = {
            "name": source_id,
            "is_partner": True,
            "unique_resources": False,
            "tags": {},
            **values,
        }
        self._insert(tables.partners, self._record(system, source_id, **row))
        self.link(system, source_id, partner_id or f"P-{source_id}")

    def link(self, system: str, source_id: str, partner_id: str) -> None:
        self._insert(
            tables.links,
            {
                "workspace": self.workspace,
                "system": system,
                "source_id": source_id,
                "partner_id": partner_id,
                "reason": "id_field",
                "detail": "",
                "confidence": 1.0,
                "linked_at": AS_OF - timedelta(days=400),
            },
        )

    def activity(
        self, system: str, account: str, kind: str, occurred_at: datetime, **values: Any
    ) -> str:
        source_id = values.pop("source_id", None) or self._id("a")
        row = {"partner_source_id": account, "kind": kind, "occurred_at": occurred_at}
        self._insert(tables.activities, self._record(system, source_id, **row, **values))
        return source_id

    def deal(
        self, system: str, account: str, amount_cents: int, close_date: date, **values: Any
    ) -> str:
        source_id = values.pop("source_id", None) or self._id("d")
        row = {
            "partner_source_id": account,
            "amount_cents": amount_cents,
            "close_date": close_date,
            "won": True,
            "closed": True,
            **values,
        }
        self._insert(tables.deals, self._record(system, source_id, **row))
        return source_id

    def issue(self, system: str, account: str, opened_at: datetime, **values: Any) -> str:
        source_id = values.pop("source_id", None) or self._id("i")
        row = {"partner_source_id": account, "opened_at": opened_at, **values}
        self._insert(tables.issues, self._record(system, source_id, **row))
        return source_id

    def survey(
        self, system: str, account: str, score: int, answered_on: date, **values: Any
    ) -> None:
        row = {"partner_source_id": account, "score": score, "answered_on": answered_on}
        self._insert(tables.surveys, self._record(system, self._id("s"), **row, **values))

    def kpi(self, system: str, account: str, target: float, actual: float, **values: Any) -> None:
        row = {"partner_source_id": account, "target": target, "actual": actual}
        self._insert(tables.kpis, self._record(system, self._id("k"), **row, **values))

    def snapshot(
        self, partner_id: str, as_of: datetime, score: float, version: str | None = None
    ) -> None:
        self._insert(
            tables.snapshots,
            {
                "workspace": self.workspace,
                "partner_id": partner_id,
                "as_of": as_of,
                "config_version": version or config_version(ScoringSettings()),
                "score": score,
                "grade": "watch",
                "segment": "transactional",
                "segment_rule": "",
                "tier": "bronze",
                "trend": "new",
                "components": [],
                "reasons": [],
                "churned": False,
            },
        )


def _snapshot(
    partner_id: str = "P1",
    *,
    score: float = 50.0,
    grade: Grade = Grade.WATCH,
    tier: Tier = Tier.BRONZE,
    segment: Segment = Segment.TRANSACTIONAL,
    as_of: datetime = AS_OF - timedelta(days=1),
) -> Snapshot:
    return Snapshot(
        partner_id=partner_id,
        as_of=as_of,
        score=score,
        grade=grade,
        segment=segment,
        tier=tier,
        config_version="0" * 12,
    )


@pytest.fixture
def make_snapshot() -> Callable[..., Snapshot]:
    """A previous snapshot, as the store would return it (default: P1, yesterday, 50)."""
    return _snapshot


@pytest.fixture(scope="module")
def sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One SQLite file per test module (tests clear it); no fsync, it is a scratch file."""
    engine = create_engine(f"sqlite:///{tmp_path_factory.mktemp('scoring') / 'store.db'}")

    @event.listens_for(engine, "connect")
    def _fast(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA synchronous=OFF")

    tables.metadata.create_all(engine)
    yield engine
    engine.dispose()


def _cleared(engine: Engine) -> Engine:
    with engine.begin() as conn:
        for table in reversed(tables.metadata.sorted_tables):
            conn.execute(table.delete())
    return engine


@pytest.fixture
def sqlite_engine(sqlite_file: Engine) -> Engine:
    """An empty SQLite store."""
    return _cleared(sqlite_file)


@pytest.fixture(scope="module")
def postgres_schema() -> Iterator[Engine]:
    """A throwaway schema on the test PostgreSQL, dropped afterwards."""
    schema = f"scoring_{secrets.token_hex(4)}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        tables.metadata.create_all(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Engine:
    """An empty store on SQLite, then on PostgreSQL."""
    if request.param == "sqlite":
        return _cleared(request.getfixturevalue("sqlite_file"))
    return _cleared(request.getfixturevalue("postgres_schema"))


@pytest.fixture
def rows(engine: Engine) -> Rows:
    return Rows(engine)
