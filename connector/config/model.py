"""The root config: every section, frozen, with environment overrides for every key.

Environment variables ``PARTNERPULSE_<SECTION>__<KEY>`` (``__`` between levels) win over
the file: ``PARTNERPULSE_STATE__URL=postgresql://...``.
"""

from __future__ import annotations

from typing import Any

from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from connector.config.crm import HubSpotConfig, SalesforceConfig
from connector.config.mappings import MappingsConfig
from connector.config.runtime import DaemonConfig, ScheduleConfig, StateConfig, WorkspaceConfig
from connector.config.scoring import PlaybooksConfig, ScoringConfig, SegmentsConfig, TiersConfig
from connector.config.writeback import WritebackConfig

ENV_PREFIX = "PARTNERPULSE_"
ENV_DELIMITER = "__"


class Config(BaseSettings):
    """Everything PartnerPulse is told; validated once, at the edge, then passed down."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=ENV_DELIMITER,
        frozen=True,
        extra="forbid",
        case_sensitive=False,
    )

    workspace: WorkspaceConfig = WorkspaceConfig()
    state: StateConfig = StateConfig()
    salesforce: SalesforceConfig = SalesforceConfig()
    hubspot: HubSpotConfig = HubSpotConfig()
    mappings: MappingsConfig = MappingsConfig()
    scoring: ScoringConfig = ScoringConfig()
    segments: SegmentsConfig = SegmentsConfig()
    tiers: TiersConfig = TiersConfig()
    playbooks: PlaybooksConfig = PlaybooksConfig()
    writeback: WritebackConfig = WritebackConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    daemon: DaemonConfig = DaemonConfig()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment overrides the file; no .env files, no secrets dir: secrets are
        # named explicitly by *_env / *_file keys.
        return (env_settings, init_settings)

    def secret_values(self) -> list[str]:
        """Every secret this config resolved, for log redaction; never printed."""
        found = [*self.salesforce.secrets(), *self.hubspot.secrets()]
        values = [secret.get_secret_value() for secret in found]
        password = self.state.password()
        return [*values, password] if password else values

    def systems(self) -> list[str]:
        """The CRMs this config syncs, in a fixed order."""
        return [s for s in ("salesforce", "hubspot") if getattr(self, s).enabled]


def build(data: dict[str, Any]) -> Config:
    """Validate a parsed TOML document (plus the environment) into a :class:`Config`."""
    return Config(**data)
