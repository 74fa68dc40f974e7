"""``partnerpulse --version``, ``--help`` and ``check``: exit codes and one-line errors."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from tests.cli.conftest import Run

ROOT = Path(__file__).resolve().parents[2]


def test_version(partnerpulse: Run) -> None:
    done = partnerpulse("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"partnerpulse {version('partnerpulse')}"


def test_help_lists_the_commands(partnerpulse: Run) -> None:
    done = partnerpulse("--help")
    assert done.returncode == 0
    for command in ("check", "sandbox"):
        assert command in done.stdout


def test_check_accepts_the_example(partnerpulse: Run) -> None:
    done = partnerpulse("check", "--config", str(ROOT / "config.example.toml"))
    assert done.returncode == 0, done.stderr
    assert "workspace default" in done.stdout


def test_check_refuses_a_bad_config_in_one_line(partnerpulse: Run, tmp_path: Path) -> None:
    cases = {
        "unknown.toml": ("[state]\nurll = 'x'\n", "state.urll: unknown key"),
        "type.toml": ("[salesforce]\ntimeout_s = 'slow'\n", "salesforce.timeout_s"),
        "secret.toml": (
            "[hubspot]\nenabled = true\ntoken_env = 'PP_SURELY_UNSET_VAR'\n",
            "PP_SURELY_UNSET_VAR is not set",
        ),
    }
    for name, (text, expected) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        done = partnerpulse("check", "--config", str(path))
        assert done.returncode == 2, (name, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, done.stderr
        assert str(path) in lines[0]
        assert expected in lines[0]
        assert "Traceback" not in done.stderr
