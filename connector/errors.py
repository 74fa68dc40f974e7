"""The connector's one error tree, named by what happens next.

::

    ConnectorError                       anything the connector raises on purpose
    ├── RetryableError                   transient: the same call may succeed later
    │   └── RateLimited                  the CRM asked us to slow down (.retry_after seconds)
    ├── RecordRejected                   this record cannot be used: quarantine it, go on
    └── FatalError                       stop the run, keep what is committed
        ├── ConfigError         exit 2   bad config or input; the message names key and file
        └── CrmRefused          exit 3   the CRM said no and retrying will not help
            ├── AuthError                credentials refused or expired beyond refresh
            └── BudgetExhausted          API allocation (or our reserve of it) used up

SDK exceptions are translated into this tree at the adapter edge; none escapes ``adapters/``.
Messages are built from data and say what to do next.
"""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes, as DESIGN.md fixes them."""

    OK = 0
    REJECTED = 1
    BAD_INPUT = 2
    CRM_REFUSED = 3


class ConnectorError(Exception):
    """Root of every error the connector raises on purpose."""

    exit_code: ExitCode = ExitCode.CRM_REFUSED


class RetryableError(ConnectorError):
    """A transient failure: retrying the same idempotent call may succeed."""


class RateLimited(RetryableError):
    """The CRM throttled us; ``retry_after`` is its hint in seconds, when it gave one."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RecordRejected(ConnectorError):
    """One record cannot be mapped or written; it is quarantined and the run goes on."""

    exit_code = ExitCode.REJECTED

    def __init__(self, message: str, *, system: str = "", record_id: str = "") -> None:
        super().__init__(message)
        self.system = system
        self.record_id = record_id


class FatalError(ConnectorError):
    """The run must stop; committed pages and cursors stay."""


class ConfigError(FatalError):
    """Bad configuration or input; the message names the key and the file."""

    exit_code = ExitCode.BAD_INPUT


class CrmRefused(FatalError):
    """A CRM refused in a way retrying will not fix."""

    exit_code = ExitCode.CRM_REFUSED


class AuthError(CrmRefused):
    """Credentials were refused, or a token could not be refreshed."""


class BudgetExhausted(CrmRefused):
    """The API allocation, less our reserve for other integrations, is spent."""

    def __init__(self, message: str, *, resets_at: datetime | None = None) -> None:
        super().__init__(message)
        self.resets_at = resets_at
