"""The default deal and ticket pipelines of a HubSpot portal, as the pipelines API returns them.

Stage ids and metadata follow HubSpot's defaults: deal stages carry ``isClosed`` and
``probability`` (``closedwon`` 1.0, ``closedlost`` 0.0); ticket stages ``1``-``4`` carry
``ticketState`` and ``isClosed``. Metadata values are strings, as in the client's model.
"""

from __future__ import annotations

from typing import Any

from sandbox.hubspot.values import format_datetime

_CREATED_MS = 1_577_836_800_000  # 2020-01-01, when the portal was set up

# (id, label, metadata)
DEAL_STAGES: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("appointmentscheduled", "Appointment Scheduled", {"isClosed": "false", "probability": "0.2"}),
    ("qualifiedtobuy", "Qualified To Buy", {"isClosed": "false", "probability": "0.4"}),
    (
        "presentationscheduled",
        "Presentation Scheduled",
        {"isClosed": "false", "probability": "0.6"},
    ),
    (
        "decisionmakerboughtin",
        "Decision Maker Bought-In",
        {"isClosed": "false", "probability": "0.8"},
    ),
    ("contractsent", "Contract Sent", {"isClosed": "false", "probability": "0.9"}),
    ("closedwon", "Closed Won", {"isClosed": "true", "probability": "1.0"}),
    ("closedlost", "Closed Lost", {"isClosed": "true", "probability": "0.0"}),
)
TICKET_STAGES: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("1", "New", {"ticketState": "OPEN", "isClosed": "false"}),
    ("2", "Waiting on contact", {"ticketState": "OPEN", "isClosed": "false"}),
    ("3", "Waiting on us", {"ticketState": "OPEN", "isClosed": "false"}),
    ("4", "Closed", {"ticketState": "CLOSED", "isClosed": "true"}),
)
PIPELINES: dict[str, tuple[str, str, tuple[tuple[str, str, dict[str, str]], ...]]] = {
    "deals": ("default", "Sales Pipeline", DEAL_STAGES),
    "tickets": ("0", "Support Pipeline", TICKET_STAGES),
}
CLOSED_DEAL_STAGES = frozenset(s for s, _, meta in DEAL_STAGES if meta["isClosed"] == "true")


def pipeline_json(object_type: str) -> dict[str, Any]:
    pipeline_id, label, stages = PIPELINES[object_type]
    stamp = format_datetime(_CREATED_MS)
    return {
        "id": pipeline_id,
        "label": label,
        "displayOrder": 0,
        "archived": False,
        "createdAt": stamp,
        "updatedAt": stamp,
        "stages": [
            {
                "id": stage_id,
                "label": stage_label,
                "displayOrder": order,
                "metadata": dict(meta),
                "archived": False,
                "createdAt": stamp,
                "updatedAt": stamp,
                "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
            }
            for order, (stage_id, stage_label, meta) in enumerate(stages)
        ],
    }
