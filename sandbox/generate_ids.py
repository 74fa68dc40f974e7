"""Record ids as each CRM mints them.

Salesforce: 18 characters — a 3-character key prefix per object (``001`` Account,
``00T`` Task, ...), a pod and a base-62 counter (15 case-sensitive characters),
then the 3-character case-insensitive checksum Salesforce appends. HubSpot:
numeric strings; records imported from an older portal have 7-digit ids, newer
ones 11-digit ids, so string and numeric ordering of ``hs_object_id`` disagree,
as they do in real portals.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import product

KEY_PREFIX = {
    "Account": "001",
    "Contact": "003",
    "User": "005",
    "Opportunity": "006",
    "Task": "00T",
    "Event": "00U",
    "Case": "500",
}

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_CHECKSUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_POD = "5g"


def _upper_mask(chunk: str) -> int:
    return sum(1 << i for i, ch in enumerate(chunk) if "A" <= ch <= "Z")


def checksum(id15: str) -> str:
    """The 3-character suffix that makes a 15-character id case-insensitively unique."""
    return "".join(_CHECKSUM[_upper_mask(id15[i : i + 5])] for i in (0, 5, 10))


def _pairs() -> list[tuple[str, int]]:
    return [(a + b, _upper_mask(a + b)) for a, b in product(_BASE62, repeat=2)]


def salesforce_ids(obj: str, start: int = 0) -> Iterator[str]:
    """An endless, sequential stream of valid 18-character ids for ``obj``.

    The last five characters cycle fastest; their checksum bits are looked up from
    precomputed pairs so that minting half a million ids costs well under a second.
    """
    head = KEY_PREFIX[obj] + _POD
    head_sum = _CHECKSUM[_upper_mask(head)]
    pairs = _pairs()
    high = start
    while True:
        middle = "".join(_BASE62[(high // 62**i) % 62] for i in range(4, -1, -1))
        prefix = head + middle
        sums = head_sum + _CHECKSUM[_upper_mask(middle)]
        for first in _BASE62[1:]:
            first_bit = 1 if "A" <= first <= "Z" else 0
            for two, two_mask in pairs:
                lead = prefix + first + two
                lead_mask = first_bit | two_mask << 1
                for three, three_mask in pairs:
                    yield lead + three + sums + _CHECKSUM[lead_mask | three_mask << 3]
        high += 1


class HubSpotIds:
    """Numeric ids for every HubSpot object; unique across object types in one world."""

    def __init__(self) -> None:
        self._old = 1_100_000
        self._new = 18_000_000_000

    def next(self, imported: bool = False) -> str:
        """A fresh id; ``imported`` records carry a short id from the portal's early days."""
        if imported:
            self._old += 1
            return str(self._old)
        self._new += 1
        return str(self._new)
