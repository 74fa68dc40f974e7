"""Sessions (access tokens), refresh tokens and the daily API allocation.

Sessions live ``session_ttl_s`` from issue (Salesforce's own timeout counts from the last
activity; an absolute lifetime is the simpler, stricter choice for tests). The static
session id from the options is valid from start and never times out, but a fault plan's
token expiry can still kill it, as an admin revoking it would.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass


@dataclass
class Session:
    token: str
    user_id: str
    expires_at: float | None
    flow: str


class Sessions:
    def __init__(self, *, ttl_s: float, org_id: str, static: str | None = None) -> None:
        self.ttl_s = ttl_s
        self.org_id = org_id
        self._lock = threading.Lock()
        self._sessions: dict[str, Session] = {}
        self._static = static
        self.issued = 0

    def issue(self, user_id: str, flow: str) -> str:
        token = f"{self.org_id[:15]}!AQ{secrets.token_urlsafe(72)}"
        with self._lock:
            self._sessions[token] = Session(token, user_id, time.monotonic() + self.ttl_s, flow)
            self.issued += 1
        return token

    def check(self, token: str, user_id: str) -> Session | None:
        """The live session behind ``token``, or None (expired sessions are forgotten)."""
        with self._lock:
            if self._static is not None and token == self._static:
                return Session(token, user_id, None, "static")
            session = self._sessions.get(token)
            if session is None:
                return None
            if session.expires_at is not None and time.monotonic() >= session.expires_at:
                del self._sessions[token]
                return None
            return session

    def revoke(self, token: str) -> None:
        with self._lock:
            self._sessions.pop(token, None)
            if token == self._static:
                self._static = None

    def expire_all(self) -> int:
        """Kill every session, the static one included (the back door's "log everyone out")."""
        with self._lock:
            count = len(self._sessions) + (self._static is not None)
            self._sessions.clear()
            self._static = None
            return count


class RefreshTokens:
    """Refresh tokens given in the options, with optional rotation on use."""

    def __init__(self, tokens: tuple[str, ...], *, rotate: bool) -> None:
        self._valid = set(tokens)
        self._rotate = rotate
        self._lock = threading.Lock()

    def use(self, token: str) -> tuple[bool, str | None]:
        """(valid?, the replacement token when rotating)."""
        with self._lock:
            if token not in self._valid:
                return False, None
            if not self._rotate:
                return True, None
            self._valid.discard(token)
            fresh = secrets.token_urlsafe(48)
            self._valid.add(fresh)
            return True, fresh


class DailyAllocation:
    """The org's rolling-24-hour API request allocation (DailyApiRequests)."""

    def __init__(self, limit: int, used: int = 0) -> None:
        self._lock = threading.Lock()
        self.limit = limit
        self.used = used

    def consume(self) -> bool:
        """Count one request; False (nothing counted) when the allocation is spent."""
        with self._lock:
            if self.used >= self.limit:
                return False
            self.used += 1
            return True

    def set(self, *, limit: int | None = None, used: int | None = None) -> None:
        with self._lock:
            if limit is not None:
                self.limit = limit
            if used is not None:
                self.used = used

    def header(self) -> str:
        return f"api-usage={self.used}/{self.limit}"
