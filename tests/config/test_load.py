"""Config loading: the example mirrors the model; bad configs fail in one line (key, file)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel

from connector.config import Config, load_config
from connector.errors import ConfigError, ExitCode
from connector.logs import redact_text

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config.example.toml"


def write(tmp_path: Path, text: str, name: str = "pp.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "\n" not in message
    assert caught.value.exit_code == ExitCode.BAD_INPUT
    return message


def _leaf_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys: list[str] = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys.extend(_leaf_keys(annotation, f"{prefix}{name}."))
        else:
            keys.append(prefix + name)
    return keys


def test_the_example_is_the_defaults() -> None:
    assert load_config(EXAMPLE) == Config()


def test_the_example_names_every_setting() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    missing = [
        key
        for key in _leaf_keys(Config)
        if f"{key.rsplit('.', 1)[-1]} =" not in text and f"[{key}]" not in text
    ]
    assert missing == []


def test_the_example_has_every_section() -> None:
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert set(data) == set(Config.model_fields)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[salesforce]\nusrname = 'x'\n",
            "salesforce.usrname: unknown key (did you mean 'username'?)",
        ),
        ("[nonsense]\nx = 1\n", "nonsense: unknown key"),
        ("[state]\nurl = 42\n", "state.url: Input should be a valid string"),
        ("[scoring.weights]\ncommunication = 'lots'\n", "scoring.weights.communication"),
        ("[salesforce]\npage_size = 5000\n", "salesforce.page_size"),
        ("[workspace]\nname = 'Has Spaces'\n", "workspace.name"),
        ("[schedule.incremental]\ncron = '61 * * * *'\n", "schedule.incremental.cron"),
        ("[schedule.incremental]\nevery = 'often'\n", "not an interval"),
        ("[tiers]\ngold = 100\nsilver = 200\n", "silver (200) must be below gold (100)"),
        ("[playbooks.at_risk_call]\ntask = 'Call {owner}'\n", "playbooks.at_risk_call.task"),
        ("[playbooks.churn_party]\nenabled = true\n", "playbooks.churn_party: unknown key"),
        ("[state]\nurl = 'mysql://u:pw@h/db'\n", "is not a sqlite:/// or postgresql:// URL"),
        (
            "[mappings.salesforce]\n"
            "partner_filter = { field = \"Type' OR 1=1\", values = ['x'] }\n",
            "is not a field name",
        ),
    ],
)
def test_bad_values_name_the_key_and_the_file(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    message = error_of(path)
    assert message.startswith(f"{path}: ")
    assert expected in message


def test_an_inline_secret_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "[hubspot]\nenabled = true\ntoken = 'pat-na1-abc'\n")
    message = error_of(path)
    assert "token_env" in message
    assert "token_file" in message
    assert "pat-na1-abc" not in message


def test_a_missing_secret_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PP_TEST_TOKEN", raising=False)
    path = write(tmp_path, "[hubspot]\nenabled = true\ntoken_env = 'PP_TEST_TOKEN'\n")
    message = error_of(path)
    assert "hubspot" in message
    assert "PP_TEST_TOKEN is not set" in message


def test_an_enabled_crm_needs_its_secrets(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "[salesforce]\nenabled = true\nclient_id = 'k'\n"))
    assert "salesforce" in message
    assert "client_secret_env or client_secret_file" in message


def test_secrets_by_file_relative_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "hs").write_text("pat-na1-canary\n", encoding="utf-8")
    path = write(tmp_path, "[hubspot]\nenabled = true\ntoken_file = 'secrets/hs'\n")
    config = load_config(path)
    secret = config.hubspot.secret("token")
    assert secret is not None
    assert secret.get_secret_value() == "pat-na1-canary"
    for shown in (repr(config), str(config), config.model_dump_json()):
        assert "pat-na1-canary" not in shown


def test_an_unreadable_secret_file_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "[hubspot]\nenabled = true\ntoken_file = 'nope'\n")
    assert "token_file: cannot read" in error_of(path)


def test_secrets_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PP_TEST_TOKEN", "pat-na1-env")
    config = load_config(
        write(tmp_path, "[hubspot]\nenabled = true\ntoken_env = 'PP_TEST_TOKEN'\n")
    )
    secret = config.hubspot.secret("token")
    assert secret is not None
    assert secret.get_secret_value() == "pat-na1-env"


def test_the_environment_overrides_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARTNERPULSE_STATE__URL", "postgresql://pp@db/pp")
    monkeypatch.setenv("PARTNERPULSE_SCORING__WEIGHTS__COMMUNICATION", "30")
    config = load_config(write(tmp_path, "[state]\nurl = 'sqlite:///x.db'\n"))
    assert config.state.url == "postgresql://pp@db/pp"
    assert config.scoring.weights.communication == 30


def test_a_bad_environment_value_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARTNERPULSE_SALESFORCE__PAGE_SIZE", "lots")
    message = error_of(write(tmp_path, ""))
    assert message.startswith("PARTNERPULSE_SALESFORCE__PAGE_SIZE (environment): ")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"[state\nurl = 1\n", "not valid TOML"),
        (b"[state]\nurl = '\xff\xfe'\n", "not UTF-8"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(content)
    message = error_of(path)
    assert message.startswith(f"{path}: ")
    assert expected in message


def test_a_missing_file(tmp_path: Path) -> None:
    assert "no such config file" in error_of(tmp_path / "absent.toml")


def test_config_is_frozen() -> None:
    config = Config()
    with pytest.raises(Exception, match="frozen"):
        config.workspace.name = "other"  # type: ignore[misc]


def test_a_password_in_the_state_url_is_redacted_from_logs(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[state]\nurl = "postgresql://pp:Canary-9f3a1@db.example.com/partnerpulse"\n'
    )
    config = load_config(path)
    assert "Canary-9f3a1" in config.secret_values()
    assert "Canary-9f3a1" not in redact_text("connect failed: password Canary-9f3a1 refused")
