"""The daemon's two jobs and their APScheduler triggers, built from ``[schedule]``.

``status`` uses the same triggers to say when each job runs next, so the page, the CLI
and the daemon cannot disagree about a schedule.

A five-field cron expression is read as crontab reads it. APScheduler 3 counts weekdays
from Monday = 0 (crontab: Sunday = 0), so numeric day-of-week fields are rewritten into
APScheduler's numbering here; ``0 3 * * 1`` runs on Mondays, as any crontab user expects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from connector.config.runtime import JobSchedule, ScheduleConfig

_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


@dataclass(frozen=True)
class JobSpec:
    """One daemon job: its name (also the run ``kind`` and the lock's job), whether it
    re-reads everything, and when it runs."""

    name: str
    full: bool
    schedule: JobSchedule

    def describe(self) -> str:
        """The schedule as the config says it, for status: ``every 5m`` / ``cron 0 3 * * *``."""
        when = (
            f"every {self.schedule.every}" if self.schedule.every else f"cron {self.schedule.cron}"
        )
        return f"{when} (jitter {self.schedule.jitter_s}s)" if self.schedule.jitter_s else when


def job_specs(schedule: ScheduleConfig) -> list[JobSpec]:
    """The enabled jobs: the incremental cycle and the full reconcile."""
    specs = [
        JobSpec("incremental", False, schedule.incremental),
        JobSpec("reconcile", True, schedule.reconcile),
    ]
    return [spec for spec in specs if spec.schedule.enabled]


def build_trigger(schedule: JobSchedule, timezone: str, *, jitter: bool = True) -> Any:
    """An interval or cron trigger for ``schedule``; ``jitter=False`` for predictions."""
    spread = schedule.jitter_s if jitter and schedule.jitter_s else None
    seconds = schedule.interval_seconds()
    if seconds is not None:
        return IntervalTrigger(seconds=seconds, timezone=timezone, jitter=spread)
    if schedule.cron is None:
        raise ValueError("a job schedule needs `every` or `cron`")
    minute, hour, day, month, weekday = schedule.cron.split()
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=apscheduler_weekdays(weekday),
        timezone=timezone,
        jitter=spread,
    )


def next_fire(
    schedule: JobSchedule, timezone: str, now: datetime, last_started: datetime | None
) -> datetime | None:
    """When ``schedule`` fires next after ``now`` (without jitter): an interval counts from
    the job's last run when that is still ahead, else from ``now``."""
    seconds = schedule.interval_seconds()
    if seconds is not None:
        due = last_started + timedelta(seconds=seconds) if last_started else None
        return due if due is not None and due > now else now + timedelta(seconds=seconds)
    trigger = build_trigger(schedule, timezone, jitter=False)
    fire: datetime | None = trigger.get_next_fire_time(None, now)
    return fire


def apscheduler_weekdays(field: str) -> str:
    """A crontab day-of-week field in APScheduler 3's terms (named days mean the same in
    both; numbers do not). ``*`` stays ``*``; anything else becomes a list of day names."""
    if field == "*":
        return field
    days: set[int] = set()
    for item in field.split(","):
        days |= _crontab_days(item.lower())
    if len(days) == len(_CRON_DAYS):
        return "*"
    return ",".join(_CRON_DAYS[d] for d in sorted(days))


def _crontab_days(item: str) -> set[int]:
    span, _, step_text = item.partition("/")
    step = int(step_text) if step_text else 1
    if step < 1:
        raise ValueError(f"day-of-week step must be positive in {item!r}")
    if span == "*":
        first, last = 0, 6
    else:
        start, _, end = span.partition("-")
        first = _crontab_day(start)
        last = _crontab_day(end) if end else (6 if step_text else first)
    if last < first:
        raise ValueError(f"day-of-week range {item!r} runs backwards")
    return {day % 7 for day in range(first, last + 1, step)}


def _crontab_day(token: str) -> int:
    if token in _CRON_DAYS:
        return _CRON_DAYS.index(token)
    if token.isdigit() and 0 <= int(token) <= 7:
        return int(token)
    raise ValueError(f"{token!r} is not a day of the week (0-7 or sun..sat)")
