"""The shape of the code: the core imports no SDK; the public surface is what it says."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import connector

ROOT = Path(__file__).resolve().parents[2]
SDKS = ("simple_salesforce", "hubspot", "requests", "urllib3", "httpx")
# The composition root may build adapters; nothing else in connector/ may.
COMPOSITION_ROOT = ("connector/cli/",)
OUR_PACKAGES = ("connector", "adapters", "mappings", "scheduler", "bench", "tests")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _top(name: str) -> str:
    return name.split(".", 1)[0]


def _files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_the_core_imports_no_sdk() -> None:
    offenders = []
    for path in _files("connector"):
        rel = path.relative_to(ROOT).as_posix()
        allowed_adapters = rel.startswith(COMPOSITION_ROOT)
        for name in _imports(path):
            if _top(name) in SDKS:
                offenders.append(f"{rel}: {name}")
            if _top(name) in ("adapters", "scheduler") and not allowed_adapters:
                offenders.append(f"{rel}: {name} (only the composition root builds adapters)")
    assert offenders == []


def test_mappings_import_nothing_of_ours_but_the_model() -> None:
    offenders = []
    for path in _files("mappings"):
        for name in _imports(path):
            top = _top(name)
            if top in OUR_PACKAGES and name != "connector.model" and top != "mappings":
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
            if top in SDKS:
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []


def test_the_sandbox_imports_nothing_of_the_connector() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in _files("sandbox")
        for name in _imports(path)
        if _top(name) in ("connector", "adapters", "mappings", "scheduler")
    ]
    assert offenders == []


def test_the_public_surface_is_what_all_says() -> None:
    exported = set(connector.__all__)
    assert len(exported) == len(connector.__all__), "duplicates in __all__"
    for name in exported:
        assert getattr(connector, name) is not None
    public = {
        name
        for name in vars(connector)
        if not name.startswith("_") and not isinstance(getattr(connector, name), type(connector))
    }
    assert public == exported
    fresh = importlib.import_module("connector")
    namespace: dict[str, object] = {}
    exec("from connector import *", namespace)  # noqa: S102 - the star import is the surface under test
    assert set(namespace) - {"__builtins__"} == exported
    assert fresh is connector
