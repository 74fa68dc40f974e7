"""Triggers from ``[schedule]``: crontab weekdays as crontab means them, next runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connector.config.runtime import JobSchedule, ScheduleConfig
from scheduler.triggers import apscheduler_weekdays, build_trigger, job_specs, next_fire

MONDAY = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday


@pytest.mark.parametrize(
    ("crontab", "apscheduler"),
    [
        ("*", "*"),
        ("0", "sun"),
        ("7", "sun"),
        ("1", "mon"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("mon-fri", "mon,tue,wed,thu,fri"),
        ("0,6", "sun,sat"),
        ("sat,sun", "sun,sat"),
        ("*/2", "sun,tue,thu,sat"),
        ("1-7", "*"),
        ("0-6", "*"),
    ],
)
def test_crontab_weekdays_mean_what_crontab_means(crontab: str, apscheduler: str) -> None:
    assert apscheduler_weekdays(crontab) == apscheduler


@pytest.mark.parametrize("bad", ["8", "5-1", "x", "*/0"])
def test_bad_weekdays_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="day"):
        apscheduler_weekdays(bad)


def test_cron_day_one_is_monday() -> None:
    trigger = build_trigger(JobSchedule(cron="0 3 * * 1"), "UTC", jitter=False)
    fire = trigger.get_next_fire_time(None, MONDAY)
    assert fire == MONDAY + timedelta(days=7, hours=-9)  # next Monday 03:00
    assert fire.weekday() == 0


def test_interval_next_run_counts_from_the_last_run() -> None:
    every = JobSchedule(every="5m")
    assert next_fire(every, "UTC", MONDAY, MONDAY - timedelta(minutes=2)) == MONDAY + timedelta(
        minutes=3
    )
    # The last run is long ago (no daemon running): the prediction starts from now.
    assert next_fire(every, "UTC", MONDAY, MONDAY - timedelta(hours=2)) == MONDAY + timedelta(
        minutes=5
    )
    assert next_fire(every, "UTC", MONDAY, None) == MONDAY + timedelta(minutes=5)


def test_jitter_spreads_an_interval() -> None:
    trigger = build_trigger(JobSchedule(every="10s", jitter_s=5), "UTC")
    fires = {trigger.get_next_fire_time(MONDAY, MONDAY) for _ in range(20)}
    assert all(MONDAY + timedelta(seconds=10) <= f <= MONDAY + timedelta(seconds=15) for f in fires)
    assert len(fires) > 1


def test_disabled_jobs_are_not_scheduled() -> None:
    schedule = ScheduleConfig(reconcile=JobSchedule(cron="0 3 * * *", enabled=False))
    assert [s.name for s in job_specs(schedule)] == ["incremental"]
    default = [(s.name, s.full, s.describe()) for s in job_specs(ScheduleConfig())]
    assert default == [
        ("incremental", False, "every 5m (jitter 15s)"),
        ("reconcile", True, "cron 0 3 * * * (jitter 300s)"),
    ]
