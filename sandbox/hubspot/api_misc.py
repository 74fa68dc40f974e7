"""Owners, pipelines and the OAuth endpoints."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import Response

from sandbox.hubspot import errors
from sandbox.hubspot.pipelines import PIPELINES, pipeline_json
from sandbox.hubspot.routing import Ctx
from sandbox.hubspot.services import Services, object_type, page_limit


class MiscApi:
    def __init__(self, services: Services) -> None:
        self.s = services

    def owners(self, ctx: Ctx) -> Response:
        """``GET /crm/v3/owners/``: ``email`` filter, ``limit`` ≤ 500, ``after`` = offset."""
        limit = page_limit(ctx.first("limit"), 100, 500)
        if isinstance(limit, Response):
            return limit
        archived = ctx.flag("archived")
        email = (ctx.first("email") or "").lower()
        owners = [
            o
            for o in self.s.store.owners
            if o["archived"] == archived and (not email or str(o.get("email", "")).lower() == email)
        ]
        after = ctx.first("after") or "0"
        start = int(after) if after.isdigit() else 0
        body: dict[str, Any] = {"results": owners[start : start + limit]}
        if start + limit < len(owners):
            token = str(start + limit)
            body["paging"] = {
                "next": {"after": token, "link": f"{ctx.base_url}{ctx.path}/?after={token}"}
            }
        self.s.stats.add_returned(len(body["results"]), "owners")
        return errors.json_response(body)

    def owner(self, ctx: Ctx) -> Response:
        key = ctx.params["ownerId"]
        field = "userId" if ctx.first("idProperty") == "userId" else "id"
        archived = ctx.flag("archived")
        for owner in self.s.store.owners:
            if str(owner[field]) == key and owner["archived"] == archived:
                self.s.stats.add_returned(1, "owners")
                return errors.json_response(owner)
        return errors.not_found(f"Owner {key} not found", context={"id": [key]})

    def pipelines(self, ctx: Ctx) -> Response:
        object_name = self._pipeline_type(ctx)
        if isinstance(object_name, Response):
            return object_name
        return errors.json_response({"results": [pipeline_json(object_name)]})

    def pipeline(self, ctx: Ctx) -> Response:
        object_name = self._pipeline_type(ctx)
        if isinstance(object_name, Response):
            return object_name
        pipeline = pipeline_json(object_name)
        if ctx.params["pipelineId"] != pipeline["id"]:
            return errors.not_found(f"Pipeline {ctx.params['pipelineId']} not found")
        return errors.json_response(pipeline)

    def stages(self, ctx: Ctx) -> Response:
        found = self.pipeline(ctx)
        if found.status_code != 200:
            return found
        return errors.json_response({"results": pipeline_json(self._type_name(ctx))["stages"]})

    def _type_name(self, ctx: Ctx) -> str:
        name = object_type(ctx)
        return name if isinstance(name, str) else ""

    def _pipeline_type(self, ctx: Ctx) -> str | Response:
        object_name = object_type(ctx)
        if isinstance(object_name, Response):
            return object_name
        if object_name not in PIPELINES:
            return errors.validation(f"{object_name} have no pipelines in this portal")
        return object_name

    def token(self, ctx: Ctx) -> Response:
        raw = ctx.body if isinstance(ctx.body, bytes) else b""
        form = dict(parse_qsl(raw.decode("utf-8", "replace")))
        return self.s.tokens.token_grant(form)

    def access_token(self, ctx: Ctx) -> Response:
        return self.s.tokens.access_token_info(ctx.params["token"])

    def refresh_token(self, ctx: Ctx) -> Response:
        return self.s.tokens.refresh_token_info(ctx.params["token"])
