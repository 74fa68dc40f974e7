"""The state store's schema (SQLAlchemy Core). Alembic migrations are generated from it.

Every table carries ``workspace`` first in its key: several configs (one per client org)
share one database without touching each other's rows. Canonical records are stored per
source (``system``, ``source_id``); ``partner_source_id`` ties an activity, deal, issue,
survey or KPI to its account/company in the same system, and ``links`` ties each source
partner record to one canonical ``partner_id``. Money is integer cents (exact, and
summable in SQL on both databases).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from connector.store.types import UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

WS = 64  # workspace names are short identifiers
SYS = 16
SID = 64  # CRM ids: Salesforce 18 chars, HubSpot up to ~20 digits; room for synthetic ids


def _record_columns() -> list[Column[object]]:
    """The columns every canonical record table starts with."""
    return [
        Column("workspace", String(WS), primary_key=True),
        Column("system", String(SYS), primary_key=True),
        Column("source_id", String(SID), primary_key=True),
        # The CRM stream (object) a record came from: a full reconcile marks missing
        # records deleted per stream, and two streams (Task, Event) may share a table.
        Column("stream", String(32), nullable=False),
        Column("modified_at", UtcDateTime, nullable=False),
        Column("deleted", Boolean, nullable=False, default=False),
        Column("run_id", String(36)),
    ]


owners = Table(
    "owners",
    metadata,
    *_record_columns(),
    Column("name", Text, nullable=False, default=""),
    Column("email", Text),
    Column("active", Boolean, nullable=False, default=True),
)

partners = Table(
    "partners",
    metadata,
    *_record_columns(),
    Column("name", Text, nullable=False),
    Column("domain", String(255)),
    Column("owner_id", String(SID)),
    Column("is_partner", Boolean, nullable=False),
    Column("partner_since", Date),
    Column("partner_end", Date),
    Column("created_at", UtcDateTime),
    Column("unique_resources", Boolean, nullable=False, default=False),
    Column("linked_salesforce_id", String(SID)),
    Column("tags", JSON, nullable=False),
    Index(None, "workspace", "domain"),
)

activities = Table(
    "activities",
    metadata,
    *_record_columns(),
    Column("partner_source_id", String(SID)),
    Column("kind", String(16), nullable=False),
    Column("occurred_at", UtcDateTime),
    Column("owner_id", String(SID)),
    Column("subject", Text, nullable=False, default=""),
    Column("task_key", String(255)),
    Column("is_open", Boolean, nullable=False, default=False),
    # A partner's activities in time order, carrying every column scoring's aggregate
    # reads (kind, is_open, deleted, task_key), so that one pass over 1M activities reads
    # this index in order and never the table (see bench/scoring_bench.py).
    Index(
        "ix_activities_by_partner",
        "workspace",
        "system",
        "partner_source_id",
        "occurred_at",
        "kind",
        "is_open",
        "deleted",
        "task_key",
    ),
    Index(None, "workspace", "task_key"),
)

deals = Table(
    "deals",
    metadata,
    *_record_columns(),
    Column("partner_source_id", String(SID)),
    Column("name", Text, nullable=False, default=""),
    Column("amount_cents", BigInteger),
    Column("close_date", Date),
    Column("won", Boolean, nullable=False, default=False),
    Column("closed", Boolean, nullable=False, default=False),
    Column("mirror_system", String(SYS)),
    Column("mirror_id", String(SID)),
    Index(None, "workspace", "system", "partner_source_id"),
)

issues = Table(
    "issues",
    metadata,
    *_record_columns(),
    Column("partner_source_id", String(SID)),
    Column("subject", Text, nullable=False, default=""),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("closed", Boolean, nullable=False, default=False),
    Column("closed_at", UtcDateTime),
    Column("mirror_system", String(SYS)),
    Column("mirror_id", String(SID)),
    Index(None, "workspace", "system", "partner_source_id"),
)

surveys = Table(
    "surveys",
    metadata,
    *_record_columns(),
    Column("partner_source_id", String(SID), nullable=False),
    Column("score", Integer, nullable=False),
    Column("answered_on", Date, nullable=False),
    Index(None, "workspace", "system", "partner_source_id"),
)

kpis = Table(
    "kpis",
    metadata,
    *_record_columns(),
    Column("partner_source_id", String(SID), nullable=False),
    Column("target", Float, nullable=False),
    Column("actual", Float, nullable=False),
)

links = Table(
    "links",
    metadata,
    Column("workspace", String(WS), primary_key=True),
    Column("system", String(SYS), primary_key=True),
    Column("source_id", String(SID), primary_key=True),
    Column("partner_id", String(SID + 8), nullable=False),
    Column("reason", String(16), nullable=False),
    Column("detail", Text, nullable=False, default=""),
    Column("confidence", Float, nullable=False, default=1.0),
    Column("linked_at", UtcDateTime, nullable=False),
    Index(None, "workspace", "partner_id"),
)

link_overrides = Table(
    "link_overrides",
    metadata,
    Column("workspace", String(WS), primary_key=True),
    Column("system", String(SYS), primary_key=True),
    Column("source_id", String(SID), primary_key=True),
    Column("partner_id", String(SID + 8), nullable=False),
    Column("note", Text, nullable=False, default=""),
)

cursors = Table(
    "cursors",
    metadata,
    Column("workspace", String(WS), primary_key=True),
    Column("connection", String(64), primary_key=True),
    Column("stream", String(64), primary_key=True),
    Column("system", String(SYS), nullable=False),
    Column("modified_at", UtcDateTime),
    Column("last_id", String(SID)),
    Column("state", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("workspace", String(WS), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
    Column("outcome", String(16), nullable=False),
    Column("records_pulled", Integer, nullable=False, default=0),
    Column("records_written", Integer, nullable=False, default=0),
    Column("rejects", Integer, nullable=False, default=0),
    Column("api_calls", JSON, nullable=False),
    Column("detail", JSON, nullable=False),
    Column("error", Text),
    Column("host", String(255), nullable=False, default=""),
    Index(None, "workspace", "started_at"),
)

snapshots = Table(
    "snapshots",
    metadata,
    Column("workspace", String(WS), primary_key=True),
    Column("partner_id", String(SID + 8), primary_key=True),
    Column("as_of", UtcDateTime, primary_key=True),
    Column("config_version", String(16), primary_key=True),
    Column("score", Float, nullable=False),
    Column("grade", String(16), nullable=False),
    Column("segment", String(16), nullable=False),
    Column("segment_rule", Text, nullable=False, default=""),
    Column("tier", String(16), nullable=False),
    Column("trend", String(8), nullable=False),
    Column("components", JSON, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("churned", Boolean, nullable=False, default=False),
    Column("run_id", String(36)),
    Index(None, "workspace", "as_of"),
)

ledger = Table(
    "ledger",
    metadata,
    Column("workspace", String(WS), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("system", String(SYS), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("target_id", String(SID), nullable=False),
    Column("partner_id", String(SID + 8), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("state", String(16), nullable=False),  # pending | sent | done | failed
    Column("crm_id", String(SID)),
    Column("error", Text),
    Column("attempts", Integer, nullable=False, default=0),
    Column("run_id", String(36)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "workspace", "state"),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("workspace", String(WS), primary_key=True),
    Column("system", String(SYS), primary_key=True),
    Column("stream", String(64), primary_key=True),
    Column("record_id", String(255), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("payload", Text, nullable=False, default=""),
    Column("first_seen", UtcDateTime, nullable=False),
    Column("last_seen", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=1),
    Column("resolved", Boolean, nullable=False, default=False),
)

RECORD_TABLES = {
    "owners": owners,
    "partners": partners,
    "activities": activities,
    "deals": deals,
    "issues": issues,
    "surveys": surveys,
    "kpis": kpis,
}
