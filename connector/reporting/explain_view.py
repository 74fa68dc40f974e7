"""An :class:`Explanation` as JSON, and as text a person reads in a terminal."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

from connector.model import Snapshot
from connector.reporting.explain import Explanation, component_rows


def explanation_document(e: Explanation) -> dict[str, Any]:
    """The explanation as JSON-ready data; stored values first, recomputation beside them."""
    s = e.snapshot
    return {
        "partner": {
            "partner_id": e.partner.partner_id,
            "name": e.partner.name,
            "domains": list(e.partner.domains),
        },
        "snapshot": _snapshot(s) | {"reasons": list(s.reasons), "segment_rule": s.segment_rule},
        "components": component_rows(s),
        "missing_data": list(e.missing_data),
        "segment": {"segment": s.segment.value, "rule": s.segment_rule},
        "tier": {
            "tier": e.tier.tier.value,
            "won_revenue_12m": _number(e.tier.revenue),
            "tier_by_revenue_alone": e.tier.by_revenue.value if e.tier.by_revenue else None,
            "previous_tier": e.tier.previous.value if e.tier.previous else None,
            "kept_by_hysteresis": e.tier.kept_by_hysteresis,
            "threshold": _number(e.tier.threshold),
            "keep_floor": _number(e.tier.keep_floor),
            "hysteresis_pct": _number(e.tier.hysteresis_pct),
            "rule": e.tier.rule,
        },
        "trend": {
            "trend": s.trend.value,
            "base": (
                {"as_of": base.as_of.isoformat(), "score": base.score}
                if e.recomputed and (base := e.recomputed.trend_base)
                else None
            ),
        },
        "playbooks": [
            {"name": p.name, "fires": p.fires, "holds": p.holds, "why": p.why, "task": p.task}
            for p in e.playbooks
        ],
        "links": [
            {
                "system": link.ref.system,
                "id": link.ref.id,
                "name": next((r.name for r in e.partner.records if r.ref == link.ref), None),
                "reason": link.reason.value,
                "detail": link.detail,
                "confidence": link.confidence,
            }
            for link in e.partner.links
        ],
        "history": [_snapshot(h) for h in e.history],
        "recomputation": {
            "agrees": e.agrees,
            "stored_config_version": s.config_version,
            "current_config_version": e.current_version,
            "config_changed": s.config_version != e.current_version,
            "differences": list(e.differences),
            "records_changed_since": e.changed_records,
            "score": e.recomputed.snapshot.score if e.recomputed else None,
        },
    }


def print_explanation(console: Console, e: Explanation) -> None:
    """The explanation in reading order: verdict, components, segment, tier, playbooks,
    links, history, and whether today's recomputation agrees."""
    s = e.snapshot
    console.print(
        f"[bold]{e.partner.name}[/]  {e.partner.partner_id}  "
        f"score [bold]{s.score:.1f}[/] ({s.grade.value}, trend {s.trend.value}) — "
        f"{s.segment.value}, {s.tier.value}" + ("  [red]churned[/]" if s.churned else "")
    )
    console.print(f"snapshot of {s.as_of:%Y-%m-%d %H:%M} UTC, config version {s.config_version}")
    if s.reasons:
        console.print(f"reasons: {'; '.join(s.reasons)}")
    console.print(_components_table(e))
    if e.missing_data:
        console.print(
            f"left out (no data, weight spread over the rest): {'; '.join(e.missing_data)}"
        )
    console.print(f"\n[bold]segment[/] {s.segment.value}: {s.segment_rule}")
    console.print(_tier_line(e))
    console.print(_playbooks_table(e))
    console.print(_links_table(e))
    console.print(_history_table(e.history))
    _print_recomputation(console, e)


def _components_table(e: Explanation) -> Table:
    table = Table(title="health components", show_edge=False, title_justify="left")
    table.add_column("component")
    table.add_column("value", justify="right")
    table.add_column("weight (configured)", justify="right")
    table.add_column("points lost", justify="right")
    table.add_column("why (inputs)", overflow="fold")
    for row in component_rows(e.snapshot):
        value, weight, configured = row["value"], row["weight"], row["configured_weight"]
        inputs = row["inputs"]
        shown = _inputs_text(inputs) if isinstance(inputs, dict) else ""
        table.add_row(
            str(row["name"]),
            "no data" if not isinstance(value, float) else f"{value:.1f}",
            (f"{100 * weight:.0f}%" if isinstance(weight, float) and weight else "—")
            + ("" if configured is None else f" ({configured:g})"),
            f"{row['points_lost']:.1f}",
            f"{row['reason']}\n[dim]{shown}[/]" if shown else str(row["reason"]),
        )
    return table


