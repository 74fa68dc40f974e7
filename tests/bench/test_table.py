"""The benchmark's tables in docs/benchmarks.md: rendered from figures, put between markers."""

from __future__ import annotations

from typing import Any

import pytest

from bench.table import BEGIN, END, MarkersMissing, render, replace_block, targets


def test_the_block_between_the_markers_is_replaced_and_nothing_else() -> None:
    text = f"# Title\n\nbefore\n\n{BEGIN}\nold table\n| a |\n{END}\n\nafter\n"
    new = replace_block(text, "| new |\n")
    assert new == f"# Title\n\nbefore\n\n{BEGIN}\n| new |\n{END}\n\nafter\n"
    assert replace_block(new, "| new |") == new  # regenerating is stable


@pytest.mark.parametrize(
    "text",
    [
        "no markers at all",
        f"{BEGIN} only the start",
        f"{END} backwards {BEGIN}",
        f"{BEGIN} {END} {BEGIN} {END}",
    ],
)
def test_a_document_without_one_pair_of_markers_is_refused(text: str) -> None:
    with pytest.raises(MarkersMissing):
        replace_block(text, "| x |")


def _system(calls: int, minimum: int, seconds: float, bound: float, **extra: Any) -> Any:
    return {
        "calls": calls,
        "minimum": minimum,
        "seconds": seconds,
        "bound_s": bound,
        "records": 1_000,
        "rate_limited": 0,
        "search_calls": 0,
        "by_endpoint": {},
        **extra,
    }


def _figures(full_calls: int, hubspot_seconds: float) -> dict[str, Any]:
    apply = {
        "salesforce": _system(
            2,
            2,
            0.3,
            0.2,
            planned={"tag_records": 150, "task_creates": 40},
            minimum_by_kind={"tags": 1, "task_creates": 1},
            baseline_calls_all=191,
            baseline_seconds_all=20.0,
        ),
        "hubspot": _system(
            4,
            3,
            1.0,
            0.4,
            planned={"tag_records": 150, "task_creates": 40},
            minimum_by_kind={"tags": 2, "task_creates": 1},
            baseline_calls_all=190,
            baseline_seconds_all=21.0,
        ),
    }
    return {
        "phases": {
            "full": {
                "systems": {
                    "salesforce": _system(18, 12, 4.0, 1.8, baseline_calls=17),
                    "hubspot": _system(full_calls - 18, 181, hubspot_seconds, 30.0),
                },
                "streams": 15,
            },
            "unchanged": {
                "systems": {
                    "salesforce": _system(7, 7, 0.5, 0.7, by_endpoint={"token": 1}),
                    "hubspot": _system(9, 9, 1.8, 1.1),
                },
                "streams": 15,
            },
            "apply": {"systems": apply},
            "scoring": {"seconds": {"link": 0.1, "score": 0.2, "plan": 0.3}},
        },
        "scored": 500,
        "local": {
            "records": 60_000,
            "seconds": {"pull": 6.0, "link": 0.1, "score": 0.2, "plan": 0.3, "total": 7.0},
            "apply_seconds": 0.5,
            "pull_records_per_s": 10_000,
            "end_to_end_records_per_s": 8_000,
            "peak_rss_kib": {"full": 300 * 1024, "write": 280 * 1024},
        },
    }


def _results(figures: dict[str, Any]) -> dict[str, Any]:
    return {
        "partners": 500,
        "seed": 1,
        "latency_ms": 100,
        "measured_at": "2026-11-30T12:00:00+00:00",
        "machine": "Linux x86_64, 2 CPUs, Python 3.11.7",
        "load_average": [1.0, 1.0, 1.0],
        "duration_s": 420,
        "passes": {"rate": {"counts": {"salesforce": {"Task": 20_000}, "hubspot": {}}}},
        "figures": figures,
    }


def test_render_shows_each_ratio_beside_its_figures() -> None:
    text = render({"small": _results(_figures(200, 33.0))})
    assert "| full pull | Salesforce | 1,000 | 18 | 12 | 1.50× | 17 | 1.06× | 0 / – |" in text
    # HubSpot has no baseline figure here: the sum is unknown, not Salesforce's alone.
    assert "| full pull | **both** | 2,000 | **200** | 193 | **1.04×** | – | **–** | |" in text
    assert "| apply (tags + tasks) | HubSpot | 190 | 4 | 3 | 1.33× | 190 | 0.02× |" in text
    assert "| full pull | HubSpot | 33.0 | 30.0 | 1.10× |" in text
    assert "| small | 60,000 | 6.0 | 0.1 | 0.2 | 0.3 | 0.5 | 10,000 | **8,000** |" in text
    assert "300 MB" in text


def test_targets_say_met_only_when_met() -> None:
    met = {t.name: t.met for t in targets({"small": _figures(200, 33.0)})}
    assert met["small: full pull calls ≤ 1.05 × minimum"] is True  # 200 ≤ 1.05 × 193
    assert met["small: nothing changed ≤ 1 call per stream"] is True  # 15 + sign-in
    assert met["small: Salesforce write calls = ⌈n/200⌉ per kind"] is True
    assert met["small: HubSpot write calls = ⌈n/100⌉ per kind"] is False  # 4 > 3
    assert met["small: ≥ 20 × fewer write calls than the baseline"] is True  # 381 / 6
    assert met["small: HubSpot full pull wall ≤ 1.15 × bound, 429s < 1 %"] is True
    assert met["small: local throughput ≥ 20,000 records/s end to end"] is False
    assert met["reference: peak RSS ≤ 1 GB"] is None

    missed = {t.name: t.met for t in targets({"small": _figures(205, 35.0)})}
    assert missed["small: full pull calls ≤ 1.05 × minimum"] is False  # 205 > 202.65
    assert missed["small: HubSpot full pull wall ≤ 1.15 × bound, 429s < 1 %"] is False


def test_memory_growth_is_judged_against_the_data() -> None:
    small = _figures(200, 33.0)
    reference = _figures(200, 33.0)
    reference["local"] = {
        **reference["local"],
        "records": 1_200_000,
        "peak_rss_kib": {"full": 900 * 1024, "write": 800 * 1024},
    }
    met = {t.name: t.met for t in targets({"small": small, "reference": reference})}
    assert met["reference: peak RSS ≤ 1 GB"] is True
    assert met["peak RSS grows clearly slower than the data"] is True  # × 3 against × 20
    reference["local"]["peak_rss_kib"] = {"full": 1100 * 1024}
    met = {t.name: t.met for t in targets({"small": small, "reference": reference})}
    assert met["reference: peak RSS ≤ 1 GB"] is False
