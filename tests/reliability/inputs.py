"""The bad-input corpus on disk: config files with their expectations, CRM records by case.

A config file opens with ``# kind:``, ``# key:`` (the dotted key its one-line error must
name; ``-`` when the file is not TOML at all), ``# expect:`` (a fragment of the message)
and optionally ``# absent:`` (a secret that must not be echoed). Record files are JSON
lists of ``{"case", "kind", "stream", "record"}`` plus either ``"quarantined"`` (a fragment
of the reason) or ``"mapped"`` (the record maps; a string is the instant it must read as).
A string too long to keep in a file is written ``{"$repeat": c, "times": n, "prefix": p}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).with_name("corpus")
CONFIGS = CORPUS / "configs"


@dataclass(frozen=True)
class BadConfig:
    path: Path
    kind: str
    key: str | None
    expect: str
    absent: str | None

    @property
    def id(self) -> str:
        return self.path.stem


def bad_configs() -> list[BadConfig]:
    found = []
    for path in sorted(CONFIGS.glob("*.toml")):
        head: dict[str, str] = {}
        for line in path.read_bytes().decode("ascii", errors="replace").splitlines():
            if not line.startswith("# "):
                break
            name, _, value = line[2:].partition(": ")
            head[name] = value
        key = head["key"]
        found.append(
            BadConfig(
                path, head["kind"], None if key == "-" else key, head["expect"], head.get("absent")
            )
        )
    return found


def _expand(value: Any) -> Any:
    if isinstance(value, dict):
        if "$repeat" in value:
            return value.get("prefix", "") + value["$repeat"] * value["times"]
        return {k: _expand(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v) for v in value]
    return value


def bad_records(system: str) -> list[dict[str, Any]]:
    """The corpus cases of ``system`` ("salesforce" or "hubspot"), huge strings expanded."""
    cases = json.loads((CORPUS / "records" / f"{system}.json").read_text(encoding="utf-8"))
    return [_expand(case) for case in cases]
