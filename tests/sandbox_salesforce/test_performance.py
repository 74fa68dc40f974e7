"""Round-trip cost over loopback TLS with simple-salesforce (printed with ``-s``)."""

from __future__ import annotations

import statistics
import time

from tests.sandbox_salesforce.conftest import MakeSandbox, small_world


def test_no_nagle_stall_and_page_cost(make_sandbox: MakeSandbox) -> None:
    org = make_sandbox(small_world(accounts=2000, tasks_per_account=0))
    sf = org.sf()
    sf.query("SELECT Id FROM Account LIMIT 1")
    small = []
    for _ in range(50):
        started = time.perf_counter()
        sf.query("SELECT Id FROM Account LIMIT 1")
        small.append(time.perf_counter() - started)
    pages = []
    soql = (
        "SELECT Id, Name, Type, OwnerId, Owner.Email, SystemModstamp, IsDeleted FROM Account "
        "WHERE SystemModstamp > 2020-01-01T00:00:00Z ORDER BY SystemModstamp, Id LIMIT 200"
    )
    for _ in range(20):
        started = time.perf_counter()
        assert len(sf.query(soql)["records"]) == 200
        pages.append(time.perf_counter() - started)
    print(
        f"\nsmall query median {statistics.median(small) * 1000:.1f} ms, "
        f"200-row page median {statistics.median(pages) * 1000:.1f} ms"
    )
    # A Nagle/delayed-ACK stall costs ~40 ms on every response; loopback without it is far less.
    assert statistics.median(small) < 0.035
    assert statistics.median(pages) < 0.2
