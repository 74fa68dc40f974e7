"""The Salesforce adapter the engine drives: streams, counts, schema check, budget, writes.

It wires the parts: a token source (httpx), a counted and governed session
(simple-salesforce over ``requests``), the stream reader (REST and Bulk 2.0) and the
field map. Nothing is sent until the first call that needs it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.calls import ApiCalls
from adapters.salesforce.auth import TokenSource
from adapters.salesforce.bulk import BulkReader
from adapters.salesforce.governor import Governor
from adapters.salesforce.schema import check
from adapters.salesforce.session import SalesforceSession
from adapters.salesforce.streams import StreamReader
from adapters.salesforce.writes import Writer
from connector.config.crm import SalesforceConfig
from connector.config.mappings import MappingOverride
from connector.config.writeback import WritebackConfig
from connector.errors import ConfigError
from connector.model import System
from connector.operations import Operation, OperationResult
from connector.ports import Cursor, Page
from mappings.salesforce import STREAMS, SalesforceMapping

DELETION_WINDOW = timedelta(days=15)


def build_mapping(mapping: MappingOverride, writeback: WritebackConfig) -> SalesforceMapping:
    """The field map from config objects, handed to the pure mapping as plain values."""
    flt = mapping.partner_filter
    try:
        return SalesforceMapping(
            mapping.fields,
            partner_filter=(flt.field, flt.values) if flt else None,
            tag_fields=writeback.salesforce_fields,
            task_key_field=writeback.salesforce_task_key_field,
        )
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


class SalesforceAdapter:
    """One Salesforce org as the engine sees it."""

    system: System = "salesforce"
    streams: tuple[str, ...] = STREAMS
    deletion_window: timedelta = DELETION_WINDOW

    def __init__(
        self,
        config: SalesforceConfig,
        *,
        mapping: MappingOverride,
        writeback: WritebackConfig,
        run_started_at: datetime,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if run_started_at.tzinfo is None:
            raise ValueError("run_started_at must be timezone-aware")
        self.config = config
        self.calls = ApiCalls("salesforce")
        self.mapping = build_mapping(mapping, writeback)
        self.governor = Governor(config.daily_reserve)
        self.tokens = TokenSource(config, self.calls)
        self.session = SalesforceSession(
            config, self.calls, self.governor, self.tokens, sleep=sleep
        )
        self.bulk = BulkReader(self.session, sleep=sleep)
        self.reader = StreamReader(
            self.session,
            self.mapping,
            self.bulk,
            cap=run_started_at.astimezone(UTC),
            page_size=config.page_size,
            bulk_threshold=config.bulk_threshold,
            lookback=timedelta(seconds=config.lookback_s),
        )
        self.writer = Writer(self.session, task_key_field=writeback.salesforce_task_key_field)

    def pull(self, stream: str, cursor: Cursor | None, *, full: bool) -> Iterator[Page]:
        """Pages of ``stream`` after ``cursor`` (everything when ``full``), each with its cursor."""
        self._known(stream)
        return self.reader.pull(stream, cursor, full=full)

    def count(self, stream: str) -> int:
        """Records ``stream`` holds now, up to the run's start (deleted ones excluded)."""
        self._known(stream)
        return self.reader.count(stream)

    def check_schema(self) -> list[str]:
        """Problems with the org's fields for the configured mapping, one line each."""
        return check(self.mapping, self._describe)

    def budget(self) -> dict[str, object]:
        """Daily API usage as last reported, our stop line, and this run's calls."""
        return {**self.governor.snapshot(), "calls_this_run": self.calls.total}

    def apply(self, operations: Sequence[Operation]) -> list[OperationResult]:
        """Write back tags and tasks, 200 records a request; one result per operation whose
        outcome is known (see ``writes.py``)."""
        return self.writer.apply(operations)

    def find_tasks(self, task_keys: Sequence[str]) -> dict[str, str]:
        """``{task_key: task_id}`` of the live tasks carrying these keys."""
        return self.writer.find_tasks(task_keys)

    def close(self) -> None:
        self.session.close()

    def _describe(self, obj: str) -> dict[str, Any]:
        result = self.session.run(f"describe {obj}", lambda sf: getattr(sf, obj).describe())
        return dict(result) if result else {}

    def _known(self, stream: str) -> None:
        if stream not in STREAMS:
            raise ConfigError(f"Salesforce has no stream {stream!r}; streams: {', '.join(STREAMS)}")
