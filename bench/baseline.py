"""The hand-written baseline: what a RevOps engineer would write with the same two SDKs.

``python -m bench.baseline --config C --read --out R.json`` reads everything;
``python -m bench.baseline --config C --write OPS.json --out R.json`` writes the operations
PartnerPulse planned for the same world (so both do the same work), one call per record:

- Salesforce (simple-salesforce): ``sf.query_all("SELECT <the mapped fields> FROM X")`` per
  object — REST, 2,000 rows a page; then ``sf.Account.update(id, {...})`` per partner
  record and ``sf.Task.create({...})`` per task.
- HubSpot (hubspot-api-client): ``crm.companies.get_all`` / ``crm.objects.get_all(type)``
  per object, 100 a page, with ``associations=["companies"]`` where the company is an
  association (the list endpoint returns them inline), owners and pipelines once; then
  ``crm.companies.basic_api.update`` per company and ``crm.objects.tasks.basic_api.create``
  per task (associated to the company in the same body).

Same fields as PartnerPulse reads (from its mappings), same values it writes (in the forms
its adapters send, ``adapters/*/forms.py``), minus its task key: a script has no idempotency
key, and PartnerPulse's key is unique in both CRMs, so a second task with it would be
refused. Connection details as the adapters do them: Salesforce over TLS with a
``requests.Session`` that ignores the environment (``REQUESTS_CA_BUNDLE`` would override
``verify``) and trusts the sandbox's CA, signed in by client credentials, then
``Salesforce(instance_url=..., session_id=..., session=...)`` (simple-salesforce builds
``https://{instance}`` URLs itself); HubSpot with ``host="http://127.0.0.1:PORT"`` (no
trailing slash) and urllib3 retries on 429 honouring ``Retry-After`` — the README's
``Retry(total=5, status_forcelist=(429,))``, with ``allowed_methods=None`` so writes are
retried too (a 429 is refused at the gate, so a retry cannot duplicate).

Calls are counted by the sandbox (``/__sandbox/stats``): :mod:`bench.efficiency` takes the
difference around this process. The Salesforce calls are also counted here (a response
hook), as a check.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections import Counter
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import requests
from hubspot import HubSpot
from simple_salesforce.api import Salesforce
from urllib3.util.retry import Retry

from adapters.hubspot import forms as hs_forms
from adapters.salesforce import forms as sf_forms
from adapters.salesforce.adapter import build_mapping
from connector.config import Config, load_config
from mappings.hubspot import load as load_hubspot_mapping

SF_OBJECTS = ("User", "Account", "Task", "Event", "Opportunity", "Case")
HS_OBJECTS = ("companies", "calls", "emails", "meetings", "notes", "tasks", "deals", "tickets")
HS_ASSOCIATED = ("calls", "emails", "meetings", "notes", "tasks", "deals", "tickets")
TASK_TO_COMPANY = 192


def salesforce(config: Config, counter: Counter[str]) -> Salesforce:
    """Signed in by client credentials, over a session that trusts only the sandbox's CA."""
    sf = config.salesforce
    session = requests.Session()
    session.trust_env = False
    session.verify = str(sf.ca_bundle) if sf.ca_bundle else True
    session.hooks["response"].append(lambda r, *a, **k: counter.update(["salesforce"]))
    secret = sf.secret("client_secret")
    if secret is None or sf.client_id is None:
        raise SystemExit("the Salesforce config has no client credentials")
    token = session.post(
        f"{sf.login_url}/services/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(sf.client_id, secret.get_secret_value()),
        timeout=60,
    )
    token.raise_for_status()
    body = token.json()
    return Salesforce(
        instance_url=body["instance_url"],
        session_id=body["access_token"],
        session=session,
        version=sf.api_version,
    )


def hubspot(config: Config) -> HubSpot:
    hs = config.hubspot
    token = hs.secret("token")
    if token is None:
        raise SystemExit("the HubSpot config has no private-app token")
    retry = Retry(total=5, status_forcelist=(429,), allowed_methods=None, backoff_factor=1)
    return HubSpot(access_token=token.get_secret_value(), host=hs.base_url.rstrip("/"), retry=retry)


def read_all(config: Config) -> dict[str, Any]:
    """Every record of every object the sync reads, the script way; counts per object."""
    counter: Counter[str] = Counter()
    records: dict[str, int] = {}
    seconds: dict[str, float] = {}
    started = time.monotonic()
    sf = salesforce(config, counter)
    sf_map = build_mapping(config.mappings.salesforce, config.writeback)
    for obj in SF_OBJECTS:
        fields = ", ".join(f for f in sf_map.select(obj) if f != "IsDeleted" or obj != "User")
        result = sf.query_all(f"SELECT {fields} FROM {obj}")
        records[f"salesforce/{obj}"] = len(result["records"])
    seconds["salesforce"] = time.monotonic() - started
    started = time.monotonic()
    client = hubspot(config)
    hs_map = load_hubspot_mapping(
        config.mappings.hubspot.model_dump(exclude_none=True),
        tags=config.writeback.hubspot_properties,
        task_key=config.writeback.hubspot_task_key_property,
    )
    owners = client.crm.owners.owners_api
    active = owners.get_page(limit=500).results or []
    archived = owners.get_page(limit=500, archived=True).results or []
    records["hubspot/owners"] = len(active) + len(archived)
    client.crm.pipelines.pipelines_api.get_all("deals")
    client.crm.pipelines.pipelines_api.get_all("tickets")
    for obj in HS_OBJECTS:
        properties = list(hs_map.properties(obj))
        associations = ["companies"] if obj in HS_ASSOCIATED else None
        if obj == "companies":
            rows = client.crm.companies.get_all(properties=properties)
        else:
            rows = client.crm.objects.get_all(obj, properties=properties, associations=associations)
        records[f"hubspot/{obj}"] = len(rows)
    seconds["hubspot"] = time.monotonic() - started
    return {"records": records, "seconds": seconds, "counted": dict(counter)}


