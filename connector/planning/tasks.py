"""Planning follow-up tasks: creates for fired playbooks, closes for cleared ones, and
retries of creates the ledger holds but the CRM never got.

**Key and period.** A task's key is ``playbook:partner_id:period``. The period is the day
the playbook's current cooldown window opened for that partner: the latest period of a
task of that (playbook, partner) known from the CRM or the ledger, in any state, that is
fewer than ``cooldown_days`` days before ``as_of``; else ``as_of``'s own day, which opens
a new window. So a retry, a rerun or a rerun after a crash inside the window plans the
same key (stable also across a window boundary, because the ledger remembers a create
before it is sent), the key already present stops the playbook from firing again until
the cooldown ends, and a window never starts by the calendar alone (fixed buckets would
let a task fired on a bucket's last day fire again the next day).

**One task per CRM.** A fired playbook gives one create per CRM where the partner has a
live partner record: on the record that has an owner (first by id), owned by that owner
(none if the owner is inactive: the CRM's default applies). A create is left out when
the key is in that CRM already (a task carrying it, open, done or deleted — a task a
person deleted is not raised again), when the ledger has it done, or while another
open task of the same playbook for the partner waits in that CRM.

**Close.** With ``auto_close``, an open task carrying one of our keys whose playbook no
longer *holds* (``PlaybookResult.holds``: the situation it is about has cleared) is
closed with ``close_note``. Tasks of churned partners, of disabled playbooks or with keys
that are not ours are left alone.

**Retry.** A create the ledger holds as failed (the CRM refused it, or a crash cut it off
and the CRM was checked and did not have it) is planned again, as it was, while its
partner is active, its playbook holds and its period is inside the cooldown. This is how
an event playbook (``at_risk_call``, ``tier_change``), which fires on one run only, still
gets its task after a crash or a rejection.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta

from connector.config.scoring import PlaybookConfig, PlaybooksConfig
from connector.config.writeback import WritebackConfig
from connector.model import Activity, Owner, PartnerRecord, SourceRef, System
from connector.operations import Operation, TaskClose, TaskCreate
from connector.planning.keys import TaskKey, close_key, ledger_key
from connector.planning.plan import PlanInputs
from connector.planning.values import reasons_text
from connector.scoring import PlaybookResult, ScoredPartner

SUBJECT_MAX = 255
_RETRY = "retry: "


@dataclass
class _Known:
    """What exists already: task keys per CRM, open tasks, periods, ledger entries."""

    in_crm: set[tuple[System, str]] = field(default_factory=set)
    open_tasks: dict[tuple[System, str, str], list[Activity]] = field(
        default_factory=lambda: defaultdict(list)
    )
    periods: dict[tuple[str, str], set[date]] = field(default_factory=lambda: defaultdict(set))


def _known(inputs: PlanInputs) -> _Known:
    known = _Known()
    for task in inputs.tool_tasks:
        parsed = TaskKey.parse(task.task_key)
        if task.task_key is None or parsed is None:
            continue
        system = task.ref.system
        known.in_crm.add((system, task.task_key))
        known.periods[(parsed.playbook, parsed.partner_id)].add(parsed.period)
        if task.is_open and not task.deleted:
            known.open_tasks[(system, parsed.playbook, parsed.partner_id)].append(task)
    for entry in inputs.task_ledger.values():
        op = entry.operation
        parsed = TaskKey.parse(op.task_key) if isinstance(op, TaskCreate) else None
        if parsed is not None:
            known.periods[(parsed.playbook, parsed.partner_id)].add(parsed.period)
    return known


def period_of(periods: set[date], day: date, cooldown_days: int) -> date:
    """The day the cooldown window containing ``day`` opened, or ``day`` for a new one."""
    window = max(cooldown_days, 1)
    inside = [p for p in periods if 0 <= (day - p).days < window]
    return max(inside) if inside else day


def task_target(records: Sequence[PartnerRecord]) -> PartnerRecord:
    """The record of one CRM a task goes on: the first with an owner, by id."""
    return min(records, key=lambda r: (r.owner is None, r.ref.id))


def owner_id(record: PartnerRecord, owners: Mapping[SourceRef, Owner]) -> str | None:
    """The partner's owner in the record's CRM, unless that user is inactive or gone."""
    ref = record.owner
    if ref is None or ref.system != record.ref.system:
        return None
    owner = owners.get(ref)
    if owner is not None and (not owner.active or owner.deleted):
        return None
    return ref.id


def plan_creates(
    inputs: PlanInputs,
    partner: ScoredPartner,
    targets: Mapping[System, PartnerRecord],
    playbooks: PlaybooksConfig,
    known: _Known,
) -> list[TaskCreate]:
    """A create per fired playbook per CRM in ``targets`` (one record per CRM)."""
    day = inputs.as_of.astimezone(UTC).date()
    configs = playbooks.by_name()
    creates: list[TaskCreate] = []
    for result in partner.fired():
        config = configs[result.name]
        periods = known.periods[(result.name, partner.partner_id)]
        key = str(
            TaskKey(result.name, partner.partner_id, period_of(periods, day, config.cooldown_days))
        )
        for system, record in targets.items():
            entry = inputs.task_ledger.get(ledger_key(key, system))
            if (system, key) in known.in_crm or (entry is not None and entry.state == "done"):
                continue
            if known.open_tasks.get((system, result.name, partner.partner_id)):
                continue
            creates.append(
                _create(inputs, partner, result, config, record, key, day, entry is not None)
            )
    return creates


def _create(
    inputs: PlanInputs,
    partner: ScoredPartner,
    result: PlaybookResult,
    config: PlaybookConfig,
    record: PartnerRecord,
    key: str,
    day: date,
    sent_before: bool,
) -> TaskCreate:
    snapshot = partner.snapshot
    subject = (
        result.task if len(result.task) <= SUBJECT_MAX else result.task[: SUBJECT_MAX - 1] + "…"
    )
    reasons = reasons_text(snapshot.reasons)
    body = (
        f"{result.why[:1].upper()}{result.why[1:]}. Health {snapshot.score:.1f} "
        f"({snapshot.grade.value}){': ' + reasons if reasons else ''}. "
        f"Raised by PartnerPulse, task {key}."
    )
    return TaskCreate(
        key=ledger_key(key, record.ref.system),
        task_key=key,
        system=record.ref.system,
        record_id=record.ref.id,
        partner_id=partner.partner_id,
        playbook=result.name,
        owner_id=owner_id(record, inputs.owners),
        subject=subject,
        body=body,
        due=day + timedelta(days=config.due_days),
        priority=config.priority,
        reason=result.why,
        sent_before=sent_before,
    )


def plan_closes(
    inputs: PlanInputs,
    active: Mapping[str, ScoredPartner],
    writeback: WritebackConfig,
    known: _Known,
) -> list[TaskClose]:
    """A close per open task of ours whose playbook no longer holds."""
    closes: list[TaskClose] = []
    for (system, playbook, partner_id), tasks in sorted(known.open_tasks.items()):
        partner = active.get(partner_id)
        result = _result(partner, playbook) if partner is not None else None
        if system not in inputs.systems or result is None or result.holds:
            continue
        for task in sorted(tasks, key=lambda t: t.ref.id):
            assert task.task_key is not None
            key = close_key(task.task_key, system)
            entry = inputs.task_ledger.get(key)
            if entry is not None and entry.state == "done":
                continue
            closes.append(
                TaskClose(
                    key=key,
                    task_key=task.task_key,
                    system=system,
                    task_id=task.ref.id,
                    partner_id=partner_id,
                    playbook=playbook,
                    note=writeback.close_note,
                    reason=f"condition cleared: {result.why}",
                )
            )
    return closes


def plan_retries(
    inputs: PlanInputs,
    active: Mapping[str, ScoredPartner],
    playbooks: PlaybooksConfig,
    planned: set[str],
    known: _Known,
) -> list[TaskCreate]:
    """Creates the ledger holds unfinished (failed, or cut off and not found in the CRM)
    that still make sense: sent again as they were planned."""
    day = inputs.as_of.astimezone(UTC).date()
    configs = playbooks.by_name()
    retries: list[TaskCreate] = []
    for key, entry in sorted(inputs.task_ledger.items()):
        op = entry.operation
        if not isinstance(op, TaskCreate) or entry.state == "done" or key in planned:
            continue
        parsed = TaskKey.parse(op.task_key)
        partner = active.get(op.partner_id)
        config = configs.get(op.playbook)
        record = inputs.records.get(SourceRef(system=op.system, id=op.record_id))
        result = _result(partner, op.playbook) if partner is not None else None
        if (
            parsed is None
            or config is None
            or not config.enabled
            or result is None
            or not result.holds
            or op.system not in inputs.systems
            or (op.system, op.task_key) in known.in_crm
            or known.open_tasks.get((op.system, op.playbook, op.partner_id))
            or record is None
            or record.deleted
            or not record.is_partner
            or not 0 <= (day - parsed.period).days < max(config.cooldown_days, 1)
        ):
            continue
        reason = op.reason if op.reason.startswith(_RETRY) else _RETRY + op.reason
        retries.append(op.model_copy(update={"reason": reason, "sent_before": True}))
    return retries


def _result(partner: ScoredPartner, name: str) -> PlaybookResult | None:
    return next((p for p in partner.playbooks if p.name == name), None)


def plan_tasks(
    inputs: PlanInputs,
    active: Mapping[str, ScoredPartner],
    targets: Mapping[str, Mapping[System, PartnerRecord]],
    playbooks: PlaybooksConfig,
    writeback: WritebackConfig,
) -> list[Operation]:
    """Every task operation of the plan: creates, retries, then closes."""
    known = _known(inputs)
    creates = [
        op
        for pid, partner in active.items()
        for op in plan_creates(inputs, partner, targets.get(pid, {}), playbooks, known)
    ]
    retries = plan_retries(inputs, active, playbooks, {op.key for op in creates}, known)
    closes = plan_closes(inputs, active, writeback, known) if writeback.auto_close else []
    return [*creates, *retries, *closes]
