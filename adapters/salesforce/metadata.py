"""The Salesforce fields the tool writes, as a ready-to-deploy Metadata API folder.

The data API cannot create fields, so ``partnerpulse setup --salesforce-metadata DIR``
writes them out for an admin to deploy (``sf project deploy start --metadata-dir DIR``,
or any Metadata API client): ``package.xml`` plus ``objects/Account.object`` and
``objects/Activity.object`` (Task custom fields live on Activity).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from connector.config.writeback import WritebackConfig

API_VERSION = "59.0"
GRADES = ("healthy", "watch", "at_risk")
SEGMENTS = ("strategic", "prospective", "transactional")
TIERS = ("gold", "silver", "bronze")


@dataclass(frozen=True)
class FieldSpec:
    """One custom field: where it lives, its type, and what describe should show."""

    object_name: str  # Account or Activity (Task fields are Activity fields)
    name: str
    label: str
    kind: str  # Number | Picklist | Text | DateTime
    description: str
    values: tuple[str, ...] = ()
    length: int = 0
    external_id: bool = False

    def describe_type(self) -> str:
        """The type describe reports for this field."""
        return {
            "Number": "double",
            "Picklist": "picklist",
            "Text": "string",
            "DateTime": "datetime",
        }[self.kind]

    def summary(self) -> str:
        """``Account.Partner_Segment__c (picklist: strategic, prospective, transactional)``."""
        obj = "Task" if self.object_name == "Activity" else self.object_name
        detail = self.describe_type() + (f": {', '.join(self.values)}" if self.values else "")
        return f"{obj}.{self.name} ({detail})"


def tool_fields(writeback: WritebackConfig) -> list[FieldSpec]:
    """Every field PartnerPulse writes in Salesforce, named as the config names them."""
    names = writeback.salesforce_fields
    return [
        FieldSpec("Account", names["health_score"], "Partner Health Score", "Number",
                  "Partner health 0-100, written by PartnerPulse."),
        FieldSpec("Account", names["health_grade"], "Partner Health Grade", "Picklist",
                  "healthy / watch / at_risk, written by PartnerPulse.", GRADES),
        FieldSpec("Account", names["segment"], "Partner Segment", "Picklist",
                  "strategic / prospective / transactional, written by PartnerPulse.", SEGMENTS),
        FieldSpec("Account", names["tier"], "Partner Tier", "Picklist",
                  "gold / silver / bronze, written by PartnerPulse.", TIERS),
        FieldSpec("Account", names["health_reasons"], "Partner Health Reasons", "Text",
                  "Why the score is what it is, written by PartnerPulse.", length=255),
        FieldSpec("Account", names["health_updated_at"], "Partner Health Updated", "DateTime",
                  "When PartnerPulse last changed the health tags."),
        FieldSpec("Activity", writeback.salesforce_task_key_field, "PartnerPulse Key", "Text",
                  "Keeps PartnerPulse follow-ups unique (upsert key).", length=80,
                  external_id=True),
    ]  # fmt: skip


def _field_xml(spec: FieldSpec) -> str:
    lines = [
        "    <fields>",
        f"        <fullName>{escape(spec.name)}</fullName>",
        f"        <label>{escape(spec.label)}</label>",
        f"        <description>{escape(spec.description)}</description>",
        f"        <externalId>{str(spec.external_id).lower()}</externalId>",
        "        <required>false</required>",
        f"        <type>{spec.kind}</type>",
    ]
    if spec.kind == "Number":
        lines += ["        <precision>5</precision>", "        <scale>1</scale>"]
    if spec.kind == "Text":
        lines.append(f"        <length>{spec.length}</length>")
        if spec.external_id:
            lines += [
                "        <unique>true</unique>",
                "        <caseSensitive>true</caseSensitive>",
            ]
    if spec.kind == "Picklist":
        lines += [
            "        <valueSet>",
            "            <restricted>true</restricted>",
            "            <valueSetDefinition>",
            "                <sorted>false</sorted>",
        ]
        for value in spec.values:
            lines += [
                "                <value>",
                f"                    <fullName>{escape(value)}</fullName>",
                "                    <default>false</default>",
                f"                    <label>{escape(value)}</label>",
                "                </value>",
            ]
        lines += ["            </valueSetDefinition>", "        </valueSet>"]
    lines.append("    </fields>")
    return "\n".join(lines)


def write_metadata(directory: Path, fields: list[FieldSpec]) -> list[Path]:
    """Write ``package.xml`` and one ``.object`` file per object; returns the files written."""
    (directory / "objects").mkdir(parents=True, exist_ok=True)
    header = '<?xml version="1.0" encoding="UTF-8"?>'
    ns = 'xmlns="http://soap.sforce.com/2006/04/metadata"'
    written: list[Path] = []
    by_object: dict[str, list[FieldSpec]] = {}
    for spec in fields:
        by_object.setdefault(spec.object_name, []).append(spec)
    for object_name, specs in sorted(by_object.items()):
        body = "\n".join(_field_xml(spec) for spec in specs)
        path = directory / "objects" / f"{object_name}.object"
        path.write_text(
            f"{header}\n<CustomObject {ns}>\n{body}\n</CustomObject>\n", encoding="utf-8"
        )
        written.append(path)
    members = "\n".join(
        f"        <members>{escape(s.object_name)}.{escape(s.name)}</members>" for s in fields
    )
    package = directory / "package.xml"
    package.write_text(
        f"{header}\n<Package {ns}>\n    <types>\n{members}\n        <name>CustomField</name>\n"
        f"    </types>\n    <version>{API_VERSION}</version>\n</Package>\n",
        encoding="utf-8",
    )
    written.append(package)
    return written
