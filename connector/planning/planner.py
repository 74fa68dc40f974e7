"""``build_plan``: every write a run would make, from the scores and the live CRM values.

Pure: no I/O, no clock (``as_of`` comes in with the inputs). Who is written to: each
active (not churned) scored partner, on each of its linked records that is live (not
deleted), still matches the partner filter in its CRM, and lives in a CRM this run
talks to. Churned partners get no tags and no tasks.
"""

from __future__ import annotations

from collections import defaultdict

from connector.config.scoring import PlaybooksConfig
from connector.config.writeback import WritebackConfig
from connector.model import PartnerRecord, System
from connector.operations import Operation
from connector.planning.plan import Kept, Plan, PlanInputs
from connector.planning.tags import plan_tags
from connector.planning.tasks import plan_tasks, task_target
from connector.scoring import ScoredPartner


def build_plan(inputs: PlanInputs, writeback: WritebackConfig, playbooks: PlaybooksConfig) -> Plan:
    """The plan: tag updates for every record whose tags differ, then task operations."""
    active = {s.partner_id: s for s in inputs.scored if not s.snapshot.churned}
    if not writeback.enabled:
        return Plan(inputs.as_of, partners_total=len(active))
    operations: list[Operation] = []
    kept: list[Kept] = []
    targets: dict[str, dict[System, PartnerRecord]] = {}
    for partner_id, partner in sorted(active.items()):
        records = writable_records(inputs, partner)
        for record in records:
            update, held = plan_tags(partner, record, inputs.memory.get(record.ref), writeback)
            kept.extend(held)
            if update is not None:
                operations.append(update)
        per_system: dict[System, list[PartnerRecord]] = defaultdict(list)
        for record in records:
            per_system[record.ref.system].append(record)
        targets[partner_id] = {system: task_target(rs) for system, rs in per_system.items()}
    if writeback.tasks:
        operations.extend(plan_tasks(inputs, active, targets, playbooks, writeback))
    return Plan(inputs.as_of, tuple(operations), tuple(kept), partners_total=len(active))


def writable_records(inputs: PlanInputs, partner: ScoredPartner) -> list[PartnerRecord]:
    """The partner's linked records the tool may write to, by system then id."""
    found = []
    for ref in inputs.links.get(partner.partner_id, ()):
        record = inputs.records.get(ref)
        if (
            record is not None
            and not record.deleted
            and record.is_partner
            and ref.system in inputs.systems
        ):
            found.append(record)
    return sorted(found, key=lambda r: (r.ref.system, r.ref.id))
