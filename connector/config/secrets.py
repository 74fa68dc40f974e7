"""Secrets by reference: a config names an environment variable (``*_env``) or a file
(``*_file``) holding the secret, never the secret itself."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import SecretStr


def refuse_inline(data: Any, names: tuple[str, ...]) -> Any:
    """Reject ``name = "..."`` for secret names; point at the two allowed forms."""
    if isinstance(data, dict):
        for name in names:
            if name in data:
                raise ValueError(
                    f"{name}: secrets are given by reference — use {name}_env "
                    f"(an environment variable's name) or {name}_file (a file's path)"
                )
    return data


def resolve(name: str, env: str | None, file: Path | None) -> SecretStr | None:
    """Read the secret ``name`` from the named variable or file; None when neither is set."""
    if env and file:
        raise ValueError(f"{name}: give {name}_env or {name}_file, not both")
    if env:
        value = os.environ.get(env)
        if not value:
            raise ValueError(f"{name}_env: environment variable {env} is not set")
        return SecretStr(value)
    if file:
        try:
            text = file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ValueError(f"{name}_file: cannot read {file}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise ValueError(f"{name}_file: {file} is not UTF-8 text") from None
        if not text:
            raise ValueError(f"{name}_file: {file} is empty")
        return SecretStr(text)
    return None
