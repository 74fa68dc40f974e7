"""HubSpotAdapter: the engine's view of one HubSpot portal (the adapter contract in HELPERS.md).

Streams, in pull order: ``owners``, ``companies``, ``calls``, ``emails``, ``meetings``,
``notes``, ``tasks``, ``deals``, ``tickets``. One governor paces every stream and every
write; one ``ApiCalls`` counts every request (the OAuth refresh included). Pipelines are
read at most once per run, and only when a deal or ticket needs mapping. Write-back
(``apply``, ``find_tasks``) is ``writes.py``'s.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.calls import ApiCalls
from adapters.hubspot.auth import OAuthRefresher, StaticToken, TokenSource
from adapters.hubspot.client import HubSpotClient
from adapters.hubspot.governor import Governor, limits_for
from adapters.hubspot.owners import list_owners, load_stages, pull_owners
from adapters.hubspot.schema import check_schema
from adapters.hubspot.search import Search
from adapters.hubspot.streams import ObjectStream
from adapters.hubspot.writes import Writer
from connector.config.crm import HubSpotConfig
from connector.config.mappings import MappingOverride
from connector.config.writeback import WritebackConfig
from connector.errors import ConfigError
from connector.model import System
from connector.operations import Operation, OperationResult
from connector.ports import Cursor, Page
from mappings.hubspot import STREAMS, Stages, load

ARCHIVED_CHECK_S = 3600  # HubSpotConfig.archived_check_s's default
DELETION_WINDOW = timedelta(days=90)  # HubSpot keeps archived records 90 days


def token_source(config: HubSpotConfig, calls: ApiCalls) -> TokenSource:
    """The credentials ``config.auth`` names; ConfigError when a secret is missing."""
    if config.auth == "private_app":
        token = config.secret("token")
        if token is None:
            raise ConfigError("[hubspot] auth = 'private_app' needs token_env or token_file")
        return StaticToken(token)
    secret, refresh = config.secret("client_secret"), config.secret("refresh_token")
    if config.client_id is None or secret is None or refresh is None:
        raise ConfigError(
            "[hubspot] auth = 'oauth' needs client_id, client_secret_env/_file "
            "and refresh_token_env/_file"
        )
    return OAuthRefresher(
        config.base_url,
        client_id=config.client_id,
        client_secret=secret,
        refresh_token=refresh,
        calls=calls,
        timeout_s=config.timeout_s,
    )


class HubSpotAdapter:
    """Pulls one HubSpot portal as pages of canonical records."""

    system: System = "hubspot"
    streams: tuple[str, ...] = STREAMS
    deletion_window: timedelta = DELETION_WINDOW

    def __init__(
        self,
        config: HubSpotConfig,
        *,
        mapping: MappingOverride,
        writeback: WritebackConfig,
        run_started_at: datetime,
        sleep: Callable[[float], None] = time.sleep,
        tokens: TokenSource | None = None,
        governor: Governor | None = None,
    ) -> None:
        if run_started_at.tzinfo is None:
            raise ValueError("run_started_at must be timezone-aware")
        self.config = config
        self.run_started_at = run_started_at.astimezone(UTC)
        self.calls = ApiCalls("hubspot")
        self.governor = governor or Governor(
            limits_for(config.tier), daily_reserve=config.daily_reserve, sleep=sleep
        )
        source = tokens or token_source(config, self.calls)
        static = config.secret("token") if config.auth == "private_app" else None
        self.client = HubSpotClient(
            config.base_url,
            tokens=source,
            governor=self.governor,
            calls=self.calls,
            timeout_s=config.timeout_s,
            max_retries=config.max_retries,
            sleep=sleep,
            initial_token=static.get_secret_value() if static else None,
        )
        self.mapping = load(
            mapping.model_dump(exclude_none=True),
            tags=writeback.hubspot_properties,
            task_key=writeback.hubspot_task_key_property,
        )
        self.group = writeback.hubspot_group
        self.lookback = timedelta(seconds=config.lookback_s)
        self.archived_every = timedelta(seconds=config.archived_check_s)
        self._stages: dict[str, Stages] = {}
        self.writer = Writer(self.client, task_key_property=writeback.hubspot_task_key_property)

    def pull(self, stream: str, cursor: Cursor | None, *, full: bool) -> Iterator[Page]:
        """Pages of ``stream`` after ``cursor`` (everything when ``full``), in order; each
        page's cursor is true once that page is committed."""
        if stream not in self.streams:
            raise ValueError(f"{stream!r} is not a HubSpot stream; streams: {self.streams}")
        if stream == "owners":
            return pull_owners(
                self.client,
                self.mapping,
                cursor,
                full=full,
                run_started_at=self.run_started_at,
                lookback=self.lookback,
                archived_every=self.archived_every,
            )
        puller = ObjectStream(
            self.client,
            self.mapping,
            stream,
            run_started_at=self.run_started_at,
            lookback=self.lookback,
            archived_every=self.archived_every,
            stages=self.stages,
        )
        return puller.pages(cursor, full=full)

    def stages(self, object_type: str) -> Stages:
        """Closed/won stages of ``deals`` or ``tickets``, read once per run."""
        if object_type not in self._stages:
            self._stages[object_type] = load_stages(self.client, object_type)
        return self._stages[object_type]

    def count(self, stream: str) -> int:
        """How many live records HubSpot holds now (search ``total``; owners are listed)."""
        if stream == "owners":
            return sum(1 for _ in list_owners(self.client, archived=False))
        if stream not in self.streams:
            raise ValueError(f"{stream!r} is not a HubSpot stream")
        request = Search(limit=1, properties=("hs_object_id",)).request()

        def run() -> Any:
            return self.client.search_api.do_search(stream, request, _preload_content=False)

        answer = self.client.call_json(f"POST /crm/v3/objects/{stream}/search", run)
        return int(answer.get("total") or 0)

    def check_schema(self) -> list[str]:
        return check_schema(self.client, self.mapping, self.group)

    def apply(self, operations: Sequence[Operation]) -> list[OperationResult]:
        """Write tags and tasks; one result per operation whose outcome is known."""
        return self.writer.apply(operations)

    def find_tasks(self, task_keys: Sequence[str]) -> dict[str, str]:
        """``{task_key: task_id}`` for the keys a live task carries."""
        return self.writer.find_tasks(task_keys)

    def budget(self) -> dict[str, object]:
        return {**self.governor.budget(), "calls_this_run": self.calls.total}

    def close(self) -> None:
        self.client.close()
