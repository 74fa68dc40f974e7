"""`python -m sandbox`: serve prints one JSON line, stops on SIGTERM; generate writes a folder."""

from __future__ import annotations

import json
import select
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import httpx
import pytest

from sandbox.fixture import load_fixture

SANDBOX = [sys.executable, "-m", "sandbox"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SANDBOX, *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_serve_prints_one_ready_line_and_stops_on_sigterm(tmp_path: Path) -> None:
    config = tmp_path / "pp.toml"
    command = [*SANDBOX, "serve", "--partners", "20", "--seed", "4", "--hubspot-tier", "PRO"]
    with subprocess.Popen(
        [*command, "--write-config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 90)
        assert ready, "no ready line within 90 s"
        line = json.loads(proc.stdout.readline())
        with httpx.Client(trust_env=False) as client:
            stats = client.get(f"{line['hubspot']['url']}/__sandbox/stats")
        assert stats.status_code == 200
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert out == ""  # exactly one line
    assert (line["partners"], line["seed"], line["hubspot"]["tier"]) == (20, 4, "professional")
    assert line["config"] == str(config)
    assert tomllib.loads(config.read_text())["hubspot"]["base_url"] == line["hubspot"]["url"]
    assert not Path(line["workdir"]).exists()  # run secrets and TLS files are cleaned up


def test_generate_writes_a_fixture_and_prints_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "world"
    done = _run("generate", "--partners", "15", "--seed", "2", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 1
    world = load_fixture(out)
    assert world.partners == 15
    total = sum(world.counts().values())
    assert done.stdout.startswith(f"wrote {total} records for 15 partners (seed 2) to {out}")
    assert f"salesforce.Task={len(world.salesforce['Task'])}" in done.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["serve", "--faults", "hubspot.boom=1"], "--faults: fault 'hubspot.boom=1'"),
        (["serve", "--fixture", "{tmp}/missing"], "{tmp}/missing: fixture folder not found"),
        (
            ["serve", "--fixture", "{tmp}/bad"],
            '{tmp}/bad/salesforce/Account.json: record 0 has no "Id"',
        ),
        (["serve", "--fixture", "{tmp}/odd"], "{tmp}/odd/salesforce: "),
        (["generate", "--partners", "3", "--out", "{tmp}/file"], "exists and is not a folder"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_problem(
    tmp_path: Path, args: list[str], expected: str
) -> None:
    (tmp_path / "bad" / "salesforce").mkdir(parents=True)
    (tmp_path / "bad" / "salesforce" / "Account.json").write_text('[{"Name": "x"}]')
    (tmp_path / "odd" / "salesforce").mkdir(parents=True)
    (tmp_path / "odd" / "salesforce" / "Account.json").write_text(
        '[{"Id": "0015g00000AbCdEAAV", "Name": "x", "Bogus__c": 1}]'
    )
    (tmp_path / "file").write_text("")
    done = _run(*(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.splitlines() == [done.stderr.strip()]
    assert done.stderr.startswith("error: ")
    assert expected.replace("{tmp}", str(tmp_path)) in done.stderr
    assert "Traceback" not in done.stderr
