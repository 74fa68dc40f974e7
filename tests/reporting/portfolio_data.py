"""A small hand-made portfolio, stored through the real store, linked by the real linker
and scored by the real scoring at six monthly runs — what ``explain`` and ``report`` read.

Partners (the report's "now" is 2026-06-30):
- Acme Ltd: in both CRMs, linked by domain; busy, growing, NPS 9 (healthy, gold).
- Acme Labs: Salesforce only; quiet — makes "acme" ambiguous.
- Globex: Salesforce only; went silent in autumn 2025, churned 2026-03-15.
- Initech: HubSpot only; a partner since 2026-02-01 (new in Q1), NPS 4.
- Umbrella: Salesforce only; no contact for months, two old open issues (at risk).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count

from connector.config.scoring import ScoringSettings
from connector.linking import link_partners
from connector.model import (
    Activity,
    ActivityKind,
    AnyRecord,
    Deal,
    Issue,
    PartnerRecord,
    SourceRef,
    SurveyAnswer,
    System,
)
from connector.scoring import score_portfolio
from connector.store import SqlStore

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
STAMP = datetime(2025, 1, 1, tzinfo=UTC)  # every record's modified_at: long before the runs
RUNS = [datetime(2026, m, 28, 12, 0, tzinfo=UTC) for m in range(1, 6)] + [NOW]

ACME_SF = SourceRef(system="salesforce", id="001000000000001AAA")
ACME_HS = SourceRef(system="hubspot", id="101")
LABS_SF = SourceRef(system="salesforce", id="001000000000002AAA")
GLOBEX_SF = SourceRef(system="salesforce", id="001000000000003AAA")
INITECH_HS = SourceRef(system="hubspot", id="104")
UMBRELLA_SF = SourceRef(system="salesforce", id="001000000000005AAA")

_ids = count(1)


def _ref(system: System) -> SourceRef:
    return SourceRef(system=system, id=f"{system[0]}r{next(_ids):06d}")


def partner(
    ref: SourceRef, name: str, domain: str | None, since: date, **kw: object
) -> PartnerRecord:
    return PartnerRecord(
        ref=ref,
        modified_at=STAMP,
        name=name,
        domain=domain,
        partner_since=since,
        **kw,
    )


def calls(account: SourceRef, start: date, end: date, every_days: int) -> Iterator[Activity]:
    day = start
    while day <= end:
        yield Activity(
            ref=_ref(account.system),
            modified_at=STAMP,
            partner=account,
            kind=ActivityKind.CALL,
            occurred_at=datetime(day.year, day.month, day.day, 10, tzinfo=UTC),
        )
        day += timedelta(days=every_days)


def won(account: SourceRef, amount: int, closed: date) -> Deal:
    return Deal(
        ref=_ref(account.system),
        modified_at=STAMP,
        partner=account,
        amount=Decimal(amount),
        close_date=closed,
        won=True,
        closed=True,
    )


def answer(account: SourceRef, score: int, on: date) -> SurveyAnswer:
    return SurveyAnswer(
        ref=SourceRef(system=account.system, id=f"{account.id}:nps:{on}"),
        modified_at=STAMP,
        partner=account,
        score=score,
        answered_on=on,
    )


def records() -> list[AnyRecord]:
    found: list[AnyRecord] = [
        partner(ACME_SF, "Acme Ltd", "https://www.acme.com", date(2023, 1, 10)),
        partner(ACME_HS, "ACME Ltd.", "acme.com", date(2023, 1, 10)),
        partner(LABS_SF, "Acme Labs", "acmelabs.io", date(2024, 5, 1)),
        partner(GLOBEX_SF, "Globex", "globex.com", date(2022, 3, 1), partner_end=date(2026, 3, 15)),
        partner(INITECH_HS, "Initech", "initech.com", date(2026, 2, 1)),
        partner(UMBRELLA_SF, "Umbrella", "umbrella.com", date(2023, 6, 1)),
    ]
    found += calls(ACME_SF, date(2025, 1, 3), date(2026, 6, 26), 7)
    found += calls(ACME_HS, date(2025, 1, 5), date(2026, 6, 20), 14)
    found += calls(LABS_SF, date(2025, 1, 10), date(2026, 6, 1), 45)
    found += calls(GLOBEX_SF, date(2025, 1, 2), date(2025, 9, 30), 10)
    found += calls(INITECH_HS, date(2026, 2, 3), date(2026, 6, 24), 10)
    found += calls(UMBRELLA_SF, date(2025, 1, 8), date(2025, 12, 1), 20)
    found += [
        won(ACME_SF, 700_000, date(2025, 3, 1)),
        won(ACME_SF, 900_000, date(2026, 2, 1)),
        won(ACME_HS, 300_000, date(2026, 4, 1)),
        won(LABS_SF, 40_000, date(2025, 8, 1)),
        won(GLOBEX_SF, 120_000, date(2024, 11, 1)),
        won(UMBRELLA_SF, 20_000, date(2024, 2, 1)),
    ]
    found += [
        Issue(
            ref=_ref("salesforce"),
            modified_at=STAMP,
            partner=UMBRELLA_SF,
            opened_at=datetime(2026, 1, 5, tzinfo=UTC),
        ),
        Issue(
            ref=_ref("salesforce"),
            modified_at=STAMP,
            partner=UMBRELLA_SF,
            opened_at=datetime(2026, 2, 5, tzinfo=UTC),
        ),
    ]
    found += [
        answer(ACME_SF, 9, date(2026, 4, 10)),
        answer(ACME_HS, 10, date(2025, 11, 2)),
        answer(LABS_SF, 8, date(2026, 5, 20)),
        answer(INITECH_HS, 4, date(2026, 5, 5)),
        answer(UMBRELLA_SF, 6, date(2025, 10, 1)),
        answer(GLOBEX_SF, 3, date(2025, 10, 20)),
    ]
    return found


def load(
    store: SqlStore, settings: ScoringSettings | None = None, runs: list[datetime] = RUNS
) -> None:
    """Store the records, link them, and score and snapshot the portfolio at each run, as
    ``run_sync`` would (each run's previous snapshots are the store's latest)."""
    store.upsert_records(records(), stream="test")
    links = link_partners(store.records(PartnerRecord), existing={}, overrides={})
    store.save_links(links)
    config = settings or ScoringSettings()
    for as_of in runs:
        scored = score_portfolio(
            store.engine, store.workspace, config, as_of, store.latest_snapshots()
        )
        store.save_snapshots([s.snapshot for s in scored])
