"""The one retry policy both adapters use (tenacity).

Only :class:`~connector.errors.RetryableError` is retried; a CRM's ``Retry-After`` hint
is honoured when it gives one, jittered exponential backoff when it does not; attempts
and elapsed time are both capped; the last error is re-raised as itself. Creates are
never passed through here blindly: the caller decides what is safe to replay.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import structlog
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential_jitter,
)

from connector.errors import RateLimited, RetryableError

T = TypeVar("T")
log = structlog.get_logger("partnerpulse.retry")

_backoff = wait_exponential_jitter(multiplier=0.5, max=30, jitter=0.5)


def wait_for(state: RetryCallState) -> float:
    """Seconds before the next attempt: the CRM's hint if any, else jittered backoff."""
    outcome = state.outcome
    error = outcome.exception() if outcome is not None else None
    if isinstance(error, RateLimited) and error.retry_after is not None:
        return min(max(error.retry_after, 0.0), 120.0)
    return _backoff(state)


def _log_before_sleep(state: RetryCallState) -> None:
    outcome = state.outcome
    error = outcome.exception() if outcome is not None else None
    sleep = state.next_action.sleep if state.next_action else 0.0
    log.warning(
        "retrying",
        attempt=state.attempt_number,
        wait_s=round(sleep, 2),
        error=type(error).__name__,
        detail=str(error)[:200],
    )


def retrying(
    *,
    attempts: int = 6,
    max_elapsed_s: float = 300.0,
    sleep: Callable[[float], None] = time.sleep,
    wait: Callable[[RetryCallState], float] = wait_for,
) -> Retrying:
    """A tenacity ``Retrying`` for one idempotent call; ``sleep`` is injectable for tests."""
    return Retrying(
        retry=retry_if_exception_type(RetryableError),
        wait=wait,
        stop=stop_after_attempt(max(attempts, 1)) | stop_after_delay(max_elapsed_s),
        sleep=sleep,
        reraise=True,
        before_sleep=_log_before_sleep,
    )


def call_with_retry(fn: Callable[[], T], policy: Retrying) -> T:
    """Run ``fn`` under ``policy``."""
    return policy(fn)
