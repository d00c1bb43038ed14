"""GraphQL over HTTP, as the GraphQL-over-HTTP specification asks.

- POST with `application/json`; GET for queries only (a mutation over GET is 405).
- Responses in `application/graphql-response+json` when the client accepts it, with
  400 for requests that fail before execution (parse, validation, variables); in
  `application/json` otherwise, always 200 for a well-formed request.
- A client that accepts neither gets 406.
"""

from __future__ import annotations

from typing import Any

from cross_web import HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult

from partner_center.api import trusted_documents
from partner_center.api.context import Context
from partner_center.api.core.loaders import Loaders
from partner_center.api.graphiql.page import DemoSignIn, render_page
from partner_center.config import Settings, current

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


def negotiate(accept: str | None) -> str | None:
    """The response media type for an Accept header, or None when none is acceptable."""
    if not accept:
        return JSON
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((quality, -position, media.lower()))
    for _, _, media in sorted(ranked, reverse=True):
        if media == GRAPHQL_RESPONSE:
            return GRAPHQL_RESPONSE
        if media in (JSON, "application/*", "*/*"):
            return JSON
    return None


def wants_ide(method: str, headers: Any, params: Any) -> bool:
    return (
        method == "GET"
        and "text/html" in headers.get("accept", "")
        and params.get("query") is None
        and params.get("documentId") is None
    )


def is_request_error(result: ExecutionResult) -> bool:
    """Errors raised before execution began: no field ran, so no path is set."""
    return (
        result.data is None
        and bool(result.errors)
        and all(isinstance(e, GraphQLError) and e.path is None for e in result.errors or [])
    )


class PartnerCenterGraphQL(GraphQL):
    def __init__(
        self, settings: Settings, schema: Any, demo_sign_in: DemoSignIn | None = None
    ) -> None:
        super().__init__(
            schema,
            graphql_ide=None if settings.is_production else "graphiql",
            allow_queries_via_get=True,
        )
        self._settings = settings
        self._demo_sign_in = demo_sign_in

    @property
    def settings(self) -> Settings:
        # Rotated secrets (re-read from SSM after their max age) reach a warm container.
        return current(self._settings)

    async def get_context(self, request: Any, response: Any) -> Context:  # type: ignore[override]
        return Context(
            settings=self.settings,
            request_id=request.state.request_id,
            identity=getattr(request.state, "identity", None),
            loaders=Loaders(),
        )

    async def get_sub_response(self, request: Request) -> Response:  # type: ignore[override]
        sub_response = await super().get_sub_response(request)
        media = negotiate(request.headers.get("accept"))
        if media is None and not self.should_render_graphql_ide_for(request):
            raise HTTPException(406, f"responses are {GRAPHQL_RESPONSE} or {JSON}")
        sub_response.media_type = media or JSON
        return sub_response

    async def render_graphql_ide(self, request: Request) -> Response:
        # Our page, not strawberry's: its scripts come from this origin, under a CSP.
        return render_page(self.settings, endpoint=request.url.path, demo=self._demo_sign_in)

    def should_render_graphql_ide_for(self, request: Request) -> bool:
        return bool(self.graphql_ide) and wants_ide(
            request.method, request.headers, request.query_params
        )

    def should_render_graphql_ide(self, request: Any) -> bool:
        # Only a browser asking for a page: an API client sending */* with a
        # documentId gets its result, not GraphiQL.
        return wants_ide(request.method, request.headers, request.query_params)

    async def parse_http_body(self, request: Any) -> GraphQLRequestData:
        """Resolve a trusted document ID; in production accept nothing else."""
        data = await super().parse_http_body(request)
        if isinstance(data, list):
            raise HTTPException(400, "batched requests are not accepted")
        if request.method == "GET":
            given = request.query_params.get("documentId")
        else:
            body = self.parse_json(await request.get_body())
            given = body.get("documentId") if isinstance(body, dict) else None
        if given is not None:
            text = trusted_documents.lookup(str(given))
            if text is None:
                raise HTTPException(400, "unknown documentId: not a trusted document")
            data.query = text
        elif self.settings.is_production:
            raise HTTPException(400, "only trusted documents are accepted: send documentId")
        return data

    async def execute_single(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        try:
            return await super().execute_single(*args, **kwargs)
        except HTTPException as exc:
            if isinstance(exc.__cause__, InvalidOperationTypeError):
                raise HTTPException(405, "mutations are only accepted over POST") from exc
            raise

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        processed = await super().process_result(request, result)
        if is_request_error(result):
            # Before execution there is no data, not even null (GraphQL spec, "Response").
            processed.pop("data", None)
        return processed

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        media = getattr(sub_response, "media_type", None) or JSON
        response.headers["content-type"] = f"{media}; charset=utf-8"
        throttled = _throttled(response_data)
        if _code(response_data) == "UNAUTHENTICATED":
            # The token was valid but its user is no longer in the partner's directory.
            response.status_code = 401
            response.headers["www-authenticate"] = 'Bearer realm="partner-center"'
        elif throttled is not None:
            response.status_code = 429
            response.headers["retry-after"] = str(throttled)
        elif (
            media == GRAPHQL_RESPONSE
            and isinstance(response_data, dict)
            and "data" not in response_data
            and not sub_response.status_code
        ):
            response.status_code = 400
        return response


def _code(response_data: Any) -> str | None:
    """The code of a request refused before execution (its only error)."""
    if not isinstance(response_data, dict) or response_data.get("data") is not None:
        return None
    errors = response_data.get("errors") or []
    return (errors[0].get("extensions") or {}).get("code") if len(errors) == 1 else None


def _throttled(response_data: Any) -> int | None:
    """Seconds to wait, when the request was refused for its partner's budget."""
    if not isinstance(response_data, dict):
        return None
    for error in response_data.get("errors") or []:
        extensions = error.get("extensions") or {}
        if extensions.get("code") == "THROTTLED":
            return int(extensions.get("retryAfterSeconds", 1))
    return None
