"""``/sobjects/{T}/deleted/`` and ``/updated/`` (Get Deleted / Get Updated), and ``/limits``.

Both replication resources take ``start``/``end`` as ISO-8601 with an offset, drop seconds,
and report ``latestDateCovered`` (the next start). Deleted records are kept
``deleted_retention_days`` (15 in Salesforce) and reported from ``earliestDateAvailable``;
Get Updated refuses a start older than ``updated_window_days`` (30).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sandbox.salesforce.errors import ApiError
from sandbox.salesforce.values import format_datetime, parse_datetime

if TYPE_CHECKING:
    from sandbox.salesforce.store import SalesforceStore

MAX_IDS = 600_000


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _window(params: dict[str, str]) -> tuple[datetime, datetime]:
    bounds = []
    for name in ("start", "end"):
        raw = params.get(name)
        if not raw:
            raise ApiError(400, "MISSING_ARGUMENT", f"Missing required parameter: {name}")
        try:
            bounds.append(_minute(parse_datetime(raw)))
        except ValueError:
            raise ApiError(400, "INVALID_DATE_FORMAT", f"Unable to parse date: {raw}") from None
    start, end = bounds
    if end < start:
        raise ApiError(400, "INVALID_REPLICATION_DATE", "EndDate before StartDate")
    return start, end


def get_deleted(
    store: SalesforceStore, obj: str, params: dict[str, str], retention_days: int
) -> dict[str, Any]:
    start, end = _window(params)
    now = store.now()
    earliest = _minute(now - timedelta(days=retention_days))
    table = store.tables[obj]
    deleted = table.deleted_slot
    lo = format_datetime(max(start, earliest))
    hi = format_datetime(end)
    records = []
    if deleted is not None:
        with store.lock:
            for rec in table.in_stamp_order(lo, True, hi, True):
                if rec[deleted]:
                    records.append({"id": rec[0], "deletedDate": rec[table.stamp_slot]})
    if len(records) > MAX_IDS:
        raise ApiError(400, "EXCEEDED_ID_LIMIT", "Too many ids, reduce the date range")
    return {
        "deletedRecords": records,
        "earliestDateAvailable": format_datetime(earliest),
        "latestDateCovered": format_datetime(min(end, _minute(now))),
    }


def get_updated(
    store: SalesforceStore, obj: str, params: dict[str, str], window_days: int
) -> dict[str, Any]:
    start, end = _window(params)
    now = store.now()
    if start < now - timedelta(days=window_days):
        raise ApiError(
            400, "INVALID_REPLICATION_DATE", f"startDate cannot be more than {window_days} days ago"
        )
    table = store.tables[obj]
    deleted = table.deleted_slot
    with store.lock:
        ids = [
            rec[0]
            for rec in table.in_stamp_order(
                format_datetime(start), True, format_datetime(end), True
            )
            if deleted is None or not rec[deleted]
        ]
    if len(ids) > MAX_IDS:
        raise ApiError(400, "EXCEEDED_ID_LIMIT", "Too many ids, reduce the date range")
    return {"ids": ids, "latestDateCovered": format_datetime(min(end, _minute(now)))}


def limits_body(daily_limit: int, daily_used: int, bulk_jobs: int) -> dict[str, Any]:
    def entry(maximum: int, used: int = 0) -> dict[str, int]:
        return {"Max": maximum, "Remaining": max(0, maximum - used)}

    return {
        "ConcurrentAsyncGetReportInstances": entry(200),
        "ConcurrentSyncReportRuns": entry(20),
        "DailyApiRequests": entry(daily_limit, daily_used),
        "DailyAsyncApexExecutions": entry(250_000),
        "DailyBulkApiBatches": entry(15_000),
        "DailyBulkV2QueryFileStorageMB": entry(976_562),
        "DailyBulkV2QueryJobs": entry(10_000, bulk_jobs),
        "DataStorageMB": entry(5),
        "FileStorageMB": entry(20),
        "HourlyODataCallout": entry(20_000),
        "SingleEmail": entry(15),
    }
