"""Bad configs through the real CLI: ``partnerpulse check --config F`` exits 2 with one line
on stderr naming the file and the key, never a traceback, never an echoed secret.

Every file of ``corpus/configs`` runs in-process through typer's runner (fast); a few run
through the installed console script as well, to prove the wiring a user meets.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connector.cli.app import app
from tests.reliability.inputs import BadConfig, bad_configs

CONFIGS = bad_configs()
BIN = Path(sys.executable).parent / "partnerpulse"
# A clean environment: no PARTNERPULSE_* override of the runner's, none of the corpus's
# *_env variables set (their names are unique to the corpus).
ENV = {k: v for k, v in os.environ.items() if not k.startswith(("PARTNERPULSE_", "PP_BADINPUT_"))}


def _assert_one_line(case: BadConfig, code: int, stderr: str) -> None:
    assert code == 2, stderr
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    line = lines[0]
    assert line.startswith(f"partnerpulse: {case.path}: "), line
    if case.key is not None:
        assert f": {case.key}" in line, line
    assert case.expect in line, line
    if case.absent is not None:
        assert case.absent not in stderr


def test_the_corpus_is_big_enough() -> None:
    kinds = Counter(case.kind for case in CONFIGS)
    assert len(CONFIGS) >= 30, kinds
    for kind in (
        "unknown key",
        "wrong type",
        "missing secret",
        "bad cron",
        "partner filter",
        "mapping override",
        "not UTF-8",
        "huge string",
        "nulls and blanks",
    ):
        assert kinds[kind] >= 1, kind


@pytest.mark.parametrize("case", CONFIGS, ids=[c.id for c in CONFIGS])
def test_check_refuses_in_one_line(case: BadConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in os.environ:
        if name.startswith(("PARTNERPULSE_", "PP_BADINPUT_")):
            monkeypatch.delenv(name)
    result = CliRunner().invoke(app, ["check", "--config", str(case.path)])
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.stdout == ""
    _assert_one_line(case, result.exit_code, result.stderr)


SCRIPTED = ("33-latin1", "27-writeback-injected-task-key", "16-bad-timezone")


@pytest.mark.parametrize("name", SCRIPTED)
def test_the_console_script_refuses_in_one_line(name: str) -> None:
    (case,) = [c for c in CONFIGS if c.id == name]
    done = subprocess.run(
        [str(BIN), "check", "--config", str(case.path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=ENV,
        check=False,
    )
    assert done.stdout == ""
    _assert_one_line(case, done.returncode, done.stderr)
