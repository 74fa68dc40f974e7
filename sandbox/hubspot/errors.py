"""HubSpot's response and error bodies.

General errors use the ``Error`` model (``status``, ``message``, ``correlationId``,
``category``, optional ``subCategory``/``context``/``errors``); batch partial failures carry
``StandardError`` items (every field the client's model requires is present: ``status``,
``category``, ``message``, ``context``, ``errors``, ``links``); rate limits answer with
``errorType: RATE_LIMIT`` and ``policyName`` (HubSpot/hubspot-api-python#117).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from starlette.responses import Response

from sandbox.hubspot.values import ValueIssue

JSON_TYPE = "application/json;charset=utf-8"


def correlation_id() -> str:
    return str(uuid.uuid4())


def dumps(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def json_response(
    body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(dumps(body), status_code=status, media_type=JSON_TYPE, headers=headers)


def no_content() -> Response:
    return Response(status_code=204)


def error_body(
    category: str,
    message: str,
    *,
    sub_category: str | None = None,
    context: Mapping[str, Sequence[str]] | None = None,
    errors: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": "error",
        "message": message,
        "correlationId": correlation_id(),
        "category": category,
    }
    if sub_category:
        body["subCategory"] = sub_category
    if context:
        body["context"] = {k: list(v) for k, v in context.items()}
    if errors:
        body["errors"] = list(errors)
    return body


def error(status: int, category: str, message: str, **kw: Any) -> Response:
    return json_response(error_body(category, message, **kw), status)


def validation(message: str, **kw: Any) -> Response:
    return error(400, "VALIDATION_ERROR", message, **kw)


def not_found(message: str, **kw: Any) -> Response:
    return error(404, "OBJECT_NOT_FOUND", message, **kw)


def invalid_properties(issues: Sequence[ValueIssue]) -> Response:
    """400 for refused property values: the validation results are embedded in the message
    (the form recorded in public code for INVALID_EMAIL), and repeated in ``errors``."""
    return json_response(invalid_properties_body(issues), 400)


def invalid_properties_body(issues: Sequence[ValueIssue]) -> dict[str, Any]:
    results = json.dumps([i.as_validation_result() for i in issues], separators=(",", ":"))
    return error_body(
        "VALIDATION_ERROR",
        f"Property values were not valid: {results}",
        errors=[
            {"message": i.message, "code": i.error, "context": {"propertyName": [i.name]}}
            for i in issues
        ],
    )


def standard_error(
    category: str,
    message: str,
    context: Mapping[str, Iterable[str]],
    *,
    sub_category: str | None = None,
) -> dict[str, Any]:
    """One ``errors[]`` item of a 207 batch response."""
    item: dict[str, Any] = {
        "status": "error",
        "category": category,
        "message": message,
        "context": {k: list(v) for k, v in context.items()},
        "errors": [],
        "links": {},
    }
    if sub_category:
        item["subCategory"] = sub_category
    return item


def rate_limit_body(policy: str, group: str) -> dict[str, Any]:
    message = {
        "TEN_SECONDLY_ROLLING": "You have reached your ten_secondly_rolling limit.",
        "DAILY": "You have reached your daily limit.",
        "SECONDLY": "You have reached your secondly limit.",
    }[policy]
    return {
        "status": "error",
        "message": message,
        "errorType": "RATE_LIMIT",
        "correlationId": correlation_id(),
        "policyName": policy,
        "groupName": group,
    }


def invalid_authentication() -> Response:
    return error(
        401,
        "INVALID_AUTHENTICATION",
        "Authentication credentials not found. This API supports OAuth 2.0 authentication "
        "and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
    )


def expired_authentication(seconds_ago: int) -> Response:
    return error(
        401,
        "EXPIRED_AUTHENTICATION",
        f"The OAuth token used to make this call expired {max(seconds_ago, 0)} second(s) ago.",
    )
