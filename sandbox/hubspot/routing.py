"""Route templates, matching and the per-request context handlers receive.

One table serves both dispatch and call accounting (``route_of`` gives the template, e.g.
``/crm/v3/objects/{type}/search``). Paths are normalised first: repeated slashes collapse and a
trailing slash is dropped (the client calls ``/crm/v3/owners/``; a host with a trailing slash
produces ``//crm``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response

from sandbox.hubspot.auth import Caller

_SLASHES = re.compile(r"/{2,}")
UNMATCHED = "(unmatched)"


def normalize_path(path: str) -> str:
    path = _SLASHES.sub("/", path)
    return path[:-1] if len(path) > 1 and path.endswith("/") else path


@dataclass
class Ctx:
    """What a handler sees of one request."""

    method: str
    path: str
    params: dict[str, str]
    query: Sequence[tuple[str, str]]
    body: Any
    base_url: str
    caller: Caller | None = None
    now_ms: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def first(self, name: str) -> str | None:
        for key, value in self.query:
            if key == name:
                return value
        return None

    def multi(self, name: str) -> list[str] | None:
        """A list parameter sent repeated (``a=x&a=y``, the client) or comma-separated
        (``a=x,y``, the docs); None when absent."""
        values = [v for k, v in self.query if k == name]
        if not values:
            return None
        return [part.strip() for v in values for part in v.split(",") if part.strip()]

    def flag(self, name: str) -> bool:
        """Booleans arrive as ``true``/``false`` or Python's ``True``/``False`` (the client)."""
        return (self.first(name) or "").strip().lower() == "true"


Handler = Callable[[Ctx], Response]


@dataclass(frozen=True)
class Route:
    methods: frozenset[str]
    template: str
    handler: Handler
    kind: str = "api"  # "api", "search" (own rate limit, no headers), "oauth" (no bearer)

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.template.strip("/").split("/"))


def route(methods: str, template: str, handler: Handler, kind: str = "api") -> Route:
    return Route(frozenset(methods.split()), template, handler, kind)


class Router:
    def __init__(self, routes: Sequence[Route]) -> None:
        self._by_length: dict[int, list[tuple[Route, tuple[str, ...]]]] = {}
        for r in routes:
            segs = r.segments
            self._by_length.setdefault(len(segs), []).append((r, segs))

    def _candidates(self, path: str) -> tuple[list[tuple[Route, dict[str, str]]], tuple[str, ...]]:
        parts = tuple(normalize_path(path).strip("/").split("/"))
        found = []
        for r, segs in self._by_length.get(len(parts), []):
            params: dict[str, str] = {}
            for want, got in zip(segs, parts, strict=True):
                if want.startswith("{"):
                    if not got:
                        break
                    params[want[1:-1]] = got
                elif want != got:
                    break
            else:
                found.append((r, params))
        return found, parts

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | int:
        """The route and its parameters, or 404 / 405."""
        found, _ = self._candidates(path)
        if not found:
            return 404
        for r, params in found:
            if method in r.methods:
                return r, params
        return 405

    def template_of(self, path: str) -> str:
        found, _ = self._candidates(path)
        return found[0][0].template if found else UNMATCHED
