"""Canonical tag values: what counts as the same live value, and the text the tool writes."""

from __future__ import annotations

import pytest

from connector.planning import TaskKey, desired_tags, same
from connector.planning.values import reasons_text
from tests.planning.builders import AS_OF, snapshot


@pytest.mark.parametrize(
    ("tag", "left", "right", "expected"),
    [
        ("health_score", "72.5", "72.5", True),
        ("health_score", "72.50", "72.5", True),
        ("health_score", 72.5, "72.5", True),
        ("health_score", "72", "72.0", True),
        ("health_score", "72.5", "72.4", False),
        ("health_score", "seventy", "72.5", False),
        ("health_score", None, "", True),
        ("health_score", None, "0", False),
        ("health_grade", "At_Risk", "at_risk", True),
        ("health_grade", " watch ", "watch", True),
        ("health_grade", "watch", "healthy", False),
        ("tier", "Gold", "gold", True),
        ("health_reasons", "a; b ", "a; b", True),
        ("health_reasons", "A; b", "a; b", False),
        ("health_updated_at", "2026-03-02T06:00:00+00:00", "2026-03-02T06:00:00.000Z", True),
        ("health_updated_at", "2026-03-02T06:00:00.000+0000", "2026-03-02T06:00:00Z", True),
        ("health_updated_at", "1772431200000", "2026-03-02T06:00:00+00:00", True),
        ("health_updated_at", "2026-03-02T06:00:01Z", "2026-03-02T06:00:00Z", False),
        ("health_updated_at", "garbage", "2026-03-02T06:00:00Z", False),
    ],
)
def test_live_values_compare_in_canonical_form(
    tag: str, left: object, right: object, expected: bool
) -> None:
    assert same(tag, left, right) is expected
    assert same(tag, right, left) is expected


def test_desired_tags_are_the_canonical_text_of_the_snapshot() -> None:
    tags = desired_tags(snapshot(score=48.0, reasons=("a", "b")))
    assert tags == {
        "health_score": "48.0",
        "health_grade": "watch",
        "segment": "transactional",
        "tier": "bronze",
        "health_reasons": "a; b",
        "health_updated_at": AS_OF.isoformat(),
    }
    assert desired_tags(snapshot(reasons=()))["health_reasons"] is None


@pytest.mark.parametrize(("length", "cut"), [(255, False), (256, True), (400, True)])
def test_reasons_fit_in_255_characters(length: int, cut: bool) -> None:
    text = reasons_text(("x" * length,))
    assert text is not None
    assert len(text) <= 255
    assert text.endswith("…") is cut


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("at_risk_call:P-1:2026-03-02", ("at_risk_call", "P-1", "2026-03-02")),
        ("a:b:c:2026-03-02", ("a", "b:c", "2026-03-02")),
        ("at_risk_call:P-1:2026-3-2", None),
        ("at_risk_call:2026-03-02", None),
        ("call them", None),
        ("", None),
        (None, None),
    ],
)
def test_task_keys_parse_only_when_ours(
    text: str | None, parsed: tuple[str, str, str] | None
) -> None:
    key = TaskKey.parse(text)
    if parsed is None:
        assert key is None
    else:
        assert key is not None
        assert (key.playbook, key.partner_id, key.period.isoformat()) == parsed
        assert str(key) == text
