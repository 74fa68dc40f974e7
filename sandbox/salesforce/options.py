"""Settings of one sandbox Salesforce org. Every credential defaults to None (that login flow
is then refused); callers such as ``sandbox serve`` generate them, never fixtures."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SalesforceOptions:
    """Knobs for the sandbox org; defaults mimic a Developer Edition org on API v59.0."""

    # Credentials. SOAP login wants password + security_token (the client concatenates them);
    # the OAuth password grant accepts the password with or without the token.
    username: str = "integration@partnerpulse.invalid"
    password: str | None = None
    security_token: str = ""
    consumer_key: str | None = None
    consumer_secret: str | None = None
    jwt_public_key: str | None = None  # PEM; enables the JWT bearer grant
    jwt_audiences: tuple[str, ...] = ("https://login.salesforce.com", "https://test.salesforce.com")
    client_credentials_enabled: bool = True  # needs consumer_key/secret too
    refresh_tokens: tuple[str, ...] = ()  # valid from start, as if issued by a web-server flow
    rotate_refresh_tokens: bool = False  # refresh grant then returns a new one, old one dies
    static_session_id: str | None = None  # valid from start (session-id auth)
    organization_id: str = "00DSB0000000001EAA"
    instance_url: str | None = None  # default: https://<Host header of the request>
    session_ttl_s: float = 7200.0  # lifetime of a session/access token from issue
    # Limits.
    daily_limit: int = 15_000
    daily_used: int = 0
    # Query behaviour.
    default_batch_size: int = 2000
    query_locator_ttl_s: float = 900.0
    max_uri_bytes: int = 16_384
    # Bulk API 2.0.
    bulk_job_delay_s: float = 0.0  # time a query job spends InProgress before JobComplete
    bulk_default_max_records: int = 50_000
    # Replication resources.
    deleted_retention_days: int = 15
    updated_window_days: int = 30
    # Schema.
    include_tool_fields: bool = True
    supported_versions: tuple[str, ...] = field(
        default_factory=lambda: tuple(f"{v}.0" for v in range(31, 63))
    )
