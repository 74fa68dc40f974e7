"""Initial schema: canonical records, links, cursors, runs, snapshots, ledger, quarantine.

Written out by hand from ``connector/store/tables.py`` as it stood, so this migration
keeps meaning the same schema when tables.py moves on. ``UtcDateTime`` is stored as
``DateTime(timezone=True)``; defaults are Python-side, so there are no server defaults.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

WS = 64
SYS = 16
SID = 64
PID = SID + 8

RECORD_TABLES = ("owners", "partners", "activities", "deals", "issues", "surveys", "kpis")


def _stamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _record_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("workspace", sa.String(WS), nullable=False),
        sa.Column("system", sa.String(SYS), nullable=False),
        sa.Column("source_id", sa.String(SID), nullable=False),
        sa.Column("stream", sa.String(32), nullable=False),
        sa.Column("modified_at", _stamp(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("run_id", sa.String(36)),
    ]


def _record_table(name: str, *columns: sa.Column[object]) -> None:
    op.create_table(
        name,
        *_record_columns(),
        *columns,
        sa.PrimaryKeyConstraint("workspace", "system", "source_id", name=f"pk_{name}"),
    )


def _by_partner(name: str) -> None:
    cols = ["workspace", "system", "partner_source_id"]
    op.create_index(f"ix_{name}_{'_'.join(cols)}", name, cols)


def upgrade() -> None:
    _record_table(
        "owners",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text()),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    _record_table(
        "partners",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("domain", sa.String(255)),
        sa.Column("owner_id", sa.String(SID)),
        sa.Column("is_partner", sa.Boolean(), nullable=False),
        sa.Column("partner_since", sa.Date()),
        sa.Column("partner_end", sa.Date()),
        sa.Column("created_at", _stamp()),
        sa.Column("unique_resources", sa.Boolean(), nullable=False),
        sa.Column("linked_salesforce_id", sa.String(SID)),
        sa.Column("tags", sa.JSON(), nullable=False),
    )
    op.create_index("ix_partners_workspace_domain", "partners", ["workspace", "domain"])
    _record_table(
        "activities",
        sa.Column("partner_source_id", sa.String(SID)),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("occurred_at", _stamp()),
        sa.Column("owner_id", sa.String(SID)),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("task_key", sa.String(255)),
        sa.Column("is_open", sa.Boolean(), nullable=False),
    )
    op.create_index(
        "ix_activities_by_partner",
        "activities",
        [
            "workspace",
            "system",
            "partner_source_id",
            "occurred_at",
            "kind",
            "is_open",
            "deleted",
            "task_key",
        ],
    )
    op.create_index("ix_activities_workspace_task_key", "activities", ["workspace", "task_key"])
    _record_table(
        "deals",
        sa.Column("partner_source_id", sa.String(SID)),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger()),
        sa.Column("close_date", sa.Date()),
        sa.Column("won", sa.Boolean(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("mirror_system", sa.String(SYS)),
        sa.Column("mirror_id", sa.String(SID)),
    )
    _by_partner("deals")
    _record_table(
        "issues",
        sa.Column("partner_source_id", sa.String(SID)),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("opened_at", _stamp(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("closed_at", _stamp()),
        sa.Column("mirror_system", sa.String(SYS)),
        sa.Column("mirror_id", sa.String(SID)),
    )
    _by_partner("issues")
    _record_table(
        "surveys",
        sa.Column("partner_source_id", sa.String(SID), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=False),
    )
    _by_partner("surveys")
    _record_table(
        "kpis",
        sa.Column("partner_source_id", sa.String(SID), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("actual", sa.Float(), nullable=False),
    )

    op.create_table(
        "links",
        sa.Column("workspace", sa.String(WS), nullable=False),
        sa.Column("system", sa.String(SYS), nullable=False),
        sa.Column("source_id", sa.String(SID), nullable=False),
        sa.Column("partner_id", sa.String(PID), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("linked_at", _stamp(), nullable=False),
        sa.PrimaryKeyConstraint("workspace", "system", "source_id", name="pk_links"),
    )
    op.create_index("ix_links_workspace_partner_id", "links", ["workspace", "partner_id"])
    op.create_table(
        "link_overrides",
        sa.Column("workspace", sa.String(WS), nullable=False),
        sa.Column("system", sa.String(SYS), nullable=False),
        sa.Column("source_id", sa.String(SID), nullable=False),
        sa.Column("partner_id", sa.String(PID), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("workspace", "system", "source_id", name="pk_link_overrides"),
    )
    op.create_table(
        "cursors",
        sa.Column("workspace", sa.String(WS), nullable=False),
        sa.Column("connection", sa.String(64), nullable=False),
        sa.Column("stream", sa.String(64), nullable=False),
        sa.Column("system", sa.String(SYS), nullable=False),
        sa.Column("modified_at", _stamp()),
        sa.Column("last_id", sa.String(SID)),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", _stamp(), nullable=False),
        sa.PrimaryKeyConstraint("workspace", "connection", "stream", name="pk_cursors"),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("workspace", sa.String(WS), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("started_at", _stamp(), nullable=False),
        sa.Column("finished_at", _stamp()),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("records_pulled", sa.Integer(), nullable=False),
        sa.Column("records_written", sa.Integer(), nullable=False),
        sa.Column("rejects", sa.Integer(), nullable=False),
        sa.Column("api_calls", sa.JSON(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text()),
        sa.Column("host", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
    )
    op.create_index("ix_runs_workspace_started_at", "runs", ["workspace", "started_at"])
    op.create_table(
        "snapshots",
        sa.Column("workspace", sa.String(WS), nullable=False),
        sa.Column("partner_id", sa.String(PID), nullable=False),
        sa.Column("as_of", _stamp(), nullable=False),
        sa.Column("config_version", sa.String(16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("grade", sa.String(16), nullable=False),
        sa.Column("segment", sa.String(16), nullable=False),
        sa.Column("segment_rule", sa.Text(), nullable=False),
        sa.Column("tier", sa.String(16), nullable=False),
        sa.Column("trend", sa.String(8), nullable=False),
        sa.Column("components", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("churned", sa.Boolean(), nullable=False),
        sa.Column("run_id", sa.String(36)),
        sa.PrimaryKeyConstraint(
            "workspace", "partner_id", "as_of", "config_version", name="pk_snapshots"
        ),
    )
    op.create_index("ix_snapshots_workspace_as_of", "snapshots", ["workspace", "as_of"])
    op.create_table(
        "ledger",
        sa.Column("workspace", sa.String(WS), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("system", sa.String(SYS), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target_id", sa.String(SID), nullable=False),
        sa.Column("partner_id", sa.String(PID), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("crm_id", sa.String(SID)),
        sa.Column("error", sa.Text()),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(36)),
        sa.Column("created_at", _stamp(), nullable=False),
        sa.Column("updated_at", _stamp(), nullable=False),
        sa.PrimaryKeyConstraint("workspace", "key", name="pk_ledger"),
    )
    op.create_index("ix_ledger_workspace_state", "ledger", ["workspace", "state"])
    op.create_table(
        "quarantine",
        sa.Column("workspace", sa.String(WS), nullable=False),
        sa.Column("system", sa.String(SYS), nullable=False),
        sa.Column("stream", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(255), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("first_seen", _stamp(), nullable=False),
        sa.Column("last_seen", _stamp(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("workspace", "system", "stream", "record_id", name="pk_quarantine"),
    )


def downgrade() -> None:
    for name in ("quarantine", "ledger", "snapshots", "runs", "cursors", "link_overrides", "links"):
        op.drop_table(name)
    for name in RECORD_TABLES:
        op.drop_table(name)
