"""The write side's pure parts: value forms, and reading HubSpot's batch answers."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.hubspot.batches import Input, WholeRefusal, issues_of, read_answer, triage
from adapters.hubspot.forms import (
    Unwritable,
    closed_body,
    due_timestamp,
    tag_value,
    task_priority,
)
from connector.planning.values import same


@pytest.mark.parametrize(
    ("tag", "text", "sent"),
    [
        ("health_score", "48.5", "48.5"),
        ("health_score", "1E+2", "100"),
        ("health_score", " 61.0 ", "61.0"),
        ("health_grade", "at_risk", "at_risk"),
        ("segment", " strategic ", "strategic"),
        ("health_reasons", "a; b", "a; b"),
        ("health_updated_at", "2026-03-02T06:00:00+00:00", "1772431200000"),
        ("health_updated_at", "2026-03-02T07:00:00+01:00", "1772431200000"),
        ("health_updated_at", "2026-03-02T06:00:00", "1772431200000"),
        ("tier", None, ""),
        ("tier", "  ", ""),
    ],
)
def test_tag_forms(tag: str, text: str | None, sent: str) -> None:
    assert tag_value(tag, text) == sent
    if text and text.strip():
        assert same(tag, sent, text)


def test_reasons_are_cut_to_255_characters() -> None:
    sent = tag_value("health_reasons", "x" * 300)
    assert len(sent) == 255
    assert sent.endswith("…")


@pytest.mark.parametrize(
    ("tag", "text"), [("health_score", "n/a"), ("health_score", "NaN"), ("health_updated_at", "x")]
)
def test_unwritable_values(tag: str, text: str) -> None:
    with pytest.raises(Unwritable, match=tag):
        tag_value(tag, text)


def test_task_forms() -> None:
    assert due_timestamp(date(2026, 3, 5)) == "1772712000000"  # 2026-03-05T12:00:00Z
    assert [task_priority(p) for p in ("low", "normal", "high", " High ")] == [
        "LOW",
        "MEDIUM",
        "HIGH",
        "HIGH",
    ]
    with pytest.raises(Unwritable):
        task_priority("urgent")
    assert closed_body("Call them", "Closed.") == "Call them\n\nClosed."
    assert closed_body("Call them\n\nClosed.", "Closed.") == "Call them\n\nClosed."
    assert closed_body(None, "Closed.") == "Closed."


def inputs(**values: str) -> list[Input]:
    return [Input(ref, {"id": ref, "properties": {"pp_tier": v}}) for ref, v in values.items()]


def test_a_409_names_its_holder() -> None:
    refusal = WholeRefusal(
        409, {"category": "CONFLICT", "message": "Task already exists. Existing ID: 77"}
    )
    assert refusal.existing_id == "77"
    assert WholeRefusal(409, {"message": "Conflict"}).existing_id is None


def test_triage_keeps_the_innocent_together_and_the_suspect_apart() -> None:
    body = {
        "category": "VALIDATION_ERROR",
        "message": "Property values were not valid: [...]",
        "errors": [
            {
                "message": "platinum was not one of the allowed options: [bronze, gold, platinum2]",
                "code": "INVALID_OPTION",
                "context": {"propertyName": ["pp_tier"]},
            }
        ],
    }
    refused, again = triage(WholeRefusal(400, body), inputs(a="gold", b="platinum", c="platinum2"))
    assert refused == {}
    assert [[i.ref for i in part] for part in again] == [["a", "c"], ["b"]]
    alone, rest = triage(WholeRefusal(400, body), inputs(b="platinum"))
    assert alone == {
        "b": "property 'pp_tier': platinum was not one of the allowed options: "
        "[bronze, gold, platinum2]"
    }
    assert rest == []


def test_triage_reads_issues_embedded_in_the_message_and_halves_when_blind() -> None:
    embedded = {
        "message": 'Property values were not valid: [{"isValid":false,"message":"Property '
        '\\"pp_tier\\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"pp_tier"}]'
    }
    assert issues_of(embedded)[0].code == "PROPERTY_DOESNT_EXIST"
    refused, again = triage(WholeRefusal(400, embedded), inputs(a="x", b="y"))
    assert set(refused) == {"a", "b"}
    assert again == []
    blind, halves = triage(WholeRefusal(400, {"message": "no"}), inputs(a="1", b="2", c="3"))
    assert blind == {}
    assert [[i.ref for i in p] for p in halves] == [["a"], ["b", "c"]]


def test_a_207_is_read_per_input() -> None:
    body = {
        "results": [
            {"id": "1", "properties": {}},
            {"id": "9", "properties": {"pp_task_key": "k2"}},
        ],
        "errors": [
            {"category": "OBJECT_NOT_FOUND", "message": "gone", "context": {"ids": ["3"]}},
            {
                "category": "RATE_LIMITS",
                "message": "slow",
                "context": {"objectWriteTraceId": ["k4"]},
            },
        ],
    }
    items = [Input(r, {}) for r in ("1", "k2", "3", "k4", "5")]
    answers = read_answer(body, items, match="pp_task_key")
    assert set(answers.done) == {"1", "k2"}
    assert answers.refused["3"].message == "OBJECT_NOT_FOUND: gone"
    assert not answers.refused["3"].retryable
    assert answers.refused["k4"].retryable
    assert "5" not in answers.done
    assert "5" not in answers.refused
