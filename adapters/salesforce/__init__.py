"""The Salesforce adapter: simple-salesforce over a counted session, Bulk 2.0, httpx token flows."""

from adapters.salesforce.adapter import DELETION_WINDOW, SalesforceAdapter

__all__ = ["DELETION_WINDOW", "SalesforceAdapter"]
