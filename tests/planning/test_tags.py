"""Planning tags: policies both ways, canonical equality, the stamp, and zero writes when
the CRM already holds what the tool wrote."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from connector.config.scoring import PlaybooksConfig
from connector.model import Grade
from connector.operations import TagUpdate, TagValue
from connector.planning import Plan, build_plan
from connector.planning.values import stamp_text
from tests.planning.builders import (
    AS_OF,
    hs,
    inputs,
    record,
    scored,
    sf,
    snapshot,
    synced_tags,
    writeback,
)

PLAYBOOKS = PlaybooksConfig()
SNAP = snapshot(score=48.5, reasons=("no meeting for 94 days",))
SYNCED = synced_tags(SNAP)


def plan_for(
    tags: Mapping[str, TagValue],
    memory: Mapping[str, TagValue] | None = None,
    **config: object,
) -> Plan:
    rec = record(sf("001A"), tags=tags)
    return build_plan(
        inputs([scored(SNAP)], [rec], memory={rec.ref: memory} if memory is not None else None),
        writeback(tasks=False, **config),
        PLAYBOOKS,
    )


def changed(plan: Plan) -> dict[str, TagValue]:
    updates = [op for op in plan.operations if isinstance(op, TagUpdate)]
    assert len(updates) <= 1
    return {c.tag: c.new for c in updates[0].changes} if updates else {}


def test_a_record_without_tags_gets_every_tag() -> None:
    plan = plan_for({})
    assert changed(plan) == {
        "health_score": "48.5",
        "health_grade": "watch",
        "segment": "transactional",
        "tier": "bronze",
        "health_reasons": "no meeting for 94 days",
        "health_updated_at": stamp_text(AS_OF),
    }
    (update,) = plan.operations
    assert isinstance(update, TagUpdate)
    assert update.key.endswith("@salesforce")
    assert update.record_id == "001A"
    assert next(c.crm_field for c in update.changes) == "Partner_Health_Score__c"


def test_the_reason_names_old_new_and_why() -> None:
    (update,) = plan_for({**SYNCED, "health_score": "61"}, {"health_score": "61"}).operations
    assert isinstance(update, TagUpdate)
    assert update.changes[0].reason == "score 61 → 48.5 (no meeting for 94 days)"
    (update,) = plan_for({**SYNCED, "health_score": "61"}).operations
    assert isinstance(update, TagUpdate)
    assert update.changes[0].reason.endswith("replaces a value PartnerPulse did not write")


@pytest.mark.parametrize(
    "score", ["48.5", "48.50", "48.500", " 48.5 "], ids=["same", "2dp", "3dp", "spaces"]
)
def test_scores_compare_as_numbers(score: str) -> None:
    assert plan_for({**SYNCED, "health_score": score}).operations == ()


def test_the_stamp_alone_is_never_written() -> None:
    plan = plan_for({**SYNCED, "health_updated_at": "2020-01-01T00:00:00Z"})
    assert plan.operations == ()


def test_the_stamp_rides_along_with_another_change() -> None:
    plan = plan_for({**SYNCED, "health_updated_at": "2020-01-01T00:00:00Z", "tier": "silver"})
    assert changed(plan) == {"tier": "bronze", "health_updated_at": stamp_text(AS_OF)}


def test_the_stamp_is_not_rewritten_when_it_already_matches() -> None:
    plan = plan_for({**SYNCED, "tier": "silver"})
    assert changed(plan) == {"tier": "bronze"}


# policy, live grade, what the tool last wrote there (None: no memory), written?
POLICY_CASES = [
    ("overwrite", "healthy", {"health_grade": "healthy"}, True),
    ("overwrite", "healthy", {"health_grade": "at_risk"}, True),
    ("keep_manual", "healthy", {"health_grade": "healthy"}, True),
    ("keep_manual", "healthy", {"health_grade": "at_risk"}, False),
    ("keep_manual", "healthy", None, False),
    ("keep_manual", None, None, True),
    ("keep_manual", None, {"health_grade": "healthy"}, False),
    ("keep_manual", "Healthy", {"health_grade": "healthy"}, True),
    ("set_if_empty", None, None, True),
    ("set_if_empty", "", {"health_grade": "healthy"}, True),
    ("set_if_empty", "healthy", {"health_grade": "healthy"}, False),
    ("set_if_empty", "healthy", None, False),
]


@pytest.mark.parametrize(("policy", "live", "memory", "written"), POLICY_CASES)
def test_each_policy_both_ways(
    policy: str, live: str | None, memory: dict[str, TagValue] | None, written: bool
) -> None:
    plan = plan_for({**SYNCED, "health_grade": live}, memory, policy={"health_grade": policy})
    assert ("health_grade" in changed(plan)) is written
    kept = [k for k in plan.kept if k.tag == "health_grade"]
    assert bool(kept) is not written
    if kept:
        assert kept[0].why.startswith(policy)
        assert kept[0].live == live
        assert kept[0].desired == "watch"
        assert kept[0].crm_field == "Partner_Health_Grade__c"


def test_overwriting_a_hand_set_value_says_so() -> None:
    plan = plan_for({**SYNCED, "health_grade": "healthy"}, {"health_grade": "at_risk"})
    (update,) = plan.operations
    assert isinstance(update, TagUpdate)
    assert update.changes[0].reason.endswith("replaces a value set by hand")


def test_a_kept_field_does_not_stop_the_others() -> None:
    plan = plan_for(
        {**SYNCED, "health_grade": "healthy", "tier": "gold"},
        {},
        policy={"health_grade": "keep_manual"},
    )
    assert changed(plan) == {"tier": "bronze"}
    assert [k.tag for k in plan.kept] == ["health_grade"]


def test_a_hand_set_stamp_under_keep_manual_is_kept_while_the_rest_is_written() -> None:
    plan = plan_for(
        {**SYNCED, "tier": "gold", "health_updated_at": "2020-01-01T00:00:00Z"},
        {"health_updated_at": "2019-01-01T00:00:00Z"},
        policy={"health_updated_at": "keep_manual"},
    )
    assert changed(plan) == {"tier": "bronze"}


def test_reasons_are_cut_to_255_characters() -> None:
    long = snapshot(reasons=("x" * 300,))
    plan = build_plan(
        inputs([scored(long)], [record(sf("001A"))]), writeback(tasks=False), PLAYBOOKS
    )
    reasons = changed(plan)["health_reasons"]
    assert reasons is not None
    assert len(reasons) == 255
    assert reasons.endswith("…")


def test_written_carries_what_the_tool_wrote_before() -> None:
    plan = plan_for({**SYNCED, "tier": "gold"}, {**SYNCED, "tier": "gold"})
    (update,) = plan.operations
    assert isinstance(update, TagUpdate)
    assert update.written == {**SYNCED, "tier": "bronze"}


def test_a_tag_missing_from_the_field_map_is_not_written() -> None:
    config = writeback(
        tasks=False,
        hubspot_properties={"health_score": "pp_health_score", "tier": "pp_tier"},
    )
    plan = build_plan(inputs([scored(SNAP)], [record(hs("11"))]), config, PLAYBOOKS)
    (update,) = plan.operations
    assert isinstance(update, TagUpdate)
    assert [(c.tag, c.crm_field) for c in update.changes] == [
        ("health_score", "pp_health_score"),
        ("tier", "pp_tier"),
    ]


@pytest.mark.parametrize("policy", ["overwrite", "keep_manual", "set_if_empty"])
def test_a_second_plan_against_the_tags_it_wrote_plans_nothing(policy: str) -> None:
    config = writeback(tasks=False, policy=dict.fromkeys(SYNCED, policy))
    records = [record(sf("001A")), record(hs("11"), tags={"tier": None})]
    first = build_plan(inputs([scored(SNAP)], records), config, PLAYBOOKS)
    assert len(first.operations) == 2
    memory = {}
    written = []
    for op in first.operations:
        assert isinstance(op, TagUpdate)
        memory[next(r.ref for r in records if r.ref.id == op.record_id)] = op.written
        written.append(
            record(next(r.ref for r in records if r.ref.id == op.record_id), tags=SYNCED)
        )
    second = build_plan(inputs([scored(SNAP)], written, memory=memory), config, PLAYBOOKS)
    assert second.operations == ()
    assert second.kept == ()


def test_keep_manual_still_updates_a_value_the_tool_wrote() -> None:
    """The tool's own earlier value is not "manual": when the score moves, it is updated."""
    later = snapshot(score=35.0, grade=Grade.AT_RISK)
    config = writeback(tasks=False, policy=dict.fromkeys(SYNCED, "keep_manual"))
    plan = build_plan(
        inputs([scored(later)], [record(sf("001A"), tags=SYNCED)], memory={sf("001A"): SYNCED}),
        config,
        PLAYBOOKS,
    )
    assert changed(plan)["health_score"] == "35.0"
    assert changed(plan)["health_grade"] == "at_risk"
