"""The seam under hubspot-api-client: every HTTP request the SDK sends passes through here.

Each generated package's ``RESTClientObject`` sends through ``self.pool_manager.request``;
:class:`GovernedPool` stands in for that pool manager, shared by every package. Per request
it waits for the governor, sets the current bearer token, counts the call in ``ApiCalls`` by
endpoint template, sends once (``retries=False``: retries belong to ``adapters/retry.py``,
and a silent urllib3 retry would also break the call count), applies the timeout, feeds the
rate-limit headers back to the governor, and refuses a 2xx body that is not JSON.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import urllib3

from adapters.calls import ApiCalls
from adapters.hubspot.auth import TokenSource
from adapters.hubspot.errors import MalformedResponse
from adapters.hubspot.governor import Governor

_NUMERIC = re.compile(r"^\d+$")
# Path segments that are names chosen by callers, not ids (kept verbatim in templates).
_NAMED_AFTER = {"groups": "{group}", "access-tokens": "{token}", "refresh-tokens": "{token}"}


def endpoint_template(method: str, url: str) -> str:
    """``POST /crm/v3/objects/companies/search``; ids become ``{id}``, never a secret in it."""
    path = urlsplit(url).path
    parts = [p for p in path.split("/") if p]
    out: list[str] = []
    for i, part in enumerate(parts):
        previous = parts[i - 1] if i else ""
        if previous in _NAMED_AFTER:
            out.append(_NAMED_AFTER[previous])
        elif _NUMERIC.match(part):
            out.append("{id}")
        else:
            out.append(part)
    return f"{method.upper()} /{'/'.join(out)}"


def is_search(template: str) -> bool:
    return template.startswith("POST ") and template.endswith("/search")


class GovernedPool:
    """A drop-in for the SDK's ``urllib3.PoolManager`` (only ``request`` and ``clear`` are used)."""

    def __init__(
        self,
        *,
        calls: ApiCalls,
        governor: Governor,
        tokens: TokenSource,
        timeout_s: float,
        pool: urllib3.PoolManager | None = None,
    ) -> None:
        self.calls = calls
        self.governor = governor
        self.tokens = tokens
        self.timeout = urllib3.Timeout(connect=min(timeout_s, 10.0), read=timeout_s)
        self.pool = pool or urllib3.PoolManager(num_pools=2, maxsize=4)
        self.last_token: str | None = None

    def request(self, method: str, url: str, **kw: Any) -> Any:
        template = endpoint_template(method, url)
        search = is_search(template)
        token = self.tokens.token()
        self.governor.acquire(search=search)
        headers = dict(kw.pop("headers", None) or {})
        headers["Authorization"] = f"Bearer {token}"
        self.last_token = token
        if kw.get("timeout") is None:
            kw["timeout"] = self.timeout
        kw["retries"] = False
        # Always read the body here, so the connection goes back to the pool even when the
        # SDK was asked for the raw response (``_preload_content=False``).
        wants_model = kw.pop("preload_content", True)
        self.calls.count(template)
        response = self.pool.request(method, url, headers=headers, preload_content=True, **kw)
        self.governor.observe(response.status, response.headers, search=search)
        if response.status == 429:
            self.calls.count_rate_limited()
        if 200 <= response.status < 300 and wants_model:
            _require_json(response)
        return response

    def clear(self) -> None:
        self.pool.clear()


def _require_json(response: Any) -> None:
    data = response.data
    if not data:
        return
    content_type = str(response.headers.get("content-type", ""))
    if "json" not in content_type.lower():
        return
    try:
        json.loads(data)
    except ValueError as exc:
        raise MalformedResponse(f"{len(data)} bytes of invalid JSON") from exc
