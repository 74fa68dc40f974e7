"""HTTP side of Bulk API 2.0 query jobs (``/jobs/query[/{id}[/results]]``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from sandbox.salesforce.errors import ApiError, not_found
from sandbox.salesforce.responses import json_response, no_content

if TYPE_CHECKING:
    from sandbox.salesforce.app import SalesforceApp


async def _body(request: Request) -> object:
    try:
        return json.loads(await request.body() or b"null")
    except ValueError as exc:
        raise ApiError(400, "JSON_PARSER_ERROR", f"Unexpected character: {exc}") from None


async def handle_jobs(
    app: SalesforceApp, request: Request, version: str, parts: list[str]
) -> Response:
    bulk, method = app.bulk, request.method
    if not parts:
        if method == "POST":
            job = bulk.create(await _body(request), version, app.user_id)
            app.bulk_jobs_created += 1
            return json_response(job.info(state="UploadComplete"))
        if method == "GET":
            return json_response(
                {"done": True, "records": [j.info() for j in bulk.all()], "nextRecordsUrl": None}
            )
        raise not_found()
    job = bulk.get(parts[0])
    if len(parts) == 1:
        if method == "GET":
            return json_response(job.info())
        if method == "PATCH":
            body = await _body(request)
            if not isinstance(body, dict) or body.get("state") != "Aborted":
                raise ApiError(
                    400, "INVALIDJOBSTATE", "Only state Aborted can be set on a query job"
                )
            if job.state() == "JobComplete":
                raise ApiError(400, "INVALIDJOBSTATE", "Job is already complete")
            job.aborted = True
            return json_response(job.info())
        if method == "DELETE":
            bulk.delete(job.id)
            return no_content()
        raise not_found()
    if parts[1:] == ["results"] and method == "GET":
        params = request.query_params
        csv, count, locator = bulk.results(job, params.get("locator"), params.get("maxRecords"))
        app.stats.add_returned(count, job.query.obj)
        return Response(
            csv,
            media_type="text/csv",
            headers={"Sforce-NumberOfRecords": str(count), "Sforce-Locator": locator},
        )
    raise not_found()
