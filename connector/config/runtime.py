"""``[workspace]``, ``[state]``, ``[schedule]``, ``[daemon]``: state and the daemon."""

from __future__ import annotations

import re
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from connector.config.base import Section

_INTERVAL = re.compile(r"^(\d+)\s*(s|m|h)$")
_CRON_FIELDS = 5


class WorkspaceConfig(Section):
    """The tenant: configs with different names share one state database without touching
    each other's rows."""

    name: str = Field(default="default", pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")


class StateConfig(Section):
    """The state store: a SQLite file by default, PostgreSQL by URL for teams and replicas."""

    url: str = "sqlite:///partnerpulse.db"

    @field_validator("url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "postgresql://", "postgresql+psycopg://")):
            raise ValueError(f"{value.split('@')[-1]!r} is not a sqlite:/// or postgresql:// URL")
        return value

    def password(self) -> str | None:
        """The password written into ``url``, if any (registered for log redaction)."""
        try:
            return make_url(self.url).password or None
        except ArgumentError:
            return None


class JobSchedule(Section):
    """When a job runs: ``every = "5m"`` (s/m/h) or ``cron = "0 3 * * *"`` (five fields)."""

    every: str | None = None
    cron: str | None = None
    jitter_s: int = Field(default=0, ge=0)
    misfire_grace_s: int = Field(default=60, ge=1)
    enabled: bool = True

    @field_validator("every")
    @classmethod
    def _interval(cls, value: str | None) -> str | None:
        if value is not None and not _INTERVAL.match(value.strip()):
            raise ValueError(f"{value!r} is not an interval like '30s', '5m' or '1h'")
        return value

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is None:
            return value
        from apscheduler.triggers.cron import CronTrigger  # validation only

        if len(value.split()) != _CRON_FIELDS:
            raise ValueError(f"{value!r} is not a five-field cron expression")
        try:
            CronTrigger.from_crontab(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a valid cron expression: {exc}") from None
        return value

    def interval_seconds(self) -> int | None:
        if self.every is None:
            return None
        match = _INTERVAL.match(self.every.strip())
        assert match is not None
        return int(match[1]) * {"s": 1, "m": 60, "h": 3600}[match[2]]


class ScheduleConfig(Section):
    """The daemon's jobs: the incremental cycle and the nightly full reconcile."""

    timezone: str = "UTC"
    incremental: JobSchedule = JobSchedule(every="5m", jitter_s=15)
    reconcile: JobSchedule = JobSchedule(cron="0 3 * * *", jitter_s=300, misfire_grace_s=3600)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        # Checked here, not when the daemon builds its triggers: a typo must fail `check`.
        if value == "UTC":  # APScheduler needs no zone database for it; neither do we
            return value
        try:
            ZoneInfo(value)
        except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
            raise ValueError(f"{value[:60]!r} is not a time zone (e.g. 'Europe/Berlin')") from None
        return value


class DaemonConfig(Section):
    """The daemon's HTTP endpoints and logging."""

    http_host: str = "127.0.0.1"
    http_port: int = Field(default=9464, ge=0, le=65535)
    log_format: Literal["json", "console"] = "json"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    shutdown_timeout_s: int = Field(default=30, ge=1, le=300)
