"""The sandbox Salesforce as an ASGI app: logins, the REST data API, Bulk 2.0, the back door.

Per REST request, in Salesforce's order: API version → session (401 INVALID_SESSION_ID, an
array body, which is what makes simple-salesforce log in again) → the fault plan's token
expiry → the daily allocation (403 REQUEST_LIMIT_EXCEEDED) → the resource. Every REST
response carries ``Sforce-Limit-Info: api-usage=N/M``. Logins do not count against the
allocation, as in Salesforce; nor does the back door.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from sandbox.common.faults import FaultPlan
from sandbox.common.middleware import SandboxMiddleware
from sandbox.common.stats import CallStats
from sandbox.salesforce.bulk import BulkJobs
from sandbox.salesforce.errors import ApiError, invalid_session, limit_exceeded, not_found
from sandbox.salesforce.login import Org, soap_login, token_endpoint
from sandbox.salesforce.options import SalesforceOptions
from sandbox.salesforce.query_engine import CursorStore
from sandbox.salesforce.responses import error_response, fault_response, json_response
from sandbox.salesforce.sessions import DailyAllocation, RefreshTokens, Sessions
from sandbox.salesforce.store import SalesforceStore

_VERSION = re.compile(r"v(\d+\.\d)\Z")
DATA_PREFIX = "/services/data/"


class SalesforceApp:
    """State of one sandbox org's API (sessions, allocation, cursors, jobs) and its dispatcher."""

    def __init__(
        self,
        store: SalesforceStore,
        options: SalesforceOptions,
        stats: CallStats,
        faults: FaultPlan,
    ) -> None:
        self.store = store
        self.options = options
        self.stats = stats
        self.faults = faults
        self.user_id = store.ensure_api_user()
        self.allocation = DailyAllocation(options.daily_limit, options.daily_used)
        self.sessions = Sessions(
            ttl_s=options.session_ttl_s,
            org_id=options.organization_id,
            static=options.static_session_id,
        )
        self.refresh = RefreshTokens(options.refresh_tokens, rotate=options.rotate_refresh_tokens)
        self.cursors = CursorStore(options.query_locator_ttl_s)
        self.bulk = BulkJobs(
            store, delay_s=options.bulk_job_delay_s, default_max=options.bulk_default_max_records
        )
        self.bulk_jobs_created = 0
        self.middleware: SandboxMiddleware | None = None
        if not options.include_tool_fields:
            store.drop_tool_fields()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        try:
            response = await self.dispatch(request)
        except ApiError as exc:
            response = error_response(exc)
        await response(scope, receive, send)

    async def dispatch(self, request: Request) -> Response:
        from sandbox.salesforce.admin_routes import handle_admin
        from sandbox.salesforce.rest_routes import handle_rest

        path = request.url.path
        if path.startswith("/__sandbox/"):
            return await handle_admin(self, request)
        if path.startswith(DATA_PREFIX) and len(path) > len(DATA_PREFIX):
            version_part, _, rest = path[len(DATA_PREFIX) :].partition("/")
            return await self._rest(request, version_part, rest, handle_rest)
        if path.rstrip("/") == "/services/data" and request.method == "GET":
            return json_response(
                [
                    {"label": f"v{v}", "url": f"/services/data/v{v}", "version": v}
                    for v in self.options.supported_versions
                ]
            )
        if path.startswith("/services/Soap/u/") and request.method == "POST":
            return await self._soap(request, path.rsplit("/", 1)[-1])
        if path.rstrip("/") == "/services/oauth2/token" and request.method == "POST":
            return await self._token(request)
        if path.rstrip("/") == "/services/oauth2/revoke" and request.method == "POST":
            form = dict(parse_qsl((await request.body()).decode()))
            self.sessions.revoke(form.get("token", ""))
            return Response(status_code=200)
        raise not_found()

    # -- logins ----------------------------------------------------------------------------
    def org(self, request: Request) -> Org:
        instance = (
            self.options.instance_url
            or f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
        )
        return Org(self.options, self.sessions, self.refresh, self.user_id, instance.rstrip("/"))

    async def _soap(self, request: Request, version: str) -> Response:
        status, xml = soap_login(self.org(request), await request.body(), version)
        return Response(xml, status_code=status, media_type="text/xml;charset=UTF-8")

    async def _token(self, request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        status, body = token_endpoint(self.org(request), form, request.headers.get("authorization"))
        return json_response(
            body, status, {"Cache-Control": "no-cache,must-revalidate,max-age=0,no-store,private"}
        )

    # -- REST ------------------------------------------------------------------------------
    async def _rest(self, request: Request, version_part: str, rest: str, handler: Any) -> Response:
        try:
            version = self._version(version_part)
            if (
                len(request.scope.get("raw_path", b""))
                + len(request.scope.get("query_string", b""))
                > self.options.max_uri_bytes
            ):
                raise ApiError(414, "URI_TOO_LONG", "The request URI is too long")
            self._authenticate(request)
            if self.faults.draw("daily-limit") or not self.allocation.consume():
                raise limit_exceeded()
            response: Response = await handler(self, request, version, rest)
        except ApiError as exc:
            response = error_response(exc)
        response.headers["Sforce-Limit-Info"] = self.allocation.header()
        if (
            response.status_code == 200
            and self._is_json(response)
            and self.faults.draw("malformed-json")
        ):
            body = bytes(response.body)
            response = Response(
                body[: max(1, len(body) // 2)],
                status_code=200,
                media_type=response.media_type,
                headers={"Sforce-Limit-Info": self.allocation.header()},
            )
        return response

    @staticmethod
    def _is_json(response: Response) -> bool:
        return (response.media_type or "").startswith("application/json") and bool(response.body)

    def _version(self, part: str) -> str:
        match = _VERSION.match(part)
        if not match or match.group(1) not in self.options.supported_versions:
            raise not_found()
        return match.group(1)

    def _authenticate(self, request: Request) -> None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() not in ("bearer", "oauth") or not token:
            raise invalid_session()
        if self.sessions.check(token.strip(), self.user_id) is None:
            raise invalid_session()
        if self.faults.tick_token():
            self.sessions.revoke(token.strip())
            raise invalid_session()


def route_of(path: str) -> str:
    """The route template of ``path`` for call accounting (``/services/data/vXX.X/query``)."""
    if path.startswith("/services/Soap/u/"):
        return "/services/Soap/u/{version}"
    if not path.startswith(DATA_PREFIX):
        return path.rstrip("/") or "/"
    parts = [p for p in path[len(DATA_PREFIX) :].split("/") if p]
    if not parts:
        return "/services/data"
    head, rest = parts[0], parts[1:]
    template = ["vXX.X" if _VERSION.match(head) else head]
    if rest[:1] in (["query"], ["queryAll"]):
        template += rest[:1] + (["{locator}"] if len(rest) > 1 else [])
    elif rest[:1] == ["sobjects"]:
        template += ["sobjects", *_sobject_template(rest[1:])]
    elif rest[:2] == ["composite", "sobjects"]:
        template += ["composite", "sobjects", *["{type}", "{field}"][: len(rest) - 2]]
    elif rest[:2] == ["jobs", "query"]:
        template += ["jobs", "query", *["{id}", "results"][: len(rest) - 2]]
    else:
        template += rest
    return DATA_PREFIX + "/".join(template)


def _sobject_template(rest: list[str]) -> list[str]:
    if not rest:
        return []
    if len(rest) == 1:
        return ["{type}"]
    if len(rest) == 2:
        return ["{type}", rest[1] if rest[1] in ("describe", "deleted", "updated") else "{id}"]
    return ["{type}", "{field}", "{value}"]


def create_app(
    store: SalesforceStore,
    *,
    options: SalesforceOptions,
    stats: CallStats,
    faults: FaultPlan,
    latency_ms: float = 0.0,
) -> SandboxMiddleware:
    """The sandbox Salesforce wrapped in the shared fault/latency/accounting middleware."""
    app = SalesforceApp(store, options, stats, faults)
    middleware = SandboxMiddleware(
        app,
        stats=stats,
        faults=faults,
        route_of=route_of,
        fault_response=fault_response,
        latency_ms=latency_ms,
    )
    app.middleware = middleware
    return middleware
