"""The blast-radius guard: refuse above the limits unless approved; a dry run reports."""

from __future__ import annotations

import pytest

from connector.config.scoring import PlaybooksConfig
from connector.errors import ConfigError, ExitCode
from connector.planning import (
    BlastRadiusExceeded,
    Plan,
    blast_radius,
    build_plan,
    check_blast_radius,
)
from tests.planning.builders import inputs, record, scored, sf, snapshot, synced_tags, writeback


def plan_touching(touched: int, total: int) -> Plan:
    """``total`` partners, of which the first ``touched`` have stale tags."""
    partners, records, links = [], [], {}
    for i in range(total):
        snap = snapshot(f"P-{i:012d}")
        ref = sf(f"001{i:03d}")
        partners.append(scored(snap))
        records.append(record(ref, tags={} if i < touched else synced_tags(snap)))
        links[snap.partner_id] = [ref]
    return build_plan(
        inputs(partners, records, links=links), writeback(tasks=False), PlaybooksConfig()
    )


@pytest.mark.parametrize(
    ("touched", "total", "limits", "refused"),
    [
        (3, 4, {"max_share_per_run": 0.5}, True),
        (2, 4, {"max_share_per_run": 0.5}, False),
        (3, 4, {"max_partners_per_run": 2}, True),
        (2, 4, {"max_partners_per_run": 2}, False),
        (4, 4, {}, False),
        (0, 0, {"max_share_per_run": 0.1}, False),
    ],
)
def test_the_guard_refuses_above_either_limit(
    touched: int, total: int, limits: dict[str, float], refused: bool
) -> None:
    plan = plan_touching(touched, total)
    assert len(plan.touched()) == touched
    assert plan.partners_total == total
    config = writeback(**limits)
    assert (blast_radius(plan, config) is not None) is refused
    if refused:
        with pytest.raises(BlastRadiusExceeded) as caught:
            check_blast_radius(plan, config, approve=False)
        assert isinstance(caught.value, ConfigError)
        assert caught.value.exit_code == ExitCode.BAD_INPUT
        assert f"{touched} of {total} partners" in str(caught.value)
        assert "--approve" in str(caught.value)
        assert (caught.value.touched, caught.value.total) == (touched, total)
    check_blast_radius(plan, config, approve=True)
