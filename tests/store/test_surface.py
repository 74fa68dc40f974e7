"""The package's public surface: what ``connector.store`` exports exists and fits the ports."""

from __future__ import annotations

import connector.store
from connector.ports import PageSink
from connector.store import SqlStore


def test_every_exported_name_exists() -> None:
    assert connector.store.__all__ == sorted(connector.store.__all__)
    for name in connector.store.__all__:
        assert getattr(connector.store, name) is not None


def test_sql_store_has_the_page_sink_methods() -> None:
    for method in PageSink.__dict__:
        if not method.startswith("_"):
            assert callable(getattr(SqlStore, method))
