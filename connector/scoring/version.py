"""The config version stamped on every snapshot: a short, stable hash of the scoring rules.

Any change to ``[scoring]``, ``[segments]``, ``[tiers]`` or ``[playbooks]`` (a weight, a
threshold, a task text) gives a new version; equal values give the same one however they
were written (``20`` or ``20.0``).
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from connector.config.scoring import ScoringSections

SECTIONS = ("scoring", "segments", "tiers", "playbooks")
VERSION_LENGTH = 12


def config_version(settings: ScoringSections) -> str:
    """The first 12 hex digits of the SHA-256 of the sections' canonical JSON."""
    document = {name: getattr(settings, name).model_dump(mode="python") for name in SECTIONS}
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), default=_canonical)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:VERSION_LENGTH]


def _canonical(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    raise TypeError(f"cannot version a config value of type {type(value).__name__}")
