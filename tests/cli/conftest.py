from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "partnerpulse"

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def partnerpulse() -> Run:
    """Run the installed ``partnerpulse`` console script, as a user would."""

    def run(
        *args: str, env: dict[str, str] | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN), *args], capture_output=True, text=True, timeout=timeout, env=env, check=False
        )

    return run