def _sf_tags(changes: list[Mapping[str, Any]]) -> dict[str, Any]:
    return {c["crm_field"]: sf_forms.tag_value(c["tag"], c["new"]) for c in changes}


def _hs_tags(changes: list[Mapping[str, Any]]) -> dict[str, str]:
    return {c["crm_field"]: hs_forms.tag_value(c["tag"], c["new"]) for c in changes}


def _sf_task(op: Mapping[str, Any]) -> dict[str, Any]:
    task = {
        "Subject": sf_forms.subject(op["subject"]),
        "Description": op["body"],
        "ActivityDate": op["due"],
        "Status": sf_forms.OPEN_STATUS,
        "Priority": sf_forms.task_priority(op["priority"]),
        "WhatId": op["record_id"],
    }
    if op.get("owner_id"):
        task["OwnerId"] = op["owner_id"]
    return task


def _hs_task(op: Mapping[str, Any]) -> dict[str, Any]:
    properties = {
        "hs_task_subject": op["subject"],
        "hs_task_body": op["body"],
        "hs_timestamp": hs_forms.due_timestamp(date.fromisoformat(op["due"])),
        "hs_task_status": hs_forms.OPEN_STATUS,
        "hs_task_priority": hs_forms.task_priority(op["priority"]),
        "hs_task_type": hs_forms.TASK_TYPE,
    }
    if op.get("owner_id"):
        properties["hubspot_owner_id"] = op["owner_id"]
    association = {
        "to": {"id": op["record_id"]},
        "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": TASK_TO_COMPANY}],
    }
    return {"properties": properties, "associations": [association]}


def write_all(
    config: Config, operations: list[dict[str, Any]], limit: int | None
) -> dict[str, Any]:
    """One update per partner record (its tag changes merged) and one create per task.

    ``limit``: at most this many calls per CRM (the reference size would otherwise take
    hours at 100 ms a call); the result says how many were planned and how many were made.
    """
    tags: dict[str, dict[str, dict[str, Any]]] = {"salesforce": {}, "hubspot": {}}
    tasks: dict[str, list[dict[str, Any]]] = {"salesforce": [], "hubspot": []}
    for op in operations:
        system = op["system"]
        if op["kind"] == "tag_update":
            convert = _sf_tags if system == "salesforce" else _hs_tags
            tags[system].setdefault(op["record_id"], {}).update(convert(op["changes"]))
        elif op["kind"] == "task_create":
            tasks[system].append(_sf_task(op) if system == "salesforce" else _hs_task(op))
    planned = {s: len(tags[s]) + len(tasks[s]) for s in tags}
    made: Counter[str] = Counter()
    seconds: dict[str, float] = {}
    counter: Counter[str] = Counter()
    started = time.monotonic()
    sf = salesforce(config, counter)
    accounts: Any = sf.Account  # simple-salesforce's SFType, found by attribute
    sf_tasks: Any = sf.Task
    for record_id, values in tags["salesforce"].items():
        if limit is not None and made["salesforce"] >= limit:
            break
        accounts.update(record_id, values)
        made["salesforce"] += 1
    for task in tasks["salesforce"]:
        if limit is not None and made["salesforce"] >= limit:
            break
        sf_tasks.create(task)
        made["salesforce"] += 1
    seconds["salesforce"] = time.monotonic() - started
    started = time.monotonic()
    client = hubspot(config)
    companies = client.crm.companies.basic_api
    task_api = client.crm.objects.tasks.basic_api
    for record_id, properties in tags["hubspot"].items():
        if limit is not None and made["hubspot"] >= limit:
            break
        companies.update(record_id, {"properties": properties})
        made["hubspot"] += 1
    for task in tasks["hubspot"]:
        if limit is not None and made["hubspot"] >= limit:
            break
        task_api.create(task)
        made["hubspot"] += 1
    seconds["hubspot"] = time.monotonic() - started
    return {
        "planned": planned,
        "made": dict(made),
        "seconds": seconds,
        "counted": dict(counter),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.baseline", description=__doc__)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--read", action="store_true")
    what.add_argument("--write", type=Path, metavar="OPS_JSON")
    parser.add_argument("--limit", type=int, help="at most this many write calls per CRM")
    args = parser.parse_args(argv)
    config = load_config(args.config)
    if args.read:
        result = read_all(config)
    else:
        operations = json.loads(args.write.read_text(encoding="utf-8"))
        result = write_all(config, operations, args.limit)
    result["max_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
