"""The HTTP application: `/graphql` (with GraphiQL in development) and `/healthz`.

In development GraphiQL's files and demo sign-in live under `/graphiql/`
(`api/graphiql/page.py`); production has neither.

Authentication happens before GraphQL runs: a request without a valid bearer token is
answered 401 with an `UNAUTHENTICATED` error and never reaches a resolver. The caller's
role and grants are read from the partner directory once per request, when the query
has passed its limits (`partner_center.api.caller`).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from partner_center.api.graphiql.page import DemoSignIn, graphiql_routes
from partner_center.api.http import PartnerCenterGraphQL
from partner_center.api.middleware import BodyLimit, SecurityHeaders
from partner_center.api.schema import schema
from partner_center.config import Settings, require_secrets
from partner_center.core.auth import bearer_token
from partner_center.core.errors import Unauthenticated
from partner_center.core.logs import fields, get_logger
from partner_center.core.oidc import IdentityProviderUnavailable
from partner_center.core.tokens import Authenticator
from partner_center.runtime import bootstrap

log = get_logger("partner_center.api")


class Authenticated:
    """The GraphQL app behind a bearer-token check (an ASGI app, so Route mounts it as is)."""

    def __init__(self, app: PartnerCenterGraphQL, authenticator: Authenticator) -> None:
        self.app = app
        self.authenticator = authenticator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        state = scope.setdefault("state", {})
        request_id = state.setdefault("request_id", uuid.uuid4().hex)
        if not (self.app.should_render_graphql_ide_for(request)):
            try:
                token = bearer_token(request.headers.get("authorization"))
                # In a thread: the issuer's keys may be fetched.
                scope["state"]["identity"] = await asyncio.to_thread(
                    self.authenticator.verify, token
                )
            except Unauthenticated as exc:
                await _refuse(
                    scope,
                    receive,
                    send,
                    401,
                    exc.message,
                    exc.extensions,
                    request_id,
                    {"WWW-Authenticate": 'Bearer realm="partner-center"'},
                )
                return
            except IdentityProviderUnavailable as exc:
                log.error(
                    "identity provider unavailable",
                    extra=fields(reason=str(exc), request_id=request_id),
                )
                await _refuse(
                    scope,
                    receive,
                    send,
                    503,
                    "the identity provider cannot be reached; try again shortly",
                    {"code": "IDENTITY_PROVIDER_UNAVAILABLE"},
                    request_id,
                    {"Retry-After": "5"},
                )
                return
        await self.app(scope, receive, send)


async def _refuse(
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    message: str,
    extensions: dict[str, Any],
    request_id: str,
    headers: dict[str, str],
) -> None:
    response = JSONResponse(
        {"errors": [{"message": message, "extensions": extensions}]},
        status_code=status,
        headers={**headers, "X-Request-ID": request_id},
    )
    await response(scope, receive, send)


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


def create_app(
    settings: Settings | None = None, demo_sign_in: DemoSignIn | None = None
) -> Starlette:
    """The API. The development server passes its demo logins for GraphiQL's sign-in;
    the Lambda handler passes none."""
    settings = settings or bootstrap()
    require_secrets(settings)  # production: the API's secrets, or no start
    graphql_app = PartnerCenterGraphQL(settings, schema, demo_sign_in)
    authenticator = Authenticator(settings)
    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/graphql", Authenticated(graphql_app, authenticator), methods=["GET", "POST"]),
            *graphiql_routes(settings, demo_sign_in),
        ],
        middleware=[
            # Outermost first: CORS answers preflights before anything else runs.
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                max_age=600,
                allow_headers=["Authorization", "Content-Type", "Accept", "X-Request-ID"],
                expose_headers=["X-Request-ID"],
            ),
            Middleware(SecurityHeaders, hsts=settings.is_production),
            Middleware(BodyLimit),
        ],
    )
