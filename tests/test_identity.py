"""Access tokens of a real OpenID Connect issuer (a local discovery and JWKS server), and
the partner directory as the authority on what a caller may do (R1)."""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from partner_center.config import Settings, get_settings
from partner_center.core import oidc
from partner_center.core.auth import AccountType, Menu, Role
from partner_center.core.errors import Unauthenticated
from partner_center.core.tokens import Authenticator
from partner_center.storage.models import DirectoryItem
from tests import oidc_issuer
from tests.conftest import token as dev_token
from tests.oidc_issuer import AUDIENCE, Issuer

VIEWER = "{ viewer { login role accountType permissions } }"
CUSTOMERS = "{ customers(first: 1) { edges { cursor } } }"


@pytest.fixture(scope="module")
def issuer() -> Iterator[Issuer]:
    server = oidc_issuer.start()
    yield server
    server.stop()


def stage(issuer: Issuer, **changes: Any) -> Settings:
    """A cloud stage: not development, so only the issuer's tokens are accepted."""
    return dataclasses.replace(
        get_settings(), env="staging", oidc_issuer=issuer.issuer, oidc_audience=AUDIENCE, **changes
    )


@pytest.fixture
async def client(demo: Any, issuer: Issuer) -> AsyncIterator[httpx.AsyncClient]:
    from partner_center.api.app import create_app

    issuer.requests.clear()
    transport = httpx.ASGITransport(app=create_app(stage(issuer)))
    async with httpx.AsyncClient(transport=transport, base_url="http://stage") as client:
        yield client


async def call(client: httpx.AsyncClient, bearer: str, query: str = VIEWER) -> httpx.Response:
    return await client.post(
        "/graphql", json={"query": query}, headers={"authorization": f"Bearer {bearer}"}
    )


def refused(response: httpx.Response) -> str:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    return response.json()["errors"][0]["extensions"]["code"]


def sp_admin(issuer: Issuer, key: oidc_issuer.SigningKey | None = None, **claims: Any) -> str:
    return issuer.token(key, **{"sub": "usr-sp-admin", "partner_id": "ptn-sp-001", **claims})


@pytest.fixture
def operator() -> Iterator[tuple[str, str]]:
    """A partner of its own with one operator granted the customers menu."""
    partner_id = f"ptn-t-idp-{uuid.uuid4().hex[:8]}"
    user_id = "usr-t-idp-operator"
    DirectoryItem(
        partner_id, "PARTNER", name="身份测试伙伴", account_type=AccountType.SOLUTION_PROVIDER.value
    ).save()
    DirectoryItem(
        partner_id,
        f"USER#{user_id}",
        name="测试操作员",
        login="idp-operator",
        role=Role.OPERATOR.value,
        permissions={Menu.CUSTOMERS.value},
    ).save()
    yield partner_id, user_id
    for entity in ("PARTNER", f"USER#{user_id}"):
        DirectoryItem(partner_id, entity).delete()


# -- accepted tokens ----------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
async def test_issuer_tokens_are_accepted_with_the_directory_s_grants(
    client: httpx.AsyncClient, issuer: Issuer, alg: str
) -> None:
    response = await call(client, sp_admin(issuer, issuer.key(alg)))
    assert response.status_code == 200, response.text
    viewer = response.json()["data"]["viewer"]
    assert viewer == {
        "login": "sp-admin",
        "role": "admin",
        "accountType": "solution_provider",
        "permissions": sorted(m.value for m in Menu),
    }


async def test_discovery_and_keys_are_fetched_once_and_cached(
    client: httpx.AsyncClient, issuer: Issuer
) -> None:
    for _ in range(3):
        assert (await call(client, sp_admin(issuer))).status_code == 200
    assert issuer.requests == {"/issuer/.well-known/openid-configuration": 1, "/jwks.json": 1}


async def test_a_configured_jwks_url_skips_discovery(demo: Any, issuer: Issuer) -> None:
    issuer.requests.clear()
    authenticator = Authenticator(stage(issuer, oidc_jwks_url=f"{issuer.url}/jwks.json"))
    assert authenticator.authenticate(sp_admin(issuer)).user_id == "usr-sp-admin"
    assert issuer.requests == {"/jwks.json": 1}


