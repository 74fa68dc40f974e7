"""What a HubSpot cursor means, and the small state it carries between runs.

``Cursor.modified_at`` = T: every record whose ``hs_lastmodifieddate`` ≤ T has been read
(T is a window's upper bound, never past the run's start). A run reads the window
[T − lookback, run start] — the lookback re-reads what HubSpot's search index had not yet
caught up with (pitfalls.md #3) — ordered and paged by ``hs_object_id`` (keyset: each page
asks for ids above the last one, so neither the 10,000-result cap nor ties on the stamp
matter, and a record that moves out of the window mid-run cannot shift the pages).

While a window is being read, ``last_id`` is the highest id committed in it and ``state``
holds the window's bounds, so a crash resumes the same window where it stopped. When the
window is done ``last_id`` is None and T moves to its upper bound.

``state`` keys (all strings, as ``Cursor.state`` requires):

- ``window_from`` / ``window_to``: the open window's bounds in epoch-ms (``""`` = unbounded);
- ``archived_checked_at``: ISO time of the last ``archived=true`` listing;
- ``recent``: JSON ``{id: stamp-ms}`` of records read with a stamp inside the next run's
  lookback, so unchanged re-reads are dropped, not re-emitted (de-duplicated by id);
- ``archived`` (owners only): the same for the archived owners already emitted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from connector.ports import Cursor

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
RECENT_MAX = 2_000  # above this many recent ids the de-duplication state is not kept


def to_ms(moment: datetime) -> int:
    return (moment - EPOCH) // _MS


def from_ms(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)


def floor_ms(moment: datetime) -> datetime:
    """``moment`` truncated to whole milliseconds (HubSpot compares at ms precision)."""
    return from_ms(to_ms(moment.astimezone(UTC)))


@dataclass(frozen=True)
class Window:
    """Records modified in [since, until] (None = unbounded), from id ``after_id`` on."""

    since: datetime | None
    until: datetime | None
    after_id: str | None = None


def open_window(cursor: Cursor | None) -> Window | None:
    """The window a previous run left half-read, if any."""
    if cursor is None or "window_to" not in cursor.state:
        return None
    since = cursor.state.get("window_from", "")
    until = cursor.state.get("window_to", "")
    return Window(
        since=from_ms(int(since)) if since else None,
        until=from_ms(int(until)) if until else None,
        after_id=cursor.last_id,
    )


def window_state(window: Window) -> dict[str, str]:
    return {
        "window_from": str(to_ms(window.since)) if window.since else "",
        "window_to": str(to_ms(window.until)) if window.until else "",
    }


def checked_at(cursor: Cursor | None) -> datetime | None:
    raw = cursor.state.get("archived_checked_at") if cursor else None
    return datetime.fromisoformat(raw) if raw else None


def load_recent(cursor: Cursor | None, key: str = "recent") -> dict[str, int]:
    """The ``{id: stamp-ms}`` map a previous run left under ``key`` (empty if none)."""
    raw = cursor.state.get(key) if cursor else None
    if not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        return {}
    return {str(k): int(v) for k, v in parsed.items()} if isinstance(parsed, dict) else {}


def dump_recent(recent: dict[str, int]) -> str | None:
    if not recent or len(recent) > RECENT_MAX:
        return None
    return json.dumps(recent, separators=(",", ":"), sort_keys=True)
