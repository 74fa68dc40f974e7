"""What every handler group shares, and the small input checks they all make."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from sandbox.common.faults import FaultPlan
from sandbox.common.stats import CallStats
from sandbox.hubspot import errors
from sandbox.hubspot.auth import TokenRegistry
from sandbox.hubspot.objecttypes import resolve_type
from sandbox.hubspot.options import HubSpotOptions
from sandbox.hubspot.ratelimit import RateLimiter
from sandbox.hubspot.render import Renderer
from sandbox.hubspot.routing import Ctx
from sandbox.hubspot.store import HubSpotStore


@dataclass
class Services:
    store: HubSpotStore
    options: HubSpotOptions
    stats: CallStats
    faults: FaultPlan
    limiter: RateLimiter
    tokens: TokenRegistry
    renderer: Renderer


def object_type(ctx: Ctx, param: str = "type") -> str | Response:
    """The canonical object type named in the path, or HubSpot's 400 for an unknown one."""
    raw = ctx.params[param]
    resolved = resolve_type(raw)
    if resolved is None:
        return errors.validation(
            f"Unable to infer object type from: {raw}",
            sub_category="crm.objects.INVALID_OBJECT_TYPE",
        )
    return resolved


def body_dict(ctx: Ctx) -> dict[str, Any] | Response:
    if not isinstance(ctx.body, dict):
        return errors.validation("Invalid input JSON: expected an object")
    return ctx.body


def batch_inputs(ctx: Ctx, maximum: int) -> list[Any] | Response:
    """``inputs`` of a batch body, refused as HubSpot does when missing or too many."""
    body = body_dict(ctx)
    if isinstance(body, Response):
        return body
    inputs = body.get("inputs")
    if not isinstance(inputs, list):
        return errors.validation("Invalid input JSON: 'inputs' is required")
    if len(inputs) > maximum:
        return errors.validation(
            f"Batch input limit exceeded: {len(inputs)} inputs were sent, the limit is {maximum}.",
            context={"limit": [str(maximum)], "count": [str(len(inputs))]},
        )
    return inputs


def page_limit(raw: str | None, default: int, maximum: int) -> int | Response:
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        return errors.validation(f"limit: {raw!r} is not a number")
    if value < 1 or value > maximum:
        return errors.validation(
            f"limit must be between 1 and {maximum}, was {value}",
            context={"limit": [str(value)]},
        )
    return value


def property_names(raw: Any) -> list[str] | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        return [p.strip() for p in raw.split(",") if p.strip()]
    return [str(p) for p in raw]
