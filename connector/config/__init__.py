"""Configuration: TOML plus environment into one frozen, validated object."""

from connector.config.load import load_config
from connector.config.model import Config

__all__ = ["Config", "load_config"]
