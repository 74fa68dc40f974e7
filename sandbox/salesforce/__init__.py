"""A protocol-faithful local Salesforce (REST, SOAP login, OAuth, Bulk 2.0) for tests and demos.

See ``docs/sandbox-salesforce.md`` for what is faithful and what is simplified.
"""

from sandbox.salesforce.app import create_app, route_of
from sandbox.salesforce.ids import make_id
from sandbox.salesforce.options import SalesforceOptions
from sandbox.salesforce.store import SalesforceStore

__all__ = ["SalesforceOptions", "SalesforceStore", "create_app", "make_id", "route_of"]
