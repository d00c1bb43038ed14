"""The HTTP application: `/graphql` (with GraphiQL in development) and `/healthz`.

Authentication happens before GraphQL runs: a request without a valid bearer token is
answered 401 with an `UNAUTHENTICATED` error and never reaches a resolver.
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL

from partner_center.api.context import Context
from partner_center.api.loaders import Loaders
from partner_center.api.schema import schema
from partner_center.config import Settings
from partner_center.core.auth import bearer_token, decode_token
from partner_center.core.errors import Unauthenticated
from partner_center.runtime import bootstrap


class PartnerCenterGraphQL(GraphQL):
    def __init__(self, settings: Settings) -> None:
        super().__init__(schema, graphql_ide=None if settings.is_production else "graphiql",
                         allow_queries_via_get=True)
        self.settings = settings

    async def get_context(self, request: Any, response: Any) -> Context:  # type: ignore[override]
        return Context(settings=self.settings, request_id=request.state.request_id,
                       caller=getattr(request.state, "principal", None), loaders=Loaders())


def _wants_ide(request: Request) -> bool:
    return (request.method == "GET" and "text/html" in request.headers.get("accept", "")
            and "query" not in request.query_params)


class Authenticated:
    """The GraphQL app behind a bearer-token check (an ASGI app, so Route mounts it as is)."""

    def __init__(self, app: PartnerCenterGraphQL) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        if not (_wants_ide(request) and self.app.graphql_ide):
            try:
                token = bearer_token(request.headers.get("authorization"))
                scope["state"]["principal"] = decode_token(token, self.app.settings)
            except Unauthenticated as exc:
                response = JSONResponse(
                    {"errors": [{"message": exc.message, "extensions": exc.extensions}]},
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="partner-center"',
                             "X-Request-ID": request_id})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or bootstrap()
    graphql_app = PartnerCenterGraphQL(settings)
    return Starlette(routes=[
        Route("/healthz", healthz),
        Route("/graphql", Authenticated(graphql_app), methods=["GET", "POST"]),
    ])
