"""Logging: structlog, JSON in the daemon, readable on a terminal, a run ID on every line,
secrets redacted.

Redaction is two-fold: values under secret-looking keys are masked, and every secret the
config resolved is registered here so its value is masked wherever it appears — in an
error message, a URL, a response body quoted in an exception.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Iterable, MutableMapping
from typing import Any, Literal

import structlog
from structlog.typing import EventDict, WrappedLogger

MASK = "***"
_SECRET_KEYS = re.compile(
    r"(pass(word)?|secret|token|authorization|api[_-]?key|assertion|session_?id|cookie)", re.I
)
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}", re.I)

_lock = threading.Lock()
_known: set[str] = set()


def register_secrets(values: Iterable[str]) -> None:
    """Remember secret values so they are masked wherever they would be printed."""
    with _lock:
        _known.update(v for v in values if v and len(v) >= 4)


def redact_text(text: str) -> str:
    """``text`` with every registered secret and every bearer token masked."""
    with _lock:
        known = sorted(_known, key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, MASK)
    return _BEARER.sub(rf"\1{MASK}", text)


def _redact(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: MASK if _SECRET_KEYS.search(str(k)) else _redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_redact(v) for v in value)
    return value


def redact_processor(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """structlog processor: mask secret keys and known secret values in every field."""
    for key, value in list(event.items()):
        event[key] = MASK if _SECRET_KEYS.search(key) else _redact(value)
    return event


def _render_exc(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    exc = event.pop("exc_info", None)
    if exc:
        event["error"] = redact_text(
            structlog.processors.format_exc_info(None, "", {"exc_info": exc}).get("exception", "")
        )
    return event


def configure(fmt: Literal["json", "console"] = "console", level: str = "info") -> None:
    """Set up structlog (and the stdlib root logger, for libraries) once per process."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _render_exc,
        redact_processor,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(
        level=level.upper(), stream=sys.stderr, format="%(levelname)s %(name)s %(message)s"
    )
    for noisy in ("urllib3", "httpx", "httpcore", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def bind_run(run_id: str) -> None:
    """Put ``run_id`` on every log line of this context until :func:`unbind_run`."""
    structlog.contextvars.bind_contextvars(run_id=run_id)


def unbind_run() -> None:
    structlog.contextvars.unbind_contextvars("run_id")


def scrub(mapping: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Mask secrets in a mapping about to be stored or shown (run details, errors)."""
    for key, value in list(mapping.items()):
        mapping[key] = MASK if _SECRET_KEYS.search(key) else _redact(value)
    return mapping
