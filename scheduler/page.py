"""The daemon's ``/`` page: the facts of ``partnerpulse status`` as one small HTML page.

No script, no external resource; every value is escaped. It refreshes itself every 30 s.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from scheduler.status import StatusFacts, calls_by_crm, duration_s

_STYLE = """
body{font:14px system-ui,sans-serif;margin:1.5rem;color:#222}
h1{font-size:1.3rem}h2{font-size:1.05rem;margin-top:1.4rem}
table{border-collapse:collapse}td,th{padding:.2rem .6rem;border-bottom:1px solid #ddd;
text-align:left}td.n{text-align:right}.ok{color:#1a7f37}.bad{color:#b42318}.warn{color:#b54708}
.muted{color:#777}
"""
_OUTCOME_CLASS = {
    "ok": "ok",
    "running": "muted",
    "rejected": "warn",
    "interrupted": "warn",
    "abandoned": "warn",
}


def render_page(facts: StatusFacts, *, healthy: bool, health_detail: str) -> str:
    """The whole page as text."""
    state = "ok" if healthy else "bad"
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        '<meta http-equiv="refresh" content="30">',
        f"<title>PartnerPulse — {escape(facts.workspace)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>PartnerPulse daemon — workspace <code>{escape(facts.workspace)}</code></h1>",
        f'<p id="health" class="{state}">health: {escape(health_detail)}</p>',
        f'<p class="muted">as of {_when(facts.now)}</p>',
        _next_runs(facts),
        _runs(facts),
        _cursors(facts),
        _quarantine(facts),
        _budgets(facts),
        "</body></html>",
    ]
    return "\n".join(parts)


def _table(element_id: str, headers: tuple[str, ...], rows: list[list[str]], empty: str) -> str:
    if not rows:
        return f'<p id="{element_id}" class="muted">{escape(empty)}</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(row) + "</tr>" for row in rows)
    return f'<table id="{element_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _cell(value: object, *, number: bool = False) -> str:
    text = "—" if value is None else str(value)
    return f'<td class="n">{escape(text)}</td>' if number else f"<td>{escape(text)}</td>"


def _next_runs(facts: StatusFacts) -> str:
    rows = [[_cell(n.job), _cell(n.schedule), _cell(_when(n.at))] for n in facts.next_runs]
    return "<h2>Next runs</h2>" + _table(
        "next-runs", ("job", "schedule", "next"), rows, "no job is scheduled"
    )


def _runs(facts: StatusFacts) -> str:
    rows = []
    for run in facts.runs:
        duration = duration_s(run)
        calls = calls_by_crm(run.api_calls)
        rows.append(
            [
                _cell(_when(run.started_at)),
                _cell(run.kind),
                f'<td class="{_OUTCOME_CLASS.get(run.outcome, "bad")}">{escape(run.outcome)}</td>',
                _cell(f"{duration:.1f}s" if duration is not None else None, number=True),
                _cell(run.records_pulled, number=True),
                _cell(run.records_written, number=True),
                _cell(run.rejects, number=True),
                _cell(", ".join(f"{crm} {n}" for crm, n in calls.items()) or "0"),
                _cell(run.error or ""),
            ]
        )
    headers = ("started", "job", "outcome", "duration", "pulled", "written", "rejects")
    return "<h2>Last runs</h2>" + _table(
        "runs", (*headers, "API calls", "error"), rows, "no run yet"
    )


def _cursors(facts: StatusFacts) -> str:
    rows = [
        [
            _cell(f"{connection}/{stream}"),
            _cell(_when(cursor.modified_at)),
            _cell(_when(cursor.checked_at)),
        ]
        for (connection, stream), cursor in facts.cursors.items()
    ]
    return "<h2>Cursors</h2>" + _table(
        "cursors", ("stream", "up to", "checked"), rows, "no stream pulled yet"
    )


def _quarantine(facts: StatusFacts) -> str:
    rows = [
        [_cell(f"{q.system}/{q.stream}"), _cell(q.record_id), _cell(q.reason), _cell(q.attempts)]
        for q in facts.quarantine_latest
    ]
    title = f"<h2>Quarantine: <span id=quarantine-open>{facts.quarantine_open}</span> open</h2>"
    return title + _table(
        "quarantine", ("stream", "record", "reason", "attempts"), rows, "nothing quarantined"
    )


def _budgets(facts: StatusFacts) -> str:
    rows = [
        [
            _cell(b.crm),
            _cell(b.remaining, number=True),
            _cell(b.limit, number=True),
            _cell(_when(b.seen_at)),
        ]
        for b in facts.budgets
    ]
    return "<h2>API budget</h2>" + _table(
        "budget",
        ("CRM", "remaining", "limit", "as of"),
        rows,
        "no run has recorded an API budget yet",
    )


def _when(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if value else None
