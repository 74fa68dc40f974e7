"""Write-back: plan the tags and tasks a run writes into each CRM, and apply the plan
through the ledger so a crash or a rerun never duplicates a write.

``build_plan`` is pure (inputs in, a :class:`Plan` out); ``gather_inputs`` reads its
inputs from the store; ``apply_plan`` ledgers, sends and settles; ``plan_and_apply_step``
is the whole step ``run_sync`` runs after scoring. docs/writeback.md tells the story.
"""

from connector.planning.apply import STREAM, ApplyResult, apply_plan, quarantine_id
from connector.planning.gather import gather_inputs
from connector.planning.guard import BlastRadiusExceeded, blast_radius, check_blast_radius
from connector.planning.keys import TaskKey, close_key, ledger_key, tag_key
from connector.planning.plan import Kept, Plan, PlanInputs, PlanRow
from connector.planning.planner import build_plan
from connector.planning.ports import ApplyStore, WritebackAdapter
from connector.planning.settle import Settlement, settle
from connector.planning.step import WritebackReport, plan_and_apply_step, writeback_adapters
from connector.planning.values import desired_tags, same

__all__ = [
    "STREAM",
    "ApplyResult",
    "ApplyStore",
    "BlastRadiusExceeded",
    "Kept",
    "Plan",
    "PlanInputs",
    "PlanRow",
    "Settlement",
    "TaskKey",
    "WritebackAdapter",
    "WritebackReport",
    "apply_plan",
    "blast_radius",
    "build_plan",
    "check_blast_radius",
    "close_key",
    "desired_tags",
    "gather_inputs",
    "ledger_key",
    "plan_and_apply_step",
    "quarantine_id",
    "same",
    "settle",
    "tag_key",
    "writeback_adapters",
]
