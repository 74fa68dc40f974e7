"""Field tables of the activity and pipeline objects: Task, Event, Opportunity, Case."""

from __future__ import annotations

from sandbox.salesforce.field_kinds import (
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
from sandbox.salesforce.schema import Field

ACTIVITY_WHAT = ("Account", "Opportunity", "Case")


def task() -> list[Field]:
    return [
        *head("Task"),
        ref("WhoId", ("Contact",), "Who", "Name ID"),
        ref("WhatId", ACTIVITY_WHAT, "What", "Related To ID"),
        text("Subject", 255, "Subject", type="combobox", name_field=True),
        date_field("ActivityDate", "Due Date Only"),
        pick(
            "Status",
            ("Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred"),
            "Status",
            nillable=False,
            restricted=True,
            default="Not Started",
        ),
        pick(
            "Priority",
            ("High", "Normal", "Low"),
            "Priority",
            nillable=False,
            restricted=True,
            default="Normal",
        ),
        ro("IsHighPriority", "boolean", "High Priority", nillable=False, default=False),
        owner(),
        text(
            "Description", 32000, "Description", type="textarea", filterable=False, sortable=False
        ),
        pick("Type", ("Call", "Email", "Meeting", "Other"), "Type"),
        ro("IsClosed", "boolean", "Closed", nillable=False, default=False),
        ro(
            "AccountId",
            "reference",
            "Account ID",
            length=18,
            reference_to=("Account",),
            relationship="Account",
        ),
        num("CallDurationInSeconds", "Call Duration", "int", 9, 0),
        Field(
            "TaskSubtype",
            "picklist",
            "Task Subtype",
            length=40,
            updateable=False,
            picklist=("Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn"),
            restricted=True,
            default="Task",
        ),
        ro("CompletedDateTime", "datetime", "Completed Date/Time"),
        *audit(),
        custom(
            text("PartnerPulse_Key__c", 80, "PartnerPulse Key", external_id=True, unique=True),
            tool=True,
        ),
    ]


def event() -> list[Field]:
    return [
        *head("Event"),
        ref("WhoId", ("Contact",), "Who", "Name ID"),
        ref("WhatId", ACTIVITY_WHAT, "What", "Related To ID"),
        text("Subject", 255, "Subject", type="combobox", name_field=True),
        text("Location", 255, "Location"),
        boolean("IsAllDayEvent", "All-Day Event"),
        datetime_field("ActivityDateTime", "Due Date Time"),
        date_field("ActivityDate", "Due Date Only"),
        num("DurationInMinutes", "Duration", "int", 8, 0),
        datetime_field("StartDateTime", "Start Date Time"),
        datetime_field("EndDateTime", "End Date Time"),
        text(
            "Description", 32000, "Description", type="textarea", filterable=False, sortable=False
        ),
        ro(
            "AccountId",
            "reference",
            "Account ID",
            length=18,
            reference_to=("Account",),
            relationship="Account",
        ),
        owner(),
        pick("Type", ("Call", "Email", "Meeting", "Other"), "Type"),
        *audit(),
    ]


OPPORTUNITY_STAGES = (
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
)


def opportunity() -> list[Field]:
    return [
        *head("Opportunity"),
        ref("AccountId", ("Account",), "Account", "Account ID"),
        text("Name", 120, "Name", nillable=False, required=True, name_field=True),
        text(
            "Description", 32000, "Description", type="textarea", filterable=False, sortable=False
        ),
        pick(
            "StageName", OPPORTUNITY_STAGES, "Stage", nillable=False, required=True, restricted=True
        ),
        num("Amount", "Amount", "currency", 18, 2),
        num("Probability", "Probability (%)", "percent", 3, 0),
        date_field("CloseDate", "Close Date", nillable=False, required=True),
        pick("Type", ("Existing Business", "New Business"), "Opportunity Type"),
        ro("IsClosed", "boolean", "Closed", nillable=False, default=False),
        ro("IsWon", "boolean", "Won", nillable=False, default=False),
        owner(),
        *audit(),
    ]


def case() -> list[Field]:
    return [
        *head("Case"),
        ro(
            "CaseNumber",
            "string",
            "Case Number",
            length=30,
            auto_number=True,
            name_field=True,
            nillable=False,
        ),
        ref("ContactId", ("Contact",), "Contact", "Contact ID"),
        ref("AccountId", ("Account",), "Account", "Account ID"),
        text("Subject", 255, "Subject"),
        text(
            "Description", 32000, "Description", type="textarea", filterable=False, sortable=False
        ),
        pick("Status", ("New", "Working", "Escalated", "Closed"), "Status", default="New"),
        pick("Priority", ("High", "Medium", "Low"), "Priority", default="Medium"),
        pick("Origin", ("Phone", "Email", "Web"), "Case Origin"),
        ro("IsClosed", "boolean", "Closed", nillable=False, default=False),
        ro("ClosedDate", "datetime", "Closed Date"),
        owner(),
        *audit(),
    ]
