"""``POST /crm/v3/objects/{type}/search``.

``limit`` 1..200 (default 10), ``after`` an offset string, ``total`` the full match count.
Paging past ``search_result_cap`` (``after + limit > 10,000``) is refused with 400; the exact
HubSpot body is [unverified] (airbyte PR #10700, HubSpot/hubspot-api-nodejs#132 only report
"400"), so the body here is a VALIDATION_ERROR naming the cap.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from sandbox.hubspot import errors
from sandbox.hubspot.routing import Ctx
from sandbox.hubspot.search import SearchEngine
from sandbox.hubspot.search_query import SearchError, compile_query
from sandbox.hubspot.services import Services, body_dict, object_type, property_names


class SearchApi:
    def __init__(self, services: Services) -> None:
        self.s = services
        self.engine = SearchEngine(services.store, services.options)

    def search(self, ctx: Ctx) -> Response:
        object_name = object_type(ctx)
        if isinstance(object_name, Response):
            return object_name
        body = body_dict(ctx)
        if isinstance(body, Response):
            return body
        options = self.s.options
        try:
            limit = int(body.get("limit") or 10)
            after = int(body.get("after") or 0)
        except (TypeError, ValueError):
            return errors.validation("limit and after must be integers")
        if limit < 1 or limit > options.search_max_limit:
            return errors.validation(
                f"limit must be between 1 and {options.search_max_limit}, was {limit}"
            )
        if after < 0:
            return errors.validation(f"after must not be negative, was {after}")
        cap = options.search_result_cap
        if after + limit > cap:
            return errors.validation(
                f"There was a problem with the request. Paging is limited to the first {cap} "
                f"results of a search (after={after}, limit={limit}).",
                sub_category="crm.search.PAGING_LIMIT_EXCEEDED",
                context={"after": [str(after)], "limit": [str(limit)], "max": [str(cap)]},
            )
        try:
            query = compile_query(self.s.store, options, object_name, body)
        except SearchError as exc:
            return errors.validation(str(exc))
        ids = self.engine.ids(object_name, query, self.s.store.now_ms())
        page = ids[after : after + limit]
        table = self.s.store.tables[object_name]
        props = self.s.renderer.selection(object_name, property_names(body.get("properties")))
        results = [self.s.renderer.record(object_name, table.records[i], props) for i in page]
        self.s.stats.add_returned(len(results), object_name)
        out: dict[str, Any] = {"total": len(ids), "results": results}
        if after + limit < len(ids):
            token = str(after + limit)
            out["paging"] = {"next": {"after": token, "link": f"?after={token}"}}
        return errors.json_response(out)
