"""``[salesforce]`` and ``[hubspot]``: where each CRM is, how to sign in, how hard to push it."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, PrivateAttr, SecretStr, field_validator, model_validator

from connector.config import secrets
from connector.config.base import Section

SalesforceAuth = Literal["client_credentials", "jwt", "password", "session"]
HubSpotAuth = Literal["private_app", "oauth"]
HubSpotTier = Literal["free", "starter", "professional", "enterprise"]

_SF_SECRETS = ("client_secret", "password", "security_token", "access_token")
_HS_SECRETS = ("token", "client_secret", "refresh_token")


class SalesforceConfig(Section):
    """One Salesforce org. ``login_url`` is login, test, or a My Domain; ``instance_url`` is
    needed only for ``session`` auth (the token flows return it)."""

    enabled: bool = False
    auth: SalesforceAuth = "client_credentials"
    login_url: str = "https://login.salesforce.com"
    instance_url: str | None = None
    api_version: str = Field(default="59.0", pattern=r"^\d{2,3}\.0$")
    client_id: str | None = None
    client_secret_env: str | None = None
    client_secret_file: Path | None = None
    username: str | None = None
    password_env: str | None = None
    password_file: Path | None = None
    security_token_env: str | None = None
    security_token_file: Path | None = None
    private_key_file: Path | None = None
    access_token_env: str | None = None
    access_token_file: Path | None = None
    ca_bundle: Path | None = None
    timeout_s: float = Field(default=60.0, gt=0)
    page_size: int = Field(default=2000, ge=200, le=2000)
    bulk_threshold: int = Field(default=10_000, ge=0)
    lookback_s: int = Field(default=300, ge=0)
    daily_reserve: float = Field(default=0.2, ge=0, lt=1)
    max_retries: int = Field(default=5, ge=0, le=20)

    _secrets: dict[str, SecretStr] = PrivateAttr(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _no_inline_secrets(cls, data: Any) -> Any:
        return secrets.refuse_inline(data, _SF_SECRETS)

    @field_validator("login_url", "instance_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError(f"{value!r} must be an https:// URL (Salesforce speaks only TLS)")
        return value.rstrip("/") if value else value

    @model_validator(mode="after")
    def _resolve(self) -> SalesforceConfig:
        for name in _SF_SECRETS:
            found = secrets.resolve(
                name, getattr(self, f"{name}_env"), getattr(self, f"{name}_file")
            )
            if found is not None:
                self._secrets[name] = found
        if self.enabled:
            _require(self, self._needed(), "salesforce")
        if self.ca_bundle is not None and not self.ca_bundle.is_file():
            raise ValueError(f"ca_bundle: {self.ca_bundle} does not exist")
        if self.private_key_file is not None and not self.private_key_file.is_file():
            raise ValueError(f"private_key_file: {self.private_key_file} does not exist")
        return self

    def _needed(self) -> tuple[str, ...]:
        return {
            "client_credentials": ("client_id", "client_secret"),
            "jwt": ("client_id", "username", "private_key_file"),
            "password": ("client_id", "client_secret", "username", "password"),
            "session": ("instance_url", "access_token"),
        }[self.auth]

    def secret(self, name: str) -> SecretStr | None:
        return self._secrets.get(name)

    def secrets(self) -> list[SecretStr]:
        return list(self._secrets.values())


class HubSpotConfig(Section):
    """One HubSpot portal. ``tier`` sets the rate limits the governor keeps under."""

    enabled: bool = False
    auth: HubSpotAuth = "private_app"
    base_url: str = "https://api.hubapi.com"
    token_env: str | None = None
    token_file: Path | None = None
    client_id: str | None = None
    client_secret_env: str | None = None
    client_secret_file: Path | None = None
    refresh_token_env: str | None = None
    refresh_token_file: Path | None = None
    tier: HubSpotTier = "professional"
    timeout_s: float = Field(default=60.0, gt=0)
    lookback_s: int = Field(default=300, ge=0)
    # Archiving does not move hs_lastmodifieddate, so archived records are listed
    # separately, at most this often (a run with nothing changed stays at one call a stream).
    archived_check_s: int = Field(default=3600, ge=0)
    daily_reserve: float = Field(default=0.2, ge=0, lt=1)
    max_retries: int = Field(default=5, ge=0, le=20)

    _secrets: dict[str, SecretStr] = PrivateAttr(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _no_inline_secrets(cls, data: Any) -> Any:
        return secrets.refuse_inline(data, _HS_SECRETS)

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"{value!r} must be an http(s):// URL")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _resolve(self) -> HubSpotConfig:
        for name in _HS_SECRETS:
            found = secrets.resolve(
                name, getattr(self, f"{name}_env"), getattr(self, f"{name}_file")
            )
            if found is not None:
                self._secrets[name] = found
        if self.enabled:
            needed = (
                ("token",)
                if self.auth == "private_app"
                else ("client_id", "client_secret", "refresh_token")
            )
            _require(self, needed, "hubspot")
        return self

    def secret(self, name: str) -> SecretStr | None:
        return self._secrets.get(name)

    def secrets(self) -> list[SecretStr]:
        return list(self._secrets.values())


def _require(section: SalesforceConfig | HubSpotConfig, names: tuple[str, ...], where: str) -> None:
    for name in names:
        present = section.secret(name) if f"{name}_env" in type(section).model_fields else None
        if present is None and getattr(section, name, None) is None:
            hint = (
                f"{name}_env or {name}_file"
                if f"{name}_env" in type(section).model_fields
                else name
            )
            raise ValueError(f"auth = {section.auth!r} needs {hint} in [{where}]")
