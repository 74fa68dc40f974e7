"""Fixture folders: a world as CRM-native JSON files, one per object, plus the truth file.

Layout (``docs/sandbox.md``)::

    <dir>/salesforce/Account.json ... Case.json   lists of flat records, "Id" given
    <dir>/hubspot/companies.json ... tasks.json   lists of {"id", "properties", "associations"}
    <dir>/hubspot/owners.json                     owners-API objects
    <dir>/truth.json                              the hidden side file; never served

Files hold one record per line so a fixture diffs and greps well. Loading checks
the shape a store relies on and raises :class:`FixtureError` naming the file.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sandbox.generate_ids import KEY_PREFIX
from sandbox.world import HUBSPOT_OBJECTS, SALESFORCE_OBJECTS, World, paused_gc

SALESFORCE_DIR = "salesforce"
HUBSPOT_DIR = "hubspot"
OWNERS_FILE = "owners.json"
TRUTH_FILE = "truth.json"
_CHUNK = 5000


class FixtureError(ValueError):
    """A fixture folder that cannot be loaded; the message starts with the offending path."""


def write_fixture(world: World, directory: Path | str, *, fork: bool = False) -> None:
    """Write ``world`` into ``directory`` (created if needed); every object file is rewritten.

    ``fork=True`` writes the HubSpot files in a forked child while this process writes the
    rest: JSON encoding is most of the cost, and a 2-core machine halves it. Only for a
    single-threaded process (the ``generate`` command); elsewhere, or without ``os.fork``,
    the files are written one after the other.
    """
    root = Path(directory)
    sf_dir, hs_dir = root / SALESFORCE_DIR, root / HUBSPOT_DIR
    sf_dir.mkdir(parents=True, exist_ok=True)
    hs_dir.mkdir(parents=True, exist_ok=True)
    sf_jobs = [(sf_dir / f"{n}.json", world.salesforce.get(n, ())) for n in SALESFORCE_OBJECTS]
    hs_jobs = [(hs_dir / f"{n}.json", world.hubspot.get(n, ())) for n in HUBSPOT_OBJECTS]
    hs_jobs.append((hs_dir / OWNERS_FILE, world.hubspot_owners))
    child = 0
    if fork and hasattr(os, "fork") and threading.active_count() == 1:
        child = os.fork()
        if child == 0:  # the child: HubSpot files, then leave without running any cleanup
            try:
                _write_all(hs_jobs)
            except BaseException as exc:  # the parent sees the exit status and reports
                os.write(2, f"{exc}\n".encode())
                os._exit(1)
            os._exit(0)
    else:
        _write_all(hs_jobs)
    _write_all(sf_jobs)
    (root / TRUTH_FILE).write_text(_truth_text(world.truth), encoding="utf-8")
    if child and os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) != 0:
        raise OSError(f"{hs_dir}: the process writing the HubSpot files failed")


def _write_all(jobs: Sequence[tuple[Path, Sequence[dict[str, Any]]]]) -> None:
    for path, rows in jobs:
        _write_rows(path, rows)


def _write_rows(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    encode = json.JSONEncoder(separators=(",", ":")).encode
    with path.open("w", encoding="utf-8") as out:
        out.write("[")
        for start in range(0, len(rows), _CHUNK):
            out.write(",\n" if start else "\n")
            out.write(",\n".join(map(encode, rows[start : start + _CHUNK])))
        out.write("\n]\n")


def _truth_text(truth: dict[str, Any]) -> str:
    """The truth object, one top-level key per line and list items (partners) one per line."""
    encode = json.JSONEncoder(separators=(",", ":")).encode
    parts = []
    for key, value in truth.items():
        if isinstance(value, list):
            items = ",\n  ".join(map(encode, value))
            parts.append(f"{encode(key)}: [\n  {items}\n ]" if value else f"{encode(key)}: []")
        else:
            parts.append(f"{encode(key)}: {encode(value)}")
    return "{\n " + ",\n ".join(parts) + "\n}\n"


def load_fixture(directory: Path | str) -> World:
    """Read a fixture folder; missing object files are empty, ``truth.json`` is optional."""
    with paused_gc():
        return _load(Path(directory))


def _load(root: Path) -> World:
    if not root.is_dir():
        raise FixtureError(f"{root}: fixture folder not found")
    sf_dir, hs_dir = root / SALESFORCE_DIR, root / HUBSPOT_DIR
    if not sf_dir.is_dir() and not hs_dir.is_dir():
        raise FixtureError(f"{root}: no {SALESFORCE_DIR}/ or {HUBSPOT_DIR}/ folder inside")
    salesforce: dict[str, list[dict[str, Any]]] = {name: [] for name in SALESFORCE_OBJECTS}
    hubspot: dict[str, list[dict[str, Any]]] = {name: [] for name in HUBSPOT_OBJECTS}
    owners: list[dict[str, Any]] = []
    for path in _files(sf_dir):
        name = path.stem
        if path.suffix != ".json" or name not in SALESFORCE_OBJECTS:
            raise FixtureError(
                f"{path}: unknown Salesforce object file; expected "
                + ", ".join(f"{n}.json" for n in SALESFORCE_OBJECTS)
            )
        salesforce[name] = _salesforce_rows(path, name, _read_list(path))
    for path in _files(hs_dir):
        name = path.stem
        if path.name == OWNERS_FILE:
            owners = _owner_rows(path, _read_list(path))
            continue
        if path.suffix != ".json" or name not in HUBSPOT_OBJECTS:
            raise FixtureError(
                f"{path}: unknown HubSpot object file; expected "
                + ", ".join(f"{n}.json" for n in (*HUBSPOT_OBJECTS, "owners"))
            )
        hubspot[name] = _hubspot_rows(path, _read_list(path))
    truth: dict[str, Any] = {}
    truth_path = root / TRUTH_FILE
    if truth_path.exists():
        loaded = _read_json(truth_path)
        if not isinstance(loaded, dict):
            raise FixtureError(f"{truth_path}: expected a JSON object")
        truth = loaded
    return World(salesforce=salesforce, hubspot=hubspot, hubspot_owners=owners, truth=truth)


def _files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if not p.name.startswith("."))


def _read_json(path: Path) -> Any:
    try:
        with path.open("rb") as source:
            return json.load(source)
    except json.JSONDecodeError as exc:
        raise FixtureError(
            f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FixtureError(f"{path}: cannot be read: {exc}") from None


def _read_list(path: Path) -> list[Any]:
    rows = _read_json(path)
    if not isinstance(rows, list):
        raise FixtureError(f"{path}: expected a JSON list of records, got {type(rows).__name__}")
    return rows


def _salesforce_rows(path: Path, obj: str, rows: list[Any]) -> list[dict[str, Any]]:
    prefix = KEY_PREFIX[obj]
    seen: set[str] = set()
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise FixtureError(f"{path}: record {index} is not a JSON object")
        record_id = row.get("Id")
        if not isinstance(record_id, str) or not record_id:
            raise FixtureError(f'{path}: record {index} has no "Id"')
        if len(record_id) != 18 or not record_id.startswith(prefix):
            raise FixtureError(
                f"{path}: record {index}: Id {record_id!r} is not an 18-character "
                f"{obj} id (prefix {prefix})"
            )
        if record_id in seen:
            raise FixtureError(f"{path}: record {index}: Id {record_id} appears twice")
        seen.add(record_id)
    return rows


def _hubspot_rows(path: Path, rows: list[Any]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise FixtureError(f"{path}: record {index} is not a JSON object")
        record_id = row.get("id")
        if isinstance(record_id, int) and not isinstance(record_id, bool):
            record_id = row["id"] = str(record_id)
        if not isinstance(record_id, str) or not record_id.isdigit():
            raise FixtureError(f'{path}: record {index} has no numeric "id"')
        if record_id in seen:
            raise FixtureError(f"{path}: record {index}: id {record_id} appears twice")
        seen.add(record_id)
        if not isinstance(row.get("properties"), dict):
            raise FixtureError(f'{path}: record {index} (id {record_id}) has no "properties"')
        links = row.get("associations", {})
        if not isinstance(links, dict) or not all(isinstance(v, list) for v in links.values()):
            raise FixtureError(
                f'{path}: record {index} (id {record_id}): "associations" must map '
                'object types to lists of ids, e.g. {"companies": ["123"]}'
            )
    return rows


def _owner_rows(path: Path, rows: list[Any]) -> list[dict[str, Any]]:
    for index, row in enumerate(rows):
        if not isinstance(row, dict) or not row.get("id"):
            raise FixtureError(f'{path}: owner {index} has no "id"')
    return rows
