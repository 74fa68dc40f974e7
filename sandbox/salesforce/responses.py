"""Building responses the way Salesforce sends them (JSON arrays for errors, compact JSON)."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from sandbox.salesforce.errors import ApiError

JSON_TYPE = "application/json;charset=UTF-8"


def dumps(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(body), status_code=status, media_type=JSON_TYPE, headers=headers)


def error_response(exc: ApiError) -> Response:
    return json_response(exc.body(), exc.status)


def no_content() -> Response:
    return Response(status_code=204)


def fault_response(kind: str) -> Response:
    """What the middleware sends for an injected transport fault (Salesforce-style bodies).

    Salesforce rarely answers 429 on the REST API; when it does (and for the middleware's
    injected ones) the body is the usual error array. ``429`` carries ``Retry-After: 1``,
    ``429-no-retry-after`` does not.
    """
    if kind in ("429", "429-no-retry-after"):
        headers = {"Retry-After": "1"} if kind == "429" else None
        body = [
            {"message": "Too many requests. Try again later.", "errorCode": "TOO_MANY_REQUESTS"}
        ]
        return json_response(body, 429, headers)
    if kind == "503":
        body = [
            {
                "message": "Server temporarily unavailable. Please try again later.",
                "errorCode": "SERVER_UNAVAILABLE",
            }
        ]
        return json_response(body, 503)
    body = [
        {
            "message": "An unexpected error occurred. Please include this ErrorId if you "
            "contact support: 1938485710-54718 (-1258390112)",
            "errorCode": "UNKNOWN_EXCEPTION",
        }
    ]
    return json_response(body, 500)
