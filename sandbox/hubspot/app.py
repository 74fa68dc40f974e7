"""The sandbox HubSpot as an ASGI app: routes, authentication, limits, app-level faults.

Per API call, in order: route (404/405), bearer token (401), the ``token-expiry`` fault tick,
the ``daily-limit`` fault, rate limits (429), JSON body (400), the handler, rate-limit
headers (not on search), and the ``malformed-json`` fault on 2xx JSON answers.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from sandbox.common.faults import FaultPlan
from sandbox.common.middleware import SandboxMiddleware
from sandbox.common.stats import CallStats
from sandbox.hubspot import errors
from sandbox.hubspot.admin import PREFIX, AdminApi
from sandbox.hubspot.api_associations import AssociationsApi
from sandbox.hubspot.api_batch import BatchApi
from sandbox.hubspot.api_misc import MiscApi
from sandbox.hubspot.api_objects import ObjectsApi
from sandbox.hubspot.api_properties import PropertiesApi
from sandbox.hubspot.api_search import SearchApi
from sandbox.hubspot.auth import Caller, TokenRegistry
from sandbox.hubspot.options import HubSpotOptions
from sandbox.hubspot.ratelimit import RateLimiter, Refusal
from sandbox.hubspot.render import Renderer
from sandbox.hubspot.routing import Ctx, Route, Router, normalize_path, route
from sandbox.hubspot.services import Services
from sandbox.hubspot.store import HubSpotStore

_BODY_METHODS = frozenset({"POST", "PATCH", "PUT"})


def build_routes(s: Services) -> list[Route]:
    objects, batch, search = ObjectsApi(s), BatchApi(s), SearchApi(s)
    props, assoc, misc = PropertiesApi(s), AssociationsApi(s), MiscApi(s)
    v3, v4 = "/crm/v3", "/crm/v4"
    return [
        route("POST", f"{v3}/objects/{{type}}/search", search.search, "search"),
        route("POST", f"{v3}/objects/{{type}}/batch/{{op}}", batch.handle),
        route("GET", f"{v3}/objects/{{type}}", objects.list_page),
        route("POST", f"{v3}/objects/{{type}}", objects.create),
        route("GET", f"{v3}/objects/{{type}}/{{id}}", objects.get),
        route("PATCH", f"{v3}/objects/{{type}}/{{id}}", objects.update),
        route("DELETE", f"{v3}/objects/{{type}}/{{id}}", objects.archive),
        route("POST", f"{v3}/properties/{{type}}/batch/{{op}}", props.batch),
        route("GET", f"{v3}/properties/{{type}}/groups", props.list_groups),
        route("POST", f"{v3}/properties/{{type}}/groups", props.create_group),
        route("GET", f"{v3}/properties/{{type}}/groups/{{group}}", props.get_group),
        route("PATCH", f"{v3}/properties/{{type}}/groups/{{group}}", props.update_group),
        route("DELETE", f"{v3}/properties/{{type}}/groups/{{group}}", props.archive_group),
        route("GET", f"{v3}/properties/{{type}}", props.list_properties),
        route("POST", f"{v3}/properties/{{type}}", props.create),
        route("GET", f"{v3}/properties/{{type}}/{{name}}", props.get),
        route("PATCH", f"{v3}/properties/{{type}}/{{name}}", props.update),
        route("DELETE", f"{v3}/properties/{{type}}/{{name}}", props.archive),
        route(
            "POST",
            f"{v4}/associations/{{from}}/{{to}}/batch/associate/default",
            assoc.batch_default,
        ),
        route("POST", f"{v4}/associations/{{from}}/{{to}}/batch/{{op}}", assoc.batch),
        route(
            "GET", f"{v4}/objects/{{type}}/{{id}}/associations/{{toType}}", assoc.list_for_record
        ),
        route(
            "PUT",
            f"{v4}/objects/{{from}}/{{fromId}}/associations/default/{{to}}/{{toId}}",
            assoc.put_default,
        ),
        route(
            "PUT",
            f"{v4}/objects/{{type}}/{{id}}/associations/{{toType}}/{{toId}}",
            assoc.put_labelled,
        ),
        route(
            "DELETE", f"{v4}/objects/{{type}}/{{id}}/associations/{{toType}}/{{toId}}", assoc.delete
        ),
        route("GET", f"{v3}/owners", misc.owners),
        route("GET", f"{v3}/owners/{{ownerId}}", misc.owner),
        route("GET", f"{v3}/pipelines/{{type}}", misc.pipelines),
        route("GET", f"{v3}/pipelines/{{type}}/{{pipelineId}}", misc.pipeline),
        route("GET", f"{v3}/pipelines/{{type}}/{{pipelineId}}/stages", misc.stages),
        route("POST", "/oauth/v1/token", misc.token, "oauth"),
        route("GET", "/oauth/v1/access-tokens/{token}", misc.access_token, "oauth"),
        route("GET", "/oauth/v1/refresh-tokens/{token}", misc.refresh_token, "oauth"),
    ]


class HubSpotApp:
    def __init__(self, services: Services) -> None:
        self.s = services
        self.router = Router(build_routes(services))
        self.admin = AdminApi(services)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        if scope["path"].startswith(PREFIX):
            response = await self.admin.handle(request)
        else:
            response = await self._api(request)
            response.headers["X-HubSpot-Correlation-Id"] = errors.correlation_id()
        await response(scope, receive, send)

    def route_of(self, path: str) -> str:
        return self.router.template_of(path)

    async def _api(self, request: Request) -> Response:
        path = normalize_path(request.url.path)
        matched = self.router.match(request.method, path)
        if isinstance(matched, int):
            category = "OBJECT_NOT_FOUND" if matched == 404 else "METHOD_NOT_ALLOWED"
            return errors.error(matched, category, f"No route for {request.method} {path}")
        found, params = matched
        raw = await request.body() if request.method in _BODY_METHODS else b""
        ctx = Ctx(
            method=request.method,
            path=path,
            params=params,
            query=request.query_params.multi_items(),
            body=raw,
            base_url=f"{request.url.scheme}://{request.url.netloc}",
        )
        if found.kind == "oauth":
            with self.s.store.lock:
                return found.handler(ctx)
        caller = self.s.tokens.authenticate(request.headers.get("authorization"))
        if isinstance(caller, Response):
            return caller
        ctx.caller = caller
        search = found.kind == "search"
        with self.s.store.lock:
            if self.s.faults.tick_token():
                return self.s.tokens.expire(caller)
            refusal = (
                self.s.limiter.spend_daily()
                if self.s.faults.draw("daily-limit")
                else self.s.limiter.admit(search, "oauth-app" if caller.oauth else "private-app")
            )
            if refusal is not None:
                return self._refused(refusal, search, caller)
            try:
                ctx.body = json.loads(raw) if raw else None
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                return errors.validation(
                    f"Invalid input JSON on line {getattr(exc, 'lineno', 1)}: {exc}"
                )
            response = found.handler(ctx)
        if not search:
            response.headers.update(self.s.limiter.headers(caller.oauth))
        if (
            200 <= response.status_code < 300
            and response.body
            and self.s.faults.draw("malformed-json")
        ):
            return _truncated(response)
        return response

    def _refused(self, refusal: Refusal, search: bool, caller: Caller) -> Response:
        headers = {} if search else self.s.limiter.headers(caller.oauth)
        if refusal.retry_after is not None:
            headers["Retry-After"] = str(refusal.retry_after)
        return errors.json_response(
            errors.rate_limit_body(refusal.policy, refusal.group), 429, headers
        )


def _truncated(response: Response) -> Response:
    body = bytes(response.body)
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    return Response(body[: max(1, len(body) // 2)], response.status_code, headers=headers)


def fault_response(kind: str, hub_id: int) -> Response:
    """The CRM's own answer for a transport fault the middleware injects."""
    if kind in ("429", "429-no-retry-after"):
        group = f"publicapi:private-app-api-calls-ten-secondly:{hub_id}"
        headers = {"Retry-After": "1"} if kind == "429" else {}
        return errors.json_response(
            errors.rate_limit_body("TEN_SECONDLY_ROLLING", group), 429, headers
        )
    if kind == "503":
        return errors.error(503, "SERVICE_UNAVAILABLE", "The service is temporarily unavailable.")
    return errors.error(500, "INTERNAL_ERROR", "internal error")


def create_app(
    store: HubSpotStore,
    *,
    options: HubSpotOptions,
    stats: CallStats,
    faults: FaultPlan,
    latency_ms: float = 0.0,
) -> SandboxMiddleware:
    """The sandbox HubSpot wrapped in the shared middleware (latency, transport faults, stats)."""
    if not options.include_tool_properties:
        store.remove_tool_properties()
    services = Services(
        store=store,
        options=options,
        stats=stats,
        faults=faults,
        limiter=RateLimiter(options),
        tokens=TokenRegistry(options),
        renderer=Renderer(store, options),
    )
    app = HubSpotApp(services)
    middleware = SandboxMiddleware(
        app,
        stats=stats,
        faults=faults,
        route_of=app.route_of,
        fault_response=lambda kind: fault_response(kind, options.hub_id),
        latency_ms=latency_ms,
    )
    app.admin.middleware = middleware
    return middleware
