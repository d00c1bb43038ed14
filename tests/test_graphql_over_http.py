"""GraphQL over HTTP as the specification asks, and what production turns off."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from partner_center.config import get_settings
from tests.conftest import Api, token

GRAPHQL_RESPONSE = "application/graphql-response+json"
VIEWER = "{ viewer { login } }"


def auth(login: str = "sp-admin", **headers: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token(login)}", **headers}


async def test_post_json_answers_json(api: Api) -> None:
    response = await api.client.post("/graphql", json={"query": VIEWER}, headers=auth())
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["data"] == {"viewer": {"login": "sp-admin"}}


async def test_get_runs_queries(api: Api) -> None:
    response = await api.client.get("/graphql", params={"query": VIEWER}, headers=auth())
    assert response.status_code == 200
    assert response.json()["data"]["viewer"]["login"] == "sp-admin"


async def test_mutation_over_get_is_405(api: Api) -> None:
    mutation = "mutation { requestExport(input: {kind: CONSUMPTION_DETAILS}) { job { id } } }"
    response = await api.client.get("/graphql", params={"query": mutation}, headers=auth())
    assert response.status_code == 405
    assert "POST" in response.headers.get("allow", "")


async def test_graphql_response_media_type_when_accepted(api: Api) -> None:
    response = await api.client.post(
        "/graphql", json={"query": VIEWER}, headers=auth(accept=GRAPHQL_RESPONSE)
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)


@pytest.mark.parametrize(
    "query",
    [
        "{ viewer { login ",
        "{ viewer { noSuchField } }",
        "query($n: Int!) { jobs(first: $n) { edges { cursor } } }",
    ],
)
async def test_request_errors_are_400_with_no_data_in_graphql_response(
    api: Api, query: str
) -> None:
    response = await api.client.post(
        "/graphql", json={"query": query}, headers=auth(accept=GRAPHQL_RESPONSE)
    )
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body and body["errors"]


async def test_request_errors_are_200_in_plain_json(api: Api) -> None:
    response = await api.client.post(
        "/graphql",
        json={"query": "{ viewer { noSuchField } }"},
        headers=auth(accept="application/json"),
    )
    assert response.status_code == 200
    assert "data" not in response.json()


async def test_field_errors_keep_200_with_data(api: Api) -> None:
    query = '{ job(id: "Sm9iOm5vc3VjaA==") { id } viewer { login } }'
    response = await api.client.post(
        "/graphql", json={"query": query}, headers=auth(accept=GRAPHQL_RESPONSE)
    )
    assert response.status_code == 200
    body = response.json()
    assert body["data"]["viewer"]["login"] == "sp-admin" and body["data"]["job"] is None


async def test_unacceptable_accept_is_406(api: Api) -> None:
    response = await api.client.post(
        "/graphql", json={"query": VIEWER}, headers=auth(accept="text/csv")
    )
    assert response.status_code == 406


async def test_accept_prefers_by_quality(api: Api) -> None:
    from partner_center.api.http import negotiate

    assert negotiate(f"application/json;q=0.9, {GRAPHQL_RESPONSE}") == GRAPHQL_RESPONSE
    assert negotiate(f"{GRAPHQL_RESPONSE};q=0.1, application/json") == "application/json"
    assert negotiate("*/*") == "application/json"
    assert negotiate("text/html;q=0, text/csv") is None


async def test_unsupported_content_type_is_refused(api: Api) -> None:
    response = await api.client.post(
        "/graphql", content=VIEWER, headers=auth(**{"content-type": "text/plain"})
    )
    assert response.status_code in (400, 415)


async def test_unexpected_errors_carry_a_request_id_and_nothing_else(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from partner_center.jobs import service

    async def explode(*_: Any, **__: Any) -> Any:
        raise RuntimeError("李四 lisi@example.com")

    monkeypatch.setattr(service, "list_jobs", explode)
    response = await api.client.post(
        "/graphql",
        json={"query": "{ jobs { edges { cursor } } }"},
        headers=auth(**{"x-request-id": "req-42"}),
    )
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-42"}
    assert "李四" not in response.text and "lisi" not in response.text


@pytest.fixture
async def production(demo: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The API as deployed: production, signed in with the stage's OIDC issuer (a local
    one), as sp-admin unless a test sends its own Authorization."""
    from partner_center.api.app import create_app
    from tests import oidc_issuer

    issuer = oidc_issuer.start()
    settings = dataclasses.replace(
        get_settings(),
        env="production",
        oidc_issuer=issuer.issuer,
        oidc_audience=oidc_issuer.AUDIENCE,
    )
    transport = httpx.ASGITransport(app=create_app(settings))
    bearer = issuer.token(sub="usr-sp-admin", partner_id="ptn-sp-001")
    try:
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://prod",
            headers={"authorization": f"Bearer {bearer}"},
        ) as client:
            yield client
    finally:
        issuer.stop()