async def test_role_claim_names_the_provider_s_services_only(
    client: httpx.AsyncClient, issuer: Issuer
) -> None:
    storefront = issuer.token(sub="svc-storefront", partner_id="platform", role="storefront")
    response = await call(client, storefront)
    assert response.json()["data"]["viewer"]["role"] == "storefront"
    # No claim makes a platform principal a partner administrator.
    assert (
        refused(await call(client, issuer.token(sub="usr-x", partner_id="platform", role="admin")))
        == "UNAUTHENTICATED"
    )


# -- refused tokens -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "claims",
    [
        {"iss": "https://another-issuer.example.com"},
        {"aud": "another-api"},
        {"exp": -600},  # seconds from now, taken when the test runs
        {"nbf": +600},
        {"exp": None},
        {"partner_id": None},
    ],
    ids=["wrong-issuer", "wrong-audience", "expired", "not-yet-valid", "no-exp", "no-partner"],
)
async def test_tokens_we_must_not_trust_are_401(
    client: httpx.AsyncClient, issuer: Issuer, claims: dict[str, Any]
) -> None:
    now = int(time.time())
    claims = {
        name: now + value if name in ("exp", "nbf") and value is not None else value
        for name, value in claims.items()
    }
    response = await call(client, sp_admin(issuer, **claims))
    assert refused(response) == "UNAUTHENTICATED"
    assert "usr-sp-admin" not in response.text


async def test_unknown_key_is_401(client: httpx.AsyncClient, issuer: Issuer) -> None:
    stranger = oidc_issuer.new_key("RS256")  # never published
    assert refused(await call(client, sp_admin(issuer, stranger))) == "UNAUTHENTICATED"


def test_hs256_signed_with_the_public_key_is_refused(demo: Any, issuer: Issuer) -> None:
    """Algorithm confusion: the public key used as an HMAC secret."""
    key = issuer.key("RS256")
    public_pem = key.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = {
        "iss": issuer.issuer,
        "aud": AUDIENCE,
        "sub": "usr-sp-admin",
        "partner_id": "ptn-sp-001",
        "exp": int(time.time()) + 600,
    }
    forged = _hmac_token(claims, public_pem, key.kid)
    with pytest.raises(Unauthenticated):
        Authenticator(stage(issuer)).authenticate(forged)
    # In development the HS256 path checks it against the local secret: refused too.
    development = dataclasses.replace(stage(issuer), env="development")
    with pytest.raises(Unauthenticated):
        Authenticator(development).authenticate(forged)


