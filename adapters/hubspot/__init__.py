"""The HubSpot adapter: pulls a portal through hubspot-api-client (see ``adapter.py``) and
writes tags and tasks back (``writes.py``); ``setup.py`` creates the properties it writes."""

from adapters.hubspot.adapter import ARCHIVED_CHECK_S, DELETION_WINDOW, HubSpotAdapter

__all__ = ["ARCHIVED_CHECK_S", "DELETION_WINDOW", "HubSpotAdapter"]
