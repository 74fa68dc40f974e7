"""Which company each engagement, deal or ticket belongs to: v4 batch association reads.

Search does not return associations (crm-api.md §9.1), so the streams buffer up to
``BATCH`` record ids (several search pages) and read their company associations in one
``POST /crm/v4/associations/{from}/companies/batch/read`` — never one call per record
(pitfalls.md #6). A record with more associations than one answer holds comes back with
``paging.next.after``; only those ids are asked again, with ``after``. Ids HubSpot reports
in a 207's ``errors`` (no associations) simply have no company.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hubspot.crm.associations.v4 import (
    BatchInputPublicFetchAssociationsBatchRequest,
    PublicFetchAssociationsBatchRequest,
)

from adapters.hubspot.client import HubSpotClient

BATCH = 1_000  # v4 batch read limit since 2025-02-10 (HubSpot changelog)
TO = "companies"


def _chunks(ids: Sequence[str], size: int) -> list[Sequence[str]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def companies_of(client: HubSpotClient, from_type: str, ids: Sequence[str]) -> dict[str, list[str]]:
    """``{record id: [company id, ...]}``, the primary association first, then by id."""
    found: dict[str, dict[str, bool]] = {}
    endpoint = f"POST /crm/v4/associations/{from_type}/{TO}/batch/read"
    # One shared Configuration: the SDK's models otherwise build a fresh one per instance.
    config = client.associations_api.api_client.configuration
    for chunk in _chunks(list(dict.fromkeys(ids)), BATCH):
        pending: list[tuple[str, str | None]] = [(i, None) for i in chunk]
        while pending:
            body = BatchInputPublicFetchAssociationsBatchRequest(
                inputs=[
                    PublicFetchAssociationsBatchRequest(
                        id=i, after=a, local_vars_configuration=config
                    )
                    for i, a in pending
                ],
                local_vars_configuration=config,
            )

            def read(body: Any = body) -> Any:
                return client.associations_api.get_page(from_type, TO, body, _preload_content=False)

            answer = client.call_json(endpoint, read)
            pending = []
            for result in answer.get("results") or []:
                source = str(result["from"]["id"])
                targets = found.setdefault(source, {})
                for to in result.get("to") or []:
                    target = str(to["toObjectId"])
                    targets[target] = targets.get(target, False) or _primary(to)
                after = _next_after(result)
                if after is not None:
                    pending.append((source, after))
    return {source: _ordered(targets) for source, targets in found.items()}


def _primary(to: dict[str, Any]) -> bool:
    types = to.get("associationTypes") or []
    return any(str(t.get("label") or "").lower() == "primary" for t in types)


def _next_after(result: dict[str, Any]) -> str | None:
    following = (result.get("paging") or {}).get("next") or {}
    return str(following["after"]) if following.get("after") else None


def _ordered(targets: dict[str, bool]) -> list[str]:
    def key(item: tuple[str, bool]) -> tuple[bool, int, str]:
        target, primary = item
        return (not primary, int(target) if target.isdigit() else 0, target)

    return [target for target, _ in sorted(targets.items(), key=key)]
