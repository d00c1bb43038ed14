"""The GraphiQL page, its files, and the development sign-in.

Everything the page loads comes from this application (`/graphiql/static/…`): the
vendored React, GraphiQL and explorer builds (pinned, checksummed, linked with
subresource integrity) and the page's own script and stylesheet. Its
Content-Security-Policy allows scripts, styles and requests to this origin only, no
inline script; fonts and icons are the `data:` URIs inside GraphiQL's stylesheet.

Sign-in (development only): the page lists the demo logins and asks
`POST /graphiql/demo-token` for a token, which it puts in the Headers tab as
`{"Authorization": "Bearer …"}`. Those routes exist only when the development server
hands the app its demo logins (`DemoSignIn`: the API never imports the demo data), runs
outside production and signs tokens with the public local secret, so they hand out
nothing a caller could not sign for themselves; in production neither the page nor they
exist.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from partner_center.api.graphiql.assets import STATIC, page_assets
from partner_center.config import DEVELOPMENT_JWT_SECRET, Settings
from partner_center.core.auth import Principal


class DemoLogin(Protocol):
    @property
    def login(self) -> str: ...
    @property
    def about(self) -> str: ...


@dataclass(frozen=True)
class DemoSignIn:
    """The demo logins the development server offers GraphiQL's picker, and the
    principal of each (raising KeyError for an unknown login)."""

    logins: Callable[[], Sequence[DemoLogin]]
    principal: Callable[[str], Principal]


STATIC_PREFIX = "/graphiql/static"
LOGINS_PATH = "/graphiql/demo-logins"
TOKEN_PATH = "/graphiql/demo-token"

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        # GraphiQL's stylesheet carries its fonts and icons as data: URIs.
        "font-src 'self' data:",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)

# The vendored builds are versioned by their folder (react-18.2.0/…): cache for a year.
# The page's own files change with the code: revalidate (StaticFiles answers 304).
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


class GraphiqlFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["cache-control"] = (
                IMMUTABLE if path.startswith("vendor/") else REVALIDATE
            )
        return response


def sign_in_offered(settings: Settings, demo: DemoSignIn | None) -> bool:
    return (
        demo is not None
        and not settings.is_production
        and settings.jwt_secret == DEVELOPMENT_JWT_SECRET
    )


def render_page(
    settings: Settings, endpoint: str = "/graphql", demo: DemoSignIn | None = None
) -> HTMLResponse:
    scripts, styles = page_assets()
    config: dict[str, Any] = {"endpoint": endpoint}
    if sign_in_offered(settings, demo):
        config["signIn"] = {"logins": LOGINS_PATH, "token": TOKEN_PATH}
    # JSON in a data block is not script: the CSP needs no exception for it. "<" is
    # escaped so no value could close the element.
    data = json.dumps(config).replace("<", "\\u003c")
    links = "\n".join(
        f'    <link rel="stylesheet" href="{STATIC_PREFIX}/{a.url_path}" integrity="{a.integrity}">'
        for a in styles
    )
    tags = "\n".join(
        f'    <script src="{STATIC_PREFIX}/{a.url_path}" integrity="{a.integrity}"></script>'
        for a in scripts
    )
    page = f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Partner Center API · GraphiQL</title>
    <link rel="icon" href="data:,">
{links}
    <link rel="stylesheet" href="{STATIC_PREFIX}/page.css">
    <script type="application/json" id="graphiql-config">{data}</script>
  </head>
  <body>
    <div id="sign-in" hidden>
      <label for="demo-login">Demo login</label>
      <select id="demo-login"><option value="">sign in as…</option></select>
      <span class="status">{html.escape("pick a login to fill the Authorization header")}</span>
    </div>
    <div id="graphiql">Loading…</div>
{tags}
    <script src="{STATIC_PREFIX}/boot.js"></script>
  </body>
</html>
"""
    return HTMLResponse(page, headers={"content-security-policy": CSP, "cache-control": "no-store"})


def graphiql_routes(settings: Settings, demo: DemoSignIn | None = None) -> list[BaseRoute]:
    """Outside production: the page's files, and the sign-in where it is offered. In
    production: nothing."""
    if settings.is_production:
        return []
    routes: list[BaseRoute] = [
        Mount(STATIC_PREFIX, app=GraphiqlFiles(directory=STATIC), name="graphiql-static")
    ]
    if demo is None or not sign_in_offered(settings, demo):
        return routes

    async def logins(_: Request) -> Response:
        principals = [(u, demo.principal(u.login)) for u in demo.logins()]
        return JSONResponse(
            {
                "logins": [
                    {"login": u.login, "role": p.role.value, "about": u.about}
                    for u, p in principals
                ]
            }
        )

    async def token(request: Request) -> Response:
        # JSON only: a cross-site form cannot send it without a CORS preflight.
        if not request.headers.get("content-type", "").startswith("application/json"):
            return JSONResponse({"error": 'send {"login": …} as application/json'}, status_code=415)
        try:
            body = await request.json()
        except ValueError:
            body = None
        login = body.get("login") if isinstance(body, dict) else None
        if not isinstance(login, str):
            return JSONResponse({"error": 'send {"login": "sp-admin"}'}, status_code=400)
        try:
            principal = demo.principal(login)
        except KeyError:
            return JSONResponse(
                {"error": f"no such demo login; see GET {LOGINS_PATH}"}, status_code=400
            )
        from partner_center.core.auth import issue_token

        bearer = issue_token(principal, settings)
        return JSONResponse(
            {"login": login, "token": bearer, "headers": {"Authorization": f"Bearer {bearer}"}}
        )

    return [
        *routes,
        Route(LOGINS_PATH, logins, methods=["GET"]),
        Route(TOKEN_PATH, token, methods=["POST"]),
    ]
