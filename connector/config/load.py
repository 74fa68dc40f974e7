"""Reading a config file: TOML in, a frozen :class:`Config` out, or one line that names
the key and the file."""

from __future__ import annotations

import difflib
import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from connector.config.model import ENV_DELIMITER, ENV_PREFIX, Config, build
from connector.errors import ConfigError
from connector.logs import register_secrets

_PATH_KEYS = ("ca_bundle", "private_key_file")


def load_config(path: Path | str) -> Config:
    """Load and validate ``path``; relative ``*_file`` paths are taken from its folder."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a config file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    _anchor_paths(data, path.parent)
    try:
        config = build(data)
    except ValidationError as exc:
        raise ConfigError(describe(exc, path)) from None
    register_secrets(config.secret_values())
    return config


def _anchor_paths(node: Any, base: Path) -> None:
    """Make relative file paths relative to the config's folder, not the working directory."""
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if isinstance(value, dict):
            _anchor_paths(value, base)
        elif isinstance(value, str) and (key.endswith("_file") or key in _PATH_KEYS) and value:
            candidate = Path(value).expanduser()
            node[key] = str(candidate if candidate.is_absolute() else base / candidate)


def describe(exc: ValidationError, path: Path) -> str:
    """The first validation error as one line: file and key (or variable), what is wrong."""
    error = exc.errors()[0]
    loc = [str(part) for part in error["loc"]]
    key = ".".join(loc) if loc else "(top level)"
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key" + _suggestion(loc)
    elif error["type"] == "missing":
        message = "required key is missing"
    elif "input" in error and error["type"] not in ("value_error", "assertion_error"):
        message = f"{message} (got {_show(error['input'])})"
    env = ENV_PREFIX + ENV_DELIMITER.join(part.upper() for part in loc)
    where = f"{env} (environment)" if env in os.environ else f"{path}: {key}"
    return f"{where}: {message}"


def _suggestion(loc: list[str]) -> str:
    """'did you mean' for a misspelt key, from the fields of the table it sits in."""
    model: type[BaseModel] | None = Config
    for part in loc[:-1]:
        if model is None:
            return ""
        field = model.model_fields.get(part)
        annotation = field.annotation if field else None
        model = (
            annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel)
            else None
        )
    if model is None:
        return ""
    close = difflib.get_close_matches(loc[-1], list(model.model_fields), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
