"""Salesforce record ids: 15-character case-sensitive ids, their 18-character form, key prefixes.

Generated ids use a base-62 counter whose alphabet is in ASCII order, so ids created later
sort after ids created earlier under plain string comparison (what ``ORDER BY Id`` uses here).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable

KEY_PREFIXES = {
    "Account": "001",
    "Contact": "003",
    "User": "005",
    "Opportunity": "006",
    "Task": "00T",
    "Event": "00U",
    "Case": "500",
    "Organization": "00D",
    "QueryLocator": "01g",
    "BulkJob": "750",
}

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_ALNUM = frozenset(_BASE62)


# Loading a world checks every reference id; most are the same few thousand account and
# user ids again and again, so remembering the answer saves most of the load time.
@functools.lru_cache(maxsize=1 << 18)
def checksum_suffix(id15: str) -> str:
    """The three characters that make a 15-char id case-insensitively unique."""
    out = []
    for chunk in range(3):
        flags = 0
        for position, char in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= char <= "Z":
                flags |= 1 << position
        out.append(_SUFFIX_ALPHABET[flags])
    return "".join(out)


@functools.lru_cache(maxsize=1 << 18)
def is_valid_id(value: str) -> bool:
    """True for a well-formed 15- or 18-char id (checksum verified for 18)."""
    if len(value) not in (15, 18) or not _ALNUM.issuperset(value):
        return False
    return len(value) == 15 or value[15:].upper() == checksum_suffix(value[:15])


def normalize_id(value: str) -> str:
    """The canonical 18-char form of a valid id (caller checked :func:`is_valid_id`)."""
    return value[:15] + checksum_suffix(value[:15])


def _base62(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, rest = divmod(number, 62)
        digits.append(_BASE62[rest])
    return "".join(reversed(digits))


class IdFactory:
    """Makes fresh 18-char ids per key prefix, skipping any id ``taken`` reports as in use."""

    def __init__(self, pod: str = "SB", taken: Callable[[str], bool] | None = None) -> None:
        self._pod = pod
        self._taken = taken or (lambda _id: False)
        self._counter = itertools.count(1)

    def new(self, prefix: str) -> str:
        while True:
            id15 = f"{prefix}{self._pod}0{_base62(next(self._counter), 9)}"
            candidate = id15 + checksum_suffix(id15)
            if not self._taken(candidate):
                return candidate


def make_id(prefix: str, number: int, pod: str = "FX") -> str:
    """A valid 18-char fixture id: ``make_id("001", 42)``; distinct numbers, distinct ids."""
    id15 = f"{prefix}{pod}0{_base62(number, 9)}"
    return id15 + checksum_suffix(id15)
