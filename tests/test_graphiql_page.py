"""The GraphiQL page over HTTP: only same-origin files, under a CSP, with checksummed
vendored builds, and a demo sign-in that exists only in local development.

The browser itself is driven in tests/test_graphiql_browser.py.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from partner_center.api.graphiql import assets
from partner_center.api.graphiql.page import CSP
from partner_center.config import Settings
from partner_center.core.auth import decode_token

DEVELOPMENT = Settings()
# Production takes OIDC access tokens only; the issuer is never reached, since no request
# here carries a token.
PRODUCTION = Settings(
    env="production",
    jwt_secret="a-production-secret-" + "x" * 24,
    oidc_issuer="https://identity.invalid/partner-center",
    oidc_audience="partner-center-api",
)
PAGE = {"accept": "text/html"}


async def client_for(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    from partner_center.api.app import create_app
    from partner_center.local.sign_in import DEMO_SIGN_IN

    transport = httpx.ASGITransport(app=create_app(settings, demo_sign_in=DEMO_SIGN_IN))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        yield client


@pytest.fixture
async def dev() -> AsyncIterator[httpx.AsyncClient]:
    async for client in client_for(DEVELOPMENT):
        yield client


@pytest.fixture
async def prod() -> AsyncIterator[httpx.AsyncClient]:
    async for client in client_for(PRODUCTION):
        yield client


def sources(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', page)


async def test_the_page_loads_only_files_of_this_origin(dev: httpx.AsyncClient) -> None:
    response = await dev.get("/graphql", headers=PAGE)
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CSP
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP and "unsafe-eval" not in CSP
    linked = [s for s in sources(response.text) if s != "data:,"]
    assert linked and all(s.startswith("/graphiql/static/") for s in linked)
    # No inline script: every <script> either has a src or is a JSON data block.
    for tag in re.findall(r"<script[^>]*>", response.text):
        assert "src=" in tag or 'type="application/json"' in tag
    for path in linked:
        served = await dev.get(path)
        assert served.status_code == 200, path


async def test_vendored_files_match_their_checksums_and_integrity(dev: httpx.AsyncClient) -> None:
    assert assets.verify() == []
    page = (await dev.get("/graphql", headers=PAGE)).text
    manifest = assets.load_manifest()
    names = {e["name"]: e["version"] for e in manifest["packages"]}
    assert set(names) == {"react", "react-dom", "graphiql", "@graphiql/plugin-explorer"}
    for entry in manifest["packages"]:
        assert entry["integrity"].startswith("sha512-") and entry["license"] == "MIT"
        for file in entry["files"]:
            if file["path"].endswith("LICENSE"):
                continue
            served = await dev.get(f"/graphiql/static/vendor/{file['path']}")
            assert hashlib.sha256(served.content).hexdigest() == file["sha256"]
            digest = base64.b64encode(hashlib.sha256(served.content).digest()).decode()
            assert f'integrity="sha256-{digest}"' in page
            # Versioned folders never change: browsers may keep them.
            assert served.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_verify_notices_a_changed_file(tmp_path: Path) -> None:
    copy = tmp_path / "vendor"
    shutil.copytree(assets.VENDOR, copy)
    react = next(copy.glob("react-1*/react.production.min.js"))
    react.write_bytes(react.read_bytes() + b"\n// tampered")
    (copy / "stray.js").write_text("1")
    problems = assets.verify(copy)
    assert any("checksum differs" in p and "react.production" in p for p in problems)
    assert "not in the manifest: stray.js" in problems


async def test_the_page_own_files_revalidate(dev: httpx.AsyncClient) -> None:
    first = await dev.get("/graphiql/static/boot.js")
    assert first.headers["cache-control"] == "no-cache" and first.headers["etag"]
    again = await dev.get(
        "/graphiql/static/boot.js", headers={"if-none-match": first.headers["etag"]}
    )
    assert again.status_code == 304
    missing = await dev.get("/graphiql/static/nothing.js")
    assert missing.status_code == 404


async def test_demo_sign_in_mints_a_token_of_the_chosen_login(dev: httpx.AsyncClient) -> None:
    logins = (await dev.get("/graphiql/demo-logins")).json()["logins"]
    assert {"sp-admin", "sp-manager-1", "ops-reviewer"} <= {u["login"] for u in logins}
    response = await dev.post("/graphiql/demo-token", json={"login": "sp-manager-1"})
    assert response.status_code == 200
    body = response.json()
    assert body["headers"] == {"Authorization": f"Bearer {body['token']}"}
    principal = decode_token(body["token"], DEVELOPMENT)
    assert (principal.login, principal.role.value) == ("sp-manager-1", "customer_manager")


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"json": {"login": "nobody"}}, 400),
        ({"json": {"login": ["sp-admin"]}}, 400),
        ({"json": ["sp-admin"]}, 400),
        ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 400),
        # A cross-site form post (no CORS preflight) is refused.
        ({"data": {"login": "sp-admin"}}, 415),
    ],
)
async def test_demo_sign_in_refuses_bad_requests(
    dev: httpx.AsyncClient, kwargs: dict, status: int
) -> None:
    response = await dev.post("/graphiql/demo-token", **kwargs)
    assert response.status_code == status
    assert "token" not in response.json() and "nobody" not in response.text


async def test_demo_sign_in_is_a_post(dev: httpx.AsyncClient) -> None:
    assert (await dev.get("/graphiql/demo-token")).status_code == 405


async def test_production_exposes_no_page_files_or_sign_in(prod: httpx.AsyncClient) -> None:
    for path in (
        "/graphiql/static/boot.js",
        "/graphiql/static/vendor/manifest.json",
        "/graphiql/demo-logins",
    ):
        assert (await prod.get(path)).status_code == 404, path
    minted = await prod.post("/graphiql/demo-token", json={"login": "sp-admin"})
    assert minted.status_code == 404 and "token" not in minted.text
    page = await prod.get("/graphql", headers=PAGE)
    assert page.status_code in (400, 401, 404) and "graphiql" not in page.text.lower()


async def test_no_sign_in_where_tokens_are_signed_with_a_real_secret() -> None:
    """A development deployment with its own secret: tokens there mean something, so the
    page offers no sign-in and the endpoint does not exist."""
    settings = dataclasses.replace(DEVELOPMENT, jwt_secret="a-shared-staging-secret-" + "y" * 20)
    async for client in client_for(settings):
        page = await client.get("/graphql", headers=PAGE)
        assert page.status_code == 200 and "demo-token" not in page.text
        assert (
            await client.post("/graphiql/demo-token", json={"login": "sp-admin"})
        ).status_code == 404
        assert (await client.get("/graphiql/static/boot.js")).status_code == 200
