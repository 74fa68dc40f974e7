"""The field tables: Account, Contact, User, Task, Event, Opportunity and Case as data.

Standard fields follow Salesforce's own (names, types, lengths, read-only and derived flags);
custom fields are those of ``domain.md``. Fields marked ``tool=True`` are the tags PartnerPulse
writes; the ``include_tool_fields`` option leaves them out (what ``setup`` must detect).
"""

from __future__ import annotations

from sandbox.salesforce.field_kinds import (
    address,
    audit,
    boolean,
    custom,
    date_field,
    datetime_field,
    head,
    num,
    owner,
    pick,
    ref,
    ro,
    text,
)
from sandbox.salesforce.ids import KEY_PREFIXES
from sandbox.salesforce.objects_activity import case, event, opportunity, task
from sandbox.salesforce.schema import Field, ObjectSchema

TASK_CLOSED_STATUSES = frozenset({"Completed"})
CASE_CLOSED_STATUSES = frozenset({"Closed"})
OPPORTUNITY_WON_STAGES = frozenset({"Closed Won"})
OPPORTUNITY_CLOSED_STAGES = frozenset({"Closed Won", "Closed Lost"})


ACCOUNT_TYPES = (
    "Prospect",
    "Customer",
    "Partner",
    "Former Partner",
    "Customer - Direct",
    "Customer - Channel",
    "Channel Partner / Reseller",
    "Installation Partner",
    "Technology Partner",
    "Other",
)
INDUSTRIES = (
    "Agriculture",
    "Apparel",
    "Banking",
    "Biotechnology",
    "Chemicals",
    "Communications",
    "Construction",
    "Consulting",
    "Education",
    "Electronics",
    "Energy",
    "Engineering",
    "Entertainment",
    "Environmental",
    "Finance",
    "Food & Beverage",
    "Government",
    "Healthcare",
    "Hospitality",
    "Insurance",
    "Machinery",
    "Manufacturing",
    "Media",
    "Not For Profit",
    "Recreation",
    "Retail",
    "Shipping",
    "Technology",
    "Telecommunications",
    "Transportation",
    "Utilities",
    "Other",
)


def _account() -> list[Field]:
    return [
        *head("Account"),
        text("Name", 255, "Account Name", nillable=False, required=True, name_field=True),
        pick("Type", ACCOUNT_TYPES, "Account Type"),
        ref("ParentId", ("Account",), "Parent", "Parent Account ID"),
        *address("Billing", "Billing"),
        text("Phone", 40, "Account Phone", type="phone"),
        text("Website", 255, "Website", type="url"),
        pick("Industry", INDUSTRIES, "Industry"),
        num("AnnualRevenue", "Annual Revenue", "currency", 18, 0),
        num("NumberOfEmployees", "Employees", "int", 8, 0),
        text(
            "Description",
            32000,
            "Account Description",
            type="textarea",
            filterable=False,
            sortable=False,
        ),
        boolean("IsPartner", "Partner Account"),
        owner(),
        *audit(),
        custom(date_field("Partner_Since__c", "Partner Since")),
        custom(date_field("Partner_End_Date__c", "Partner End Date")),
        custom(boolean("Unique_Resources__c", "Unique Resources")),
        custom(num("NPS_Score__c", "NPS Score", p=3, s=1)),
        custom(date_field("NPS_Response_Date__c", "NPS Response Date")),
        custom(num("KPI_Target__c", "KPI Target")),
        custom(num("KPI_Actual__c", "KPI Actual")),
        custom(num("Partner_Health_Score__c", "Partner Health Score", p=5, s=2), tool=True),
        custom(
            pick(
                "Partner_Health_Grade__c",
                ("healthy", "watch", "at_risk"),
                "Partner Health Grade",
                restricted=True,
            ),
            tool=True,
        ),
        custom(
            pick(
                "Partner_Segment__c",
                ("strategic", "prospective", "transactional"),
                "Partner Segment",
                restricted=True,
            ),
            tool=True,
        ),
        custom(
            pick("Partner_Tier__c", ("gold", "silver", "bronze"), "Partner Tier", restricted=True),
            tool=True,
        ),
        custom(text("Partner_Health_Reasons__c", 255, "Partner Health Reasons"), tool=True),
        custom(datetime_field("Partner_Health_Updated__c", "Partner Health Updated"), tool=True),
    ]


def _person_name(required_last: bool = True) -> list[Field]:
    return [
        text("FirstName", 40, "First Name", compound="Name"),
        text("LastName", 80, "Last Name", nillable=False, required=required_last, compound="Name"),
        ro("Name", "string", "Full Name", length=121, name_field=True),
    ]


def _contact() -> list[Field]:
    return [
        *head("Contact"),
        ref("AccountId", ("Account",), "Account", "Account ID"),
        *_person_name(),
        text("Title", 128, "Title"),
        text("Email", 80, "Email", type="email"),
        text("Phone", 40, "Business Phone", type="phone"),
        owner(),
        *audit(),
        custom(text("Legacy_Id__c", 40, "Legacy ID", external_id=True)),
    ]


def _user() -> list[Field]:
    return [
        *head("User", deletable=False),
        text("Username", 80, "Username", nillable=False, required=True, unique=True),
        *_person_name(),
        text("Email", 128, "Email", type="email", nillable=False, required=True),
        text("Title", 80, "Title"),
        boolean("IsActive", "Active", default=True),
        *audit(),
    ]


_TABLES = {
    "Account": (_account, "Account", "Accounts"),
    "Contact": (_contact, "Contact", "Contacts"),
    "User": (_user, "User", "Users"),
    "Task": (task, "Task", "Tasks"),
    "Event": (event, "Event", "Events"),
    "Opportunity": (opportunity, "Opportunity", "Opportunities"),
    "Case": (case, "Case", "Cases"),
}
OBJECT_NAMES = tuple(_TABLES)


def build_schemas() -> dict[str, ObjectSchema]:
    """Fresh, mutable schemas (dropping a field in one store must not touch another's)."""
    return {
        name: ObjectSchema(name, KEY_PREFIXES[name], label, plural, build())
        for name, (build, label, plural) in _TABLES.items()
    }
