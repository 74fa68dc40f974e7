from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sandbox.world import World, generate_world

NOW = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.fixture(scope="session")
def world() -> World:
    """One mid-sized world shared by the read-only distribution tests."""
    return generate_world(400, 7, NOW)


@pytest.fixture(scope="session")
def small_world() -> World:
    return generate_world(40, 3, NOW)
