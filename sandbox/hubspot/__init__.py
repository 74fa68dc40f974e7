"""A protocol-faithful local HubSpot (CRM v3/v4, properties, owners, pipelines, OAuth).

The real hubspot-api-client talks to it over loopback with
``HubSpot(access_token=..., host="http://127.0.0.1:PORT")``. See docs/sandbox-hubspot.md.
"""

from sandbox.hubspot.app import create_app
from sandbox.hubspot.options import HubSpotOptions
from sandbox.hubspot.store import HubSpotStore

__all__ = ["HubSpotOptions", "HubSpotStore", "create_app"]