async def test_production_refuses_introspection(production: httpx.AsyncClient) -> None:
    response = await production.post("/graphql", json={"query": "{ __schema { types { name } } }"})
    assert response.status_code == 400 and "__schema" not in response.text


async def test_introspection_rule_applies_in_production_whatever_the_document() -> None:
    from partner_center.api.context import Context
    from partner_center.api.schema import schema

    production = dataclasses.replace(get_settings(), env="production")
    result = await schema.execute(
        "{ __schema { queryType { name } } }",
        context_value=Context(settings=production, request_id="r"),
    )
    assert result.errors and "introspection" in result.errors[0].message.lower()
    development = await schema.execute(
        "{ __schema { queryType { name } } }",
        context_value=Context(settings=get_settings(), request_id="r"),
    )
    assert development.errors is None


async def test_production_serves_no_graphiql(production: httpx.AsyncClient) -> None:
    # A browser, signed out (the fixture's client sends a token by default).
    response = await production.get(
        "/graphql", headers={"accept": "text/html", "authorization": ""}
    )
    assert response.status_code in (401, 404)
    assert "graphiql" not in response.text.lower()


async def test_development_serves_graphiql(api: Api) -> None:
    response = await api.client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200 and "graphiql" in response.text.lower()


async def test_security_headers_on_every_api_response(api: Api) -> None:
    response = await api.client.post("/graphql", json={"query": VIEWER}, headers=auth())
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "no-store"
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["x-request-id"]
    unauthenticated = await api.client.post("/graphql", json={"query": VIEWER})
    assert unauthenticated.headers["x-content-type-options"] == "nosniff"


async def test_hsts_in_production(production: httpx.AsyncClient) -> None:
    response = await production.get("/healthz")
    assert response.headers["strict-transport-security"].startswith("max-age=")


@pytest.fixture
async def portal_api(demo: Any) -> AsyncIterator[httpx.AsyncClient]:
    from partner_center.api.app import create_app

    settings = dataclasses.replace(get_settings(), cors_origins=("https://portal.example",))
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        yield client


async def test_cors_allows_listed_portal_origins_only(portal_api: httpx.AsyncClient) -> None:
    preflight = {
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type",
    }
    allowed = await portal_api.options(
        "/graphql", headers={"origin": "https://portal.example", **preflight}
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://portal.example"
    refused = await portal_api.options(
        "/graphql", headers={"origin": "https://evil.example", **preflight}
    )
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers


async def test_oversized_body_is_413_before_parsing(api: Api) -> None:
    query = "{ viewer { login } }" + " " * (1024 * 1024)
    response = await api.client.post("/graphql", json={"query": query}, headers=auth())
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


def viewer_document_id() -> str:
    from partner_center.api.trusted_documents import id_of

    return id_of("Viewer")


async def test_production_runs_trusted_documents_by_id(production: httpx.AsyncClient) -> None:
    response = await production.post("/graphql", json={"documentId": viewer_document_id()})
    assert response.status_code == 200
    assert response.json()["data"]["viewer"]["login"] == "sp-admin"


async def test_production_refuses_any_other_document(production: httpx.AsyncClient) -> None:
    response = await production.post("/graphql", json={"query": VIEWER})
    assert response.status_code == 400
    assert "trusted documents" in response.text


async def test_unknown_document_id_is_refused(api: Api) -> None:
    response = await api.client.post(
        "/graphql", json={"documentId": "sha256:" + "0" * 64}, headers=auth()
    )
    assert response.status_code == 400


async def test_development_accepts_documents_by_id_too(api: Api) -> None:
    response = await api.client.get(
        "/graphql", params={"documentId": viewer_document_id()}, headers=auth()
    )
    assert response.json()["data"]["viewer"]["login"] == "sp-admin"
