"""The adapter's public surface and how it builds the SDK client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import adapters.hubspot
from adapters.hubspot import HubSpotAdapter
from adapters.hubspot.transport import endpoint_template, is_search
from connector.config.crm import HubSpotConfig
from connector.config.mappings import MappingOverride
from connector.config.writeback import WritebackConfig
from connector.errors import ConfigError
from tests.adapters_hubspot.harness import Sandbox


def test_all_is_the_surface() -> None:
    assert adapters.hubspot.__all__ == ["ARCHIVED_CHECK_S", "DELETION_WINDOW", "HubSpotAdapter"]
    for name in adapters.hubspot.__all__:
        assert getattr(adapters.hubspot, name) is not None


def test_class_attributes_the_engine_relies_on() -> None:
    assert HubSpotAdapter.system == "hubspot"
    assert HubSpotAdapter.streams == (
        "owners",
        "companies",
        "calls",
        "emails",
        "meetings",
        "notes",
        "tasks",
        "deals",
        "tickets",
    )
    assert HubSpotAdapter.deletion_window == timedelta(days=90)
    assert adapters.hubspot.ARCHIVED_CHECK_S == 3600


def test_the_sdk_is_built_without_retries_and_without_a_trailing_slash(sandbox: Sandbox) -> None:
    adapter = sandbox.adapter(base_url=sandbox.url + "/")
    client = adapter.client
    apis = [
        client.search_api,
        client.objects_api,
        client.associations_api,
        client.owners_api,
        client.pipelines_api,
        client.properties_api,
        client.groups_api,
    ]
    for api in apis:
        configuration = api.api_client.configuration
        assert configuration.retries is None  # retries are adapters/retry.py's
        assert configuration.host == sandbox.url
        assert api.api_client.rest_client.pool_manager is client.pool  # one counted pool
    assert adapter.count("companies") == len(sandbox.live_ids("companies"))


def test_unknown_streams_and_naive_times_are_refused(sandbox: Sandbox) -> None:
    adapter = sandbox.adapter()
    with pytest.raises(ValueError, match="not a HubSpot stream"):
        adapter.pull("contacts", None, full=True)
    with pytest.raises(ValueError, match="timezone-aware"):
        sandbox.adapter(run_started_at=datetime(2024, 1, 1))


def test_missing_credentials_are_config_errors() -> None:
    config = HubSpotConfig(auth="oauth")  # not enabled, so the config itself let it pass
    with pytest.raises(ConfigError, match="client_id"):
        HubSpotAdapter(
            config,
            mapping=MappingOverride(),
            writeback=WritebackConfig(),
            run_started_at=datetime.now(UTC),
        )
    with pytest.raises(ConfigError, match="token_env or token_file"):
        HubSpotAdapter(
            HubSpotConfig(),
            mapping=MappingOverride(),
            writeback=WritebackConfig(),
            run_started_at=datetime.now(UTC),
        )


@pytest.mark.parametrize(
    ("method", "url", "template"),
    [
        (
            "post",
            "http://h/crm/v3/objects/companies/search",
            "POST /crm/v3/objects/companies/search",
        ),
        ("GET", "http://h/crm/v3/objects/calls/123456?x=1", "GET /crm/v3/objects/calls/{id}"),
        ("GET", "http://h/crm/v3/owners/", "GET /crm/v3/owners"),
        ("GET", "http://h//crm/v3/pipelines/deals", "GET /crm/v3/pipelines/deals"),
        (
            "POST",
            "http://h/crm/v4/associations/calls/companies/batch/read",
            "POST /crm/v4/associations/calls/companies/batch/read",
        ),
        (
            "GET",
            "http://h/crm/v3/properties/companies/groups/partnerpulse",
            "GET /crm/v3/properties/companies/groups/{group}",
        ),
        (
            "GET",
            "http://h/oauth/v1/access-tokens/CNxyz-secret",
            "GET /oauth/v1/access-tokens/{token}",
        ),
    ],
)
def test_endpoint_templates(method: str, url: str, template: str) -> None:
    assert endpoint_template(method, url) == template


def test_only_search_posts_are_search() -> None:
    assert is_search("POST /crm/v3/objects/companies/search")
    assert not is_search("GET /crm/v3/objects/companies")
    assert not is_search("POST /crm/v4/associations/calls/companies/batch/read")
