"""Bulk API 2.0 query jobs, driven over the same counted session as REST.

simple-salesforce's ``bulk2`` helpers never re-login and poll on their own clock, so the
three calls are ours (``util.call_salesforce`` keeps its exceptions): create a
``queryAll`` job, poll it with an injected sleep, then read the CSV results page by
page with ``Sforce-Locator``. Each call runs under the session, so a 401 mid-job
refreshes the token and replays that one call — the job and its locator survive.
CSV cells are strings; they are typed per the mapping's field kinds so a Bulk row reads
exactly like a REST row.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.util import call_salesforce

from adapters.salesforce.session import SalesforceSession
from connector.errors import CrmRefused, RetryableError
from mappings.salesforce import typed_row
from mappings.salesforce_values import Kind

RESULTS_PAGE = 50_000
_DONE = "JobComplete"
_FAILED = ("Failed", "Aborted")


class BulkReader:
    """Runs one Bulk 2.0 ``queryAll`` job and yields its rows, typed, one results page at a time."""

    def __init__(
        self,
        session: SalesforceSession,
        *,
        sleep: Callable[[float], None] = time.sleep,
        first_wait_s: float = 0.5,
        max_wait_s: float = 10.0,
        max_job_s: float = 3600.0,
        results_page: int = RESULTS_PAGE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session = session
        self._sleep = sleep
        self._first_wait_s = first_wait_s
        self._max_wait_s = max_wait_s
        self._max_job_s = max_job_s
        self._results_page = results_page
        self._clock = clock
        self.jobs: list[str] = []

    def batches(
        self, stream: str, query: str, kinds: Mapping[str, Kind]
    ) -> Iterator[list[dict[str, Any]]]:
        job, state = self._create(stream, query)
        self.jobs.append(job)
        if state != _DONE:
            self._wait(stream, job)
        locator = ""
        seen: set[str] = set()
        while True:
            response = self._results(stream, job, locator)
            yield [typed_row(kinds, row) for row in _csv_rows(response.content)]
            locator = response.headers.get("Sforce-Locator", "")
            if not locator or locator == "null":
                return
            if locator in seen:
                raise CrmRefused(f"Salesforce repeated the results locator of bulk job {job}")
            seen.add(locator)

    def _create(self, stream: str, query: str) -> tuple[str, str]:
        body = json.dumps(
            {
                "operation": "queryAll",
                "query": query,
                "columnDelimiter": "COMMA",
                "lineEnding": "LF",
            }
        )
        info = self.session.run(
            f"create bulk job for {stream}",
            lambda sf: _send(sf, "POST", "query", data=body).json(),
        )
        job = info.get("id") if isinstance(info, dict) else None
        if not isinstance(job, str) or not job:
            raise RetryableError(f"Salesforce created a bulk job for {stream} without an id")
        return job, str(info.get("state") or "")

    def _wait(self, stream: str, job: str) -> None:
        started, wait = self._clock(), self._first_wait_s
        while True:
            info = self.session.run(
                f"poll bulk job {job} ({stream})",
                lambda sf: _send(sf, "GET", f"query/{job}").json(),
            )
            state = info.get("state") if isinstance(info, dict) else None
            if state == _DONE:
                return
            if state in _FAILED:
                message = info.get("errorMessage") or state
                raise CrmRefused(f"Salesforce bulk job {job} for {stream} {state}: {message}")
            if self._clock() - started > self._max_job_s:
                raise RetryableError(
                    f"Salesforce bulk job {job} for {stream} still {state} after "
                    f"{self._max_job_s:.0f} s; the next run starts over"
                )
            self._sleep(wait)
            wait = min(wait * 2, self._max_wait_s)

    def _results(self, stream: str, job: str, locator: str) -> requests.Response:
        params: dict[str, str | int] = {"maxRecords": self._results_page}
        if locator:
            params["locator"] = locator
        return self.session.run(
            f"read bulk results of {stream}",
            lambda sf: _send(sf, "GET", f"query/{job}/results", params=params, csv=True),
        )


def _send(
    sf: Salesforce, method: str, path: str, *, csv: bool = False, **kwargs: Any
) -> requests.Response:
    """One Bulk 2.0 call with the client's current token; errors raise simple-salesforce's."""
    headers = {
        "Authorization": f"Bearer {sf.session_id}",
        "Content-Type": "application/json",
        "Accept": "text/csv" if csv else "application/json",
    }
    response: requests.Response = call_salesforce(
        url=sf.bulk2_url + path, method=method, session=sf.session, headers=headers, **kwargs
    )
    return response


def _csv_rows(content: bytes) -> Iterator[dict[str, str]]:
    text = content.decode("utf-8", errors="replace").replace("\x00", "")
    yield from csv.DictReader(io.StringIO(text))
