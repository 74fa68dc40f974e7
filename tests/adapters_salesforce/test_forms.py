"""Tag and task values in the forms Salesforce fields take, and read back the same."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.salesforce.forms import (
    Unwritable,
    closed_description,
    due_date,
    subject,
    tag_value,
    task_priority,
)


@pytest.mark.parametrize(
    ("tag", "text", "sent"),
    [
        ("health_score", "48.5", 48.5),
        ("health_score", " 61.0 ", 61.0),
        ("health_score", None, None),
        ("health_score", "", None),
        ("health_grade", "at_risk", "at_risk"),
        ("tier", " gold ", "gold"),
        ("health_reasons", "  trimmed  ", "trimmed"),
        ("health_updated_at", "2026-03-02T06:00:00+00:00", "2026-03-02T06:00:00.000+0000"),
        ("health_updated_at", "2026-03-02T07:00:00+01:00", "2026-03-02T06:00:00.000+0000"),
        ("health_updated_at", "2026-03-02T06:00:00Z", "2026-03-02T06:00:00.000+0000"),
        ("health_updated_at", "1772431200000", "2026-03-02T06:00:00.000+0000"),
        ("health_updated_at", "  ", None),
    ],
)
def test_tag_forms(tag: str, text: str | None, sent: object) -> None:
    assert tag_value(tag, text) == sent


def test_reasons_are_cut_at_255_with_an_ellipsis() -> None:
    sent = tag_value("health_reasons", "word " * 100)
    assert isinstance(sent, str)
    assert len(sent) == 255
    assert sent.endswith("…")


@pytest.mark.parametrize(("tag", "text"), [("health_score", "high"), ("health_score", "NaN"),
                                           ("health_updated_at", "yesterday")])  # fmt: skip
def test_values_without_a_form_are_refused(tag: str, text: str) -> None:
    with pytest.raises(Unwritable, match=tag):
        tag_value(tag, text)


def test_task_forms() -> None:
    assert due_date(date(2026, 3, 9)) == "2026-03-09"
    assert [task_priority(p) for p in ("low", "Normal", " HIGH ")] == ["Low", "Normal", "High"]
    with pytest.raises(Unwritable, match="urgent"):
        task_priority("urgent")
    assert len(subject("s" * 300)) == 255


def test_the_close_note_is_appended_once() -> None:
    note = "Closed by PartnerPulse."
    assert closed_description("Why: x", note) == "Why: x\n\nClosed by PartnerPulse."
    assert closed_description("Why: x\n\nClosed by PartnerPulse.", note).count(note) == 1
    assert closed_description(None, note) == note
