"""Fixture folders: a world survives the round trip; a malformed folder names its bad file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandbox.fixture import FixtureError, load_fixture, write_fixture
from sandbox.world import HUBSPOT_OBJECTS, SALESFORCE_OBJECTS, World

ACCOUNT = {"Id": "0015g00000AbCdEAAV", "Name": "Amber Ridge Analytics", "Type": "Partner"}


def _folder(tmp_path: Path, files: dict[str, object | str]) -> Path:
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    return tmp_path


def test_write_then_load_gives_the_same_world(small_world: World, tmp_path: Path) -> None:
    write_fixture(small_world, tmp_path)
    assert load_fixture(tmp_path) == small_world


def test_the_folder_holds_one_file_per_object_and_the_truth_beside_them(
    small_world: World, tmp_path: Path
) -> None:
    write_fixture(small_world, tmp_path)
    assert sorted(p.name for p in (tmp_path / "salesforce").iterdir()) == sorted(
        f"{name}.json" for name in SALESFORCE_OBJECTS
    )
    assert sorted(p.name for p in (tmp_path / "hubspot").iterdir()) == sorted(
        f"{name}.json" for name in (*HUBSPOT_OBJECTS, "owners")
    )
    assert json.loads((tmp_path / "truth.json").read_text())["generator"]["seed"] == 3
    lines = (tmp_path / "salesforce" / "Account.json").read_text().splitlines()
    assert len(lines) == len(small_world.salesforce["Account"]) + 2  # one record per line


def test_rewriting_replaces_every_object_file(small_world: World, tmp_path: Path) -> None:
    write_fixture(small_world, tmp_path)
    empty = World(salesforce={}, hubspot={}, hubspot_owners=[], truth={})
    write_fixture(empty, tmp_path)
    loaded = load_fixture(tmp_path)
    assert not any(loaded.salesforce.values())
    assert not any(loaded.hubspot.values())


def test_a_hand_written_fixture_needs_only_the_files_it_uses(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        {
            "salesforce/Account.json": [ACCOUNT],
            "hubspot/companies.json": [{"id": 7, "properties": {"name": "Acme"}}],
        },
    )
    world = load_fixture(folder)
    assert world.salesforce["Account"] == [ACCOUNT]
    assert world.salesforce["Task"] == []
    assert world.hubspot["companies"][0]["id"] == "7"  # numbers become HubSpot's strings
    assert world.truth == {}
    assert world.partners == 1


@pytest.mark.parametrize(
    ("files", "bad_file", "message"),
    [
        ({"salesforce/Account.json": [{"Name": "x"}]}, "salesforce/Account.json", 'no "Id"'),
        (
            {"salesforce/Account.json": [{"Id": "0035g00000AbCdEAAV"}]},
            "salesforce/Account.json",
            "prefix 001",
        ),
        (
            {"salesforce/Account.json": [ACCOUNT, ACCOUNT]},
            "salesforce/Account.json",
            "appears twice",
        ),
        (
            {"salesforce/Task.json": '[{"Id": "00T5g00000AbCdEEAV",}]'},
            "salesforce/Task.json",
            "not valid JSON",
        ),
        ({"salesforce/Lead.json": []}, "salesforce/Lead.json", "unknown Salesforce object"),
        ({"hubspot/tickets.json": {"results": []}}, "hubspot/tickets.json", "JSON list"),
        ({"hubspot/widgets.json": []}, "hubspot/widgets.json", "unknown HubSpot object"),
        ({"hubspot/calls.json": [{"id": "1"}]}, "hubspot/calls.json", '"properties"'),
        (
            {"hubspot/calls.json": [{"id": "x1", "properties": {}}]},
            "hubspot/calls.json",
            'numeric "id"',
        ),
        (
            {"hubspot/notes.json": [{"id": "1", "properties": {}, "associations": ["2"]}]},
            "hubspot/notes.json",
            '"associations"',
        ),
        ({"hubspot/owners.json": [{"email": "a@b.c"}]}, "hubspot/owners.json", 'no "id"'),
        ({"salesforce/User.json": [], "truth.json": "[]"}, "truth.json", "JSON object"),
    ],
)
def test_a_malformed_fixture_names_the_file(
    tmp_path: Path, files: dict[str, object], bad_file: str, message: str
) -> None:
    folder = _folder(tmp_path, files)
    with pytest.raises(FixtureError) as caught:
        load_fixture(folder)
    assert str(caught.value).startswith(str(folder / bad_file))
    assert message in str(caught.value)


def test_invalid_json_says_where(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path, {"hubspot/deals.json": '[\n{"id": "1", "properties": {}},\n{oops}\n]'}
    )
    with pytest.raises(FixtureError, match=r"deals\.json: not valid JSON: .* line 3, column 2"):
        load_fixture(folder)


def test_a_missing_or_empty_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(FixtureError, match="fixture folder not found"):
        load_fixture(tmp_path / "nope")
    with pytest.raises(FixtureError, match="no salesforce/ or hubspot/ folder"):
        load_fixture(tmp_path)
    assert issubclass(FixtureError, ValueError)
