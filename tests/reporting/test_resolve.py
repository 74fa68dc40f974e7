"""Finding a partner by what an admin types: name, domain, CRM ids, partner id."""

from __future__ import annotations

import pytest

from connector.errors import ExitCode
from connector.reporting import AmbiguousPartner, Directory, PartnerNotFound, resolve
from connector.store import SqlStore
from tests.reporting.portfolio_data import ACME_SF, GLOBEX_SF, INITECH_HS, UMBRELLA_SF


@pytest.fixture(scope="module")
def directory(loaded: SqlStore) -> Directory:
    return Directory.load(loaded)


def _partner_of(directory: Directory, name: str) -> str:
    return next(e.partner_id for e in directory.entries.values() if e.name == name)


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Acme Ltd", "Acme Ltd"),
        ("acme ltd", "Acme Ltd"),
        ("  ACME LTD.  ", "Acme Ltd"),
        ("acme", "Acme Ltd"),  # the whole name without its legal form
        ("acme.com", "Acme Ltd"),
        ("https://www.ACME.com/partners", "Acme Ltd"),
        (ACME_SF.id, "Acme Ltd"),
        (ACME_SF.id.lower(), "Acme Ltd"),
        (ACME_SF.id[:15], "Acme Ltd"),  # the 15-character Salesforce id
        ("101", "Acme Ltd"),  # the HubSpot id of the other record
        ("hubspot:101", "Acme Ltd"),
        (GLOBEX_SF.id, "Globex"),
        ("GLOBEX", "Globex"),
        (INITECH_HS.id, "Initech"),
        ("umbr", "Umbrella"),  # nothing exact: inside a name
        ("brella.c", "Umbrella"),  # inside a domain
        (UMBRELLA_SF.id[-6:].lower(), None),
    ],
)
def test_resolves_case_insensitively(directory: Directory, query: str, name: str | None) -> None:
    if name is None:
        with pytest.raises(PartnerNotFound):
            resolve(query, directory)
        return
    assert resolve(query, directory).name == name


def test_resolves_by_canonical_partner_id(directory: Directory) -> None:
    pid = _partner_of(directory, "Initech")
    assert resolve(pid.lower(), directory).partner_id == pid


def test_an_ambiguous_query_lists_every_candidate_and_exits_2(directory: Directory) -> None:
    with pytest.raises(AmbiguousPartner) as caught:
        resolve("acm", directory)
    names = sorted(c.name for c in caught.value.candidates)
    assert names == ["Acme Labs", "Acme Ltd"]
    message = str(caught.value)
    assert "matches 2 partners" in message
    assert _partner_of(directory, "Acme Labs") in message
    assert "acmelabs.io" in message
    assert caught.value.exit_code is ExitCode.BAD_INPUT


@pytest.mark.parametrize("query", ["nobody", "", "   ", "zz.example"])
def test_no_match_is_a_clear_error_with_exit_2(directory: Directory, query: str) -> None:
    with pytest.raises(PartnerNotFound) as caught:
        resolve(query, directory)
    assert caught.value.exit_code is ExitCode.BAD_INPUT
    assert "partner" in str(caught.value)