def _hmac_token(claims: dict[str, Any], secret: bytes, kid: str) -> str:
    """An HS256 token keyed with `secret`, built by hand: PyJWT itself refuses to use a
    PEM public key as an HMAC secret, which is the point of the attack."""
    import base64
    import hashlib
    import hmac
    import json

    def part(value: dict[str, Any]) -> str:
        raw = json.dumps(value, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    signing_input = f"{part({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{part(claims)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


async def test_alg_none_and_mismatched_algorithms_are_refused(
    client: httpx.AsyncClient, issuer: Issuer
) -> None:
    claims = {
        "iss": issuer.issuer,
        "aud": AUDIENCE,
        "sub": "usr-sp-admin",
        "partner_id": "ptn-sp-001",
        "exp": int(time.time()) + 600,
    }
    unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": issuer.key("RS256").kid})
    assert refused(await call(client, unsigned)) == "UNAUTHENTICATED"
    # Signed with the EC key but naming the RSA key's ID: the key fixes the algorithm.
    ec_key = issuer.key("ES256")
    mislabelled = jwt.encode(
        claims, ec_key.private, algorithm="ES256", headers={"kid": issuer.key("RS256").kid}
    )
    assert refused(await call(client, mislabelled)) == "UNAUTHENTICATED"
    # And the development tokens are not accepted outside development.
    assert refused(await call(client, dev_token("sp-admin"))) == "UNAUTHENTICATED"


async def test_rotated_key_is_fetched_by_kid_and_unknown_kids_are_rate_limited(
    demo: Any, issuer: Issuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from partner_center.api.app import create_app

    monkeypatch.setattr(oidc, "UNKNOWN_KID_COOLDOWN_SECONDS", 1.0)
    strangers = [oidc_issuer.new_key("RS256") for _ in range(5)]  # never published
    issuer.requests.clear()
    transport = httpx.ASGITransport(app=create_app(stage(issuer)))
    async with httpx.AsyncClient(transport=transport, base_url="http://stage") as client:
        assert (await call(client, sp_admin(issuer))).status_code == 200
        time.sleep(1.1)
        rotated = issuer.rotate("RS256")
        # The new kid is not in the cached set: one refetch finds it.
        assert (await call(client, sp_admin(issuer, rotated))).status_code == 200
        assert issuer.requests["/jwks.json"] == 2
        # A burst of made-up kids right after: refused without hitting the issuer again.
        for stranger in strangers:
            assert refused(await call(client, sp_admin(issuer, stranger))) == "UNAUTHENTICATED"
        assert issuer.requests["/jwks.json"] == 2
        # The key in use still verifies from the cache.
        assert (await call(client, sp_admin(issuer, rotated))).status_code == 200
        assert issuer.requests["/jwks.json"] == 2


async def test_unreachable_issuer_is_503_not_401(demo: Any, issuer: Issuer) -> None:
    from partner_center.api.app import create_app

    transport = httpx.ASGITransport(app=create_app(stage(issuer)))
    async with httpx.AsyncClient(transport=transport, base_url="http://stage") as client:
        issuer.available = False
        try:
            response = await call(client, sp_admin(issuer))
        finally:
            issuer.available = True
        assert response.status_code == 503
        assert response.json()["errors"][0]["extensions"]["code"] == (
            "IDENTITY_PROVIDER_UNAVAILABLE"
        )
        # Discovery is retried on the next token once the issuer is back.
        assert (await call(client, sp_admin(issuer))).status_code == 200


def test_a_cloud_stage_without_an_issuer_fails_at_start() -> None:
    from partner_center.api.app import create_app

    settings = dataclasses.replace(get_settings(), env="production", oidc_issuer=None)
    with pytest.raises(RuntimeError, match="PC_OIDC_ISSUER"):
        create_app(settings)


# -- the directory decides (R1) -----------------------------------------------------------


async def test_revoking_a_grant_forbids_the_next_request_with_the_same_token(
    client: httpx.AsyncClient, issuer: Issuer, operator: tuple[str, str]
) -> None:
    partner_id, user_id = operator
    bearer = issuer.token(sub=user_id, partner_id=partner_id)
    assert (await call(client, bearer, CUSTOMERS)).json().get("errors") is None
    item = DirectoryItem.get(partner_id, f"USER#{user_id}")
    item.update(actions=[DirectoryItem.permissions.remove()])
    body = (await call(client, bearer, CUSTOMERS)).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await call(client, bearer)).json()["data"]["viewer"]["permissions"] == []


async def test_a_role_claim_does_not_override_the_directory(
    client: httpx.AsyncClient, issuer: Issuer, operator: tuple[str, str]
) -> None:
    partner_id, user_id = operator
    DirectoryItem.get(partner_id, f"USER#{user_id}").update(
        actions=[DirectoryItem.permissions.remove()]
    )
    bearer = issuer.token(sub=user_id, partner_id=partner_id, role="admin")
    body = (await call(client, bearer, CUSTOMERS)).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await call(client, bearer)).json()["data"]["viewer"]["role"] == "operator"


async def test_a_user_removed_from_the_directory_is_401_at_once(
    client: httpx.AsyncClient, issuer: Issuer, operator: tuple[str, str]
) -> None:
    partner_id, user_id = operator
    bearer = issuer.token(sub=user_id, partner_id=partner_id)
    assert (await call(client, bearer)).status_code == 200
    DirectoryItem(partner_id, f"USER#{user_id}").delete()
    assert refused(await call(client, bearer)) == "UNAUTHENTICATED"


async def test_development_tokens_follow_the_directory_too(
    api: Any, operator: tuple[str, str]
) -> None:
    """The local HS256 tokens carry grants, but for a user the directory holds, the
    directory decides: the same code path as in the cloud."""
    from partner_center.core.auth import Principal, issue_token

    partner_id, user_id = operator
    bearer = issue_token(
        Principal(
            partner_id,
            user_id,
            "idp-operator",
            Role.ADMIN,
            AccountType.SOLUTION_PROVIDER,
            frozenset(Menu),
        ),
        get_settings(),
    )
    DirectoryItem.get(partner_id, f"USER#{user_id}").update(
        actions=[DirectoryItem.permissions.remove()]
    )
    response = await api.post(None, CUSTOMERS, authorization=f"Bearer {bearer}")
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
