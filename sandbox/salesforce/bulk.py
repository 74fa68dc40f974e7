"""Bulk API 2.0 query jobs: create, poll, CSV results by locator, abort, delete.

The query runs when the job is created (a snapshot, as a real job's extract is); the job
then reports ``InProgress`` until ``bulk_job_delay_s`` has passed, ``JobComplete`` after.
Results pages carry a header row each, ``Sforce-NumberOfRecords`` and ``Sforce-Locator``
(the next page's locator, the text ``null`` on the last page). Values are quoted; a null is
an empty unquoted cell; datetimes are written ``2024-05-01T10:00:00.000Z`` [unverified
details, see docs/sandbox-salesforce.md].
"""

from __future__ import annotations

import base64
import binascii
import itertools
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sandbox.salesforce.errors import ApiError, not_found
from sandbox.salesforce.ids import KEY_PREFIXES, make_id
from sandbox.salesforce.query_engine import compile_and_bind, run_query
from sandbox.salesforce.schema import Record
from sandbox.salesforce.soql_ast import SoqlError
from sandbox.salesforce.soql_compile import CompiledQuery
from sandbox.salesforce.values import csv_text

if TYPE_CHECKING:
    from sandbox.salesforce.store import SalesforceStore

DELIMITERS = {
    "COMMA": ",",
    "TAB": "\t",
    "SEMICOLON": ";",
    "PIPE": "|",
    "CARET": "^",
    "BACKQUOTE": "`",
}
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}
MAX_JOBS = 500


@dataclass
class BulkJob:
    id: str
    operation: str
    query: CompiledQuery
    rows: list[Record]
    created: str
    created_by: str
    ready_at: float
    delimiter: str
    line_ending: str
    version: str
    aborted: bool = False

    def state(self) -> str:
        if self.aborted:
            return "Aborted"
        return "JobComplete" if time.monotonic() >= self.ready_at else "InProgress"

    def info(self, *, state: str | None = None) -> dict[str, Any]:
        current = state or self.state()
        body: dict[str, Any] = {
            "id": self.id,
            "operation": self.operation,
            "object": self.query.obj,
            "createdById": self.created_by,
            "createdDate": self.created,
            "systemModstamp": self.created,
            "state": current,
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(self.version),
            "lineEnding": self.line_ending,
            "columnDelimiter": self.delimiter,
        }
        if state is None:
            done = current == "JobComplete"
            body.update(
                {
                    "jobType": "V2Query",
                    "numberRecordsProcessed": len(self.rows) if done else 0,
                    "retries": 0,
                    "totalProcessingTime": 0,
                    "isPkChunkingSupported": True,
                }
            )
        return body


class BulkJobs:
    def __init__(self, store: SalesforceStore, *, delay_s: float, default_max: int) -> None:
        self.store = store
        self.delay_s = delay_s
        self.default_max = default_max
        self._jobs: OrderedDict[str, BulkJob] = OrderedDict()
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def create(self, body: Any, version: str, user_id: str) -> BulkJob:
        if not isinstance(body, Mapping):
            raise ApiError(400, "JSON_PARSER_ERROR", "Expected a JSON object")
        operation = body.get("operation")
        if operation not in ("query", "queryAll"):
            raise ApiError(400, "INVALIDJOB", f"Invalid operation: {operation}")
        delimiter = body.get("columnDelimiter", "COMMA")
        line_ending = body.get("lineEnding", "LF")
        if delimiter not in DELIMITERS or line_ending not in LINE_ENDINGS:
            raise ApiError(400, "INVALIDJOB", "Invalid columnDelimiter or lineEnding")
        text = body.get("query")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "INVALIDJOB", "A query is required for a query job")
        try:
            query = compile_and_bind(self.store, text, version)
        except SoqlError as exc:
            raise ApiError(400, exc.code, exc.message_for(text)) from None
        _check_bulk_shape(query, text)
        rows = run_query(self.store, query, include_deleted=operation == "queryAll")
        job = BulkJob(
            make_id(KEY_PREFIXES["BulkJob"], next(self._numbers), pod="BQ"),
            operation,
            query,
            rows,
            self.store.now_str(),
            user_id,
            time.monotonic() + self.delay_s,
            delimiter,
            line_ending,
            version,
        )
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > MAX_JOBS:
                self._jobs.popitem(last=False)
        return job

    def get(self, job_id: str) -> BulkJob:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise not_found()
        return job

    def all(self) -> list[BulkJob]:
        with self._lock:
            return list(self._jobs.values())

    def delete(self, job_id: str) -> None:
        self.get(job_id)
        with self._lock:
            self._jobs.pop(job_id, None)

    def results(
        self, job: BulkJob, locator: str | None, max_records: str | None
    ) -> tuple[str, int, str]:
        """(CSV page, rows in it, next locator or "null")."""
        state = job.state()
        if state == "Aborted":
            raise ApiError(400, "INVALIDJOBSTATE", "The job has been aborted")
        if state != "JobComplete":
            raise ApiError(412, "JOB_NOT_COMPLETE", "The job is not complete yet")
        size = self.default_max
        if max_records is not None:
            if not max_records.isdigit() or int(max_records) < 1:
                raise ApiError(400, "INVALIDJOB", f"Invalid maxRecords: {max_records}")
            size = int(max_records)
        start = _decode_locator(locator) if locator else 0
        page = job.rows[start : start + size]
        after = start + len(page)
        next_locator = _encode_locator(after) if after < len(job.rows) else "null"
        return _csv(job, page), len(page), next_locator


def _check_bulk_shape(query: CompiledQuery, text: str) -> None:
    if any(col.field.type == "address" for col in query.columns):
        raise ApiError(400, "API_ERROR", "Selecting compound data not supported in Bulk Query")
    if query.count_only:
        raise ApiError(400, "API_ERROR", "Aggregate Relationships not supported in Bulk Query")
    if query.offset:
        raise ApiError(400, "API_ERROR", "OFFSET not supported in Bulk Query")


def _encode_locator(offset: int) -> str:
    return base64.b64encode(str(offset).encode()).decode().rstrip("=")


def _decode_locator(locator: str) -> int:
    try:
        text = base64.b64decode(locator + "=" * (-len(locator) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        text = ""
    if not text.isdigit():
        raise ApiError(400, "INVALIDLOCATOR", f"Invalid locator: {locator}")
    return int(text)


def _csv(job: BulkJob, page: list[Record]) -> str:
    sep = DELIMITERS[job.delimiter]
    end = LINE_ENDINGS[job.line_ending]
    columns = job.query.columns
    lines = [sep.join(_quote(col.path) for col in columns)]
    for rec in page:
        cells = []
        for col in columns:
            text = csv_text(col.field.type, col.getter(rec))
            cells.append("" if text is None else _quote(text))
        lines.append(sep.join(cells))
    return end.join(lines) + end


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'
