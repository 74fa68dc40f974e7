"""Describe results (``/sobjects/{T}/describe`` and the global ``/sobjects``) from the schema.

Key names and meanings follow Salesforce's DescribeSObjectResult / DescribeFieldResult;
values the sandbox has no notion of (layouts, record types, help text) are the neutral ones
a plain org returns (false, null, empty lists).
"""

from __future__ import annotations

from typing import Any

from sandbox.salesforce.schema import Field, ObjectSchema
from sandbox.salesforce.values import NUMBER_TYPES, STRING_TYPES

_SOAP = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "int": "xsd:int",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
    "address": "urn:address",
}


def describe_field(f: Field) -> dict[str, Any]:
    stringy = f.type in STRING_TYPES or f.type in ("id", "reference")
    number = f.type in NUMBER_TYPES
    system = not f.createable and not f.updateable
    return {
        "aggregatable": f.filterable and f.type not in ("textarea", "address"),
        "aiPredictionField": False,
        "autoNumber": f.auto_number,
        "byteLength": f.length * 3 if stringy else 0,
        "calculated": f.calculated,
        "calculatedFormula": None,
        "cascadeDelete": False,
        "caseSensitive": False,
        "compoundFieldName": f.compound,
        "controllerName": None,
        "createable": f.createable,
        "custom": f.custom,
        "defaultValue": f.default if f.type == "boolean" else None,
        "defaultValueFormula": None,
        "defaultedOnCreate": f.default is not None or system or f.name == "OwnerId",
        "dependentPicklist": False,
        "deprecatedAndHidden": False,
        "digits": f.precision if f.type == "int" else 0,
        "displayLocationInDecimal": False,
        "encrypted": False,
        "externalId": f.external_id,
        "extraTypeInfo": "plaintextarea" if f.type == "textarea" else None,
        "filterable": f.filterable,
        "filteredLookupInfo": None,
        "formulaTreatNullNumberAsZero": False,
        "groupable": f.filterable and not number and f.type not in ("textarea", "datetime"),
        "highScaleNumber": False,
        "htmlFormatted": False,
        "idLookup": f.name == "Id" or f.external_id or (f.unique and stringy),
        "inlineHelpText": None,
        "label": f.display_label,
        "length": f.length if stringy else 0,
        "mask": None,
        "maskType": None,
        "name": f.name,
        "nameField": f.name_field,
        "namePointing": len(f.reference_to) > 1,
        "nillable": f.nillable,
        "permissionable": f.custom and f.nillable,
        "picklistValues": [
            {
                "active": True,
                "defaultValue": v == f.default,
                "label": v,
                "validFor": None,
                "value": v,
            }
            for v in f.picklist
        ],
        "polymorphicForeignKey": len(f.reference_to) > 1,
        "precision": f.precision if number and f.type != "int" else 0,
        "queryByDistance": False,
        "referenceTargetField": None,
        "referenceTo": list(f.reference_to),
        "relationshipName": f.relationship,
        "relationshipOrder": None,
        "restrictedDelete": False,
        "restrictedPicklist": f.restricted,
        "scale": f.scale if number else 0,
        "searchPrefilterable": False,
        "soapType": _SOAP.get(f.type, "xsd:string"),
        "sortable": f.sortable,
        "type": f.type,
        "unique": f.unique,
        "updateable": f.updateable,
        "writeRequiresMasterRead": False,
    }


def _urls(schema: ObjectSchema, version: str) -> dict[str, str]:
    base = f"/services/data/v{version}/sobjects/{schema.name}"
    return {
        "compactLayouts": f"{base}/describe/compactLayouts",
        "rowTemplate": f"{base}/{{ID}}",
        "approvalLayouts": f"{base}/describe/approvalLayouts",
        "defaultValues": f"{base}/defaultValues?recordTypeId&fields",
        "describe": f"{base}/describe",
        "quickActions": f"{base}/quickActions",
        "layouts": f"{base}/describe/layouts",
        "sobject": base,
    }


def global_entry(schema: ObjectSchema, version: str) -> dict[str, Any]:
    """One element of the global describe's ``sobjects`` list."""
    user = schema.name == "User"
    return {
        "activateable": False,
        "associateEntityType": None,
        "associateParentEntity": None,
        "createable": True,
        "custom": False,
        "customSetting": False,
        "deepCloneable": False,
        "deletable": not user,
        "deprecatedAndHidden": False,
        "feedEnabled": not user,
        "hasSubtypes": False,
        "isInterface": False,
        "isSubtype": False,
        "keyPrefix": schema.key_prefix,
        "label": schema.label,
        "labelPlural": schema.label_plural,
        "layoutable": True,
        "mergeable": schema.name in ("Account", "Contact", "Case"),
        "mruEnabled": True,
        "name": schema.name,
        "queryable": True,
        "replicateable": True,
        "retrieveable": True,
        "searchable": True,
        "triggerable": True,
        "undeletable": not user,
        "updateable": True,
        "urls": _urls(schema, version),
    }


def describe_object(
    schema: ObjectSchema, schemas: dict[str, ObjectSchema], version: str
) -> dict[str, Any]:
    children: list[dict[str, Any]] = [
        {
            "cascadeDelete": False,
            "childSObject": other.name,
            "deprecatedAndHidden": False,
            "field": f.name,
            "junctionIdListNames": [],
            "junctionReferenceTo": [],
            "relationshipName": other.label_plural.replace(" ", "")
            if f.name != "CreatedById" and f.name != "LastModifiedById"
            else None,
            "restrictedDelete": False,
        }
        for other in schemas.values()
        for f in other.fields.values()
        if schema.name in f.reference_to
    ]
    return {
        **global_entry(schema, version),
        "actionOverrides": [],
        "childRelationships": children,
        "compactLayoutable": True,
        "defaultImplementation": None,
        "extendedBy": None,
        "extendsInterfaces": None,
        "fields": [describe_field(f) for f in schema.fields.values()],
        "implementedBy": None,
        "implementsInterfaces": None,
        "listviewable": None,
        "lookupLayoutable": None,
        "namedLayoutInfos": [],
        "networkScopeFieldName": None,
        "recordTypeInfos": [],
        "searchLayoutable": True,
        "sobjectDescribeOption": "FULL",
        "supportedScopes": [{"label": "All " + schema.label_plural.lower(), "name": "everything"}],
    }
