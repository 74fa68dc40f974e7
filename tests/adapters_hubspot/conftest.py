"""Fixtures for the HubSpot adapter tests: a small generated world in a sandbox portal."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# adapters/retry.py passes tenacity's deprecated ``initial=`` (tenacity 9.2 warns when the
# module is imported); reported to the lead. Import it once quietly so `filterwarnings =
# error` judges our code, not that line.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import adapters.retry  # noqa: F401

from sandbox.world import World, generate_world
from tests.adapters_hubspot.harness import PARTNERS, Sandbox


@pytest.fixture(scope="session")
def world() -> World:
    return generate_world(PARTNERS, seed=11)


SandboxFactory = Callable[..., Sandbox]


@pytest.fixture
def make_sandbox(world: World, tmp_path: Path) -> Iterator[SandboxFactory]:
    """Fresh portals holding ``world``'s HubSpot records (or ``objects`` given)."""
    made: list[Sandbox] = []

    def make(
        objects: dict[str, list[dict[str, Any]]] | None = None,
        owners: list[dict[str, Any]] | None = None,
        **options: Any,
    ) -> Sandbox:
        sandbox = Sandbox(
            world.hubspot if objects is None else objects,
            world.hubspot_owners if owners is None else owners,
            tmp_path,
            **options,
        )
        made.append(sandbox)
        return sandbox

    yield make
    for sandbox in made:
        sandbox.close()


@pytest.fixture
def sandbox(make_sandbox: SandboxFactory) -> Sandbox:
    return make_sandbox()