def _inputs_text(inputs: dict[str, object]) -> str:
    """Inputs as a person reads them: cents as money, instants as dates, None as a dash."""
    parts = []
    for name, value in inputs.items():
        if "_cents" in name and isinstance(value, int):
            parts.append(f"{name.replace('_cents', '')}={_money(Decimal(value) / 100)}")
        elif isinstance(value, str) and len(value) > 10 and value[4:5] == "-":
            parts.append(f"{name}={value[:10]}")
        else:
            parts.append(f"{name}={'—' if value is None else value}")
    return ", ".join(parts)


def _tier_line(e: Explanation) -> str:
    t = e.tier
    revenue = "unknown" if t.revenue is None else _money(t.revenue)
    line = f"[bold]tier[/] {t.tier.value}: won revenue (12 months) {revenue}"
    if t.kept_by_hysteresis:
        line += (
            f" — below the {_money(t.threshold)} {t.tier.value} threshold, kept by hysteresis "
            f"(lost under {_money(t.keep_floor)}, {t.hysteresis_pct}% below)"
        )
    elif t.threshold:
        line += f" — reaches the {_money(t.threshold)} {t.tier.value} threshold"
    else:
        line += " — below every threshold"
    previous = t.previous.value if t.previous else "none (first snapshot)"
    line += f"; previous tier {previous}"
    return line + (f"\n  rule: {t.rule}" if t.rule else "")


def _playbooks_table(e: Explanation) -> Table:
    table = Table(title="playbooks", show_edge=False, title_justify="left")
    for column in ("playbook", "fires", "why", "task"):
        table.add_column(column, overflow="fold")
    for p in sorted(e.playbooks, key=lambda p: not p.fires):
        fires = "[bold green]yes[/]" if p.fires else ("holds" if p.holds else "no")
        table.add_row(p.name, fires, p.why, p.task if p.fires else "")
    return table


def _links_table(e: Explanation) -> Table:
    table = Table(title="CRM records", show_edge=False, title_justify="left")
    for column in ("CRM", "id", "name", "linked because", "confidence"):
        table.add_column(column, overflow="fold")
    names = {r.ref: r.name for r in e.partner.records}
    for link in e.partner.links:
        table.add_row(
            link.ref.system,
            link.ref.id,
            names.get(link.ref, ""),
            f"{link.reason.value}: {link.detail}",
            f"{link.confidence:.2f}",
        )
    return table


def _history_table(history: tuple[Snapshot, ...]) -> Table:
    table = Table(title="latest snapshots", show_edge=False, title_justify="left")
    for column in ("date", "score", "grade", "segment", "tier", "trend", "config version"):
        table.add_column(column, justify="right" if column == "score" else "left")
    for h in history:
        table.add_row(
            f"{h.as_of:%Y-%m-%d}",
            f"{h.score:.1f}",
            h.grade.value + (" (churned)" if h.churned else ""),
            h.segment.value,
            h.tier.value,
            h.trend.value,
            h.config_version,
        )
    return table


def _print_recomputation(console: Console, e: Explanation) -> None:
    s = e.snapshot
    if s.config_version != e.current_version:
        console.print(
            f"[yellow]the config changed since this snapshot[/] (version {s.config_version}, "
            f"now {e.current_version}): scoring again with today's config gives a different "
            "basis; the values above are the stored ones"
        )
    if e.changed_records:
        changed = ", ".join(f"{n} {table}" for table, n in e.changed_records.items())
        console.print(f"[yellow]records changed since the snapshot[/]: {changed}")
    if e.agrees:
        console.print("[green]scoring again as of the snapshot's date gives the same result[/]")
        return
    console.print(
        "[yellow]scoring again as of the snapshot's date differs[/]: " + "; ".join(e.differences)
    )


def _snapshot(s: Snapshot) -> dict[str, Any]:
    return {
        "as_of": s.as_of.isoformat(),
        "score": s.score,
        "grade": s.grade.value,
        "segment": s.segment.value,
        "tier": s.tier.value,
        "trend": s.trend.value,
        "churned": s.churned,
        "config_version": s.config_version,
    }


def _money(value: Decimal | None) -> str | None:
    if value is None:
        return None
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.quantize(Decimal('0.01')):,}"


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
