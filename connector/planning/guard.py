"""The blast-radius guard: a run that would write to more partners than configured is
refused until a person approves it (``--approve``).

A plan touching many partners at once is usually a changed config or mapping, not many
partners changing at once, and a CRM full of wrong tags and tasks is expensive to undo.
"""

from __future__ import annotations

from connector.config.writeback import WritebackConfig
from connector.errors import ConfigError, ExitCode
from connector.planning.plan import Plan


class BlastRadiusExceeded(ConfigError):
    """The plan writes to more partners than ``[writeback]`` allows in one run.

    Proposed for ``connector/errors.py`` as a ``FatalError``; exit code 2, like any input
    the run refuses.
    """

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, message: str, *, touched: int, total: int) -> None:
        super().__init__(message)
        self.touched = touched
        self.total = total


def blast_radius(plan: Plan, config: WritebackConfig) -> str | None:
    """Why ``plan`` is above the guard, or ``None`` when it is within it."""
    touched, total = len(plan.touched()), plan.partners_total
    share = touched / total if total else 0.0
    limits = []
    if touched > config.max_partners_per_run:
        limits.append(f"writeback.max_partners_per_run = {config.max_partners_per_run}")
    if share > config.max_share_per_run:
        limits.append(f"writeback.max_share_per_run = {config.max_share_per_run:g}")
    if not limits:
        return None
    return (
        f"this run would write to {touched:,} of {total:,} partners ({share:.0%}), above "
        f"{' and '.join(limits)} — review it with `partnerpulse plan`, then rerun with "
        "`--approve` (or raise the limit in [writeback])"
    )


def check_blast_radius(plan: Plan, config: WritebackConfig, *, approve: bool) -> None:
    """Raise :class:`BlastRadiusExceeded` when ``plan`` is above the guard and not approved."""
    problem = blast_radius(plan, config)
    if problem is not None and not approve:
        raise BlastRadiusExceeded(problem, touched=len(plan.touched()), total=plan.partners_total)
