"""The base of every config section: frozen, strict about unknown keys."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    """A config table. Unknown keys are refused so a typo never silently does nothing."""

    model_config = ConfigDict(frozen=True, extra="forbid")
