"""Access tokens of the stage's OpenID Connect issuer, verified in the API itself.

The issuer's signing keys come from its JWKS (`PC_OIDC_JWKS_URL`, or the `jwks_uri` of
`<issuer>/.well-known/openid-configuration`), fetched on the first token and cached by
PyJWT's `PyJWKClient`: the set is kept `JWKS_MAX_AGE_SECONDS`, and a token signed with a
key ID the cached set does not hold (the issuer rotated its keys) makes one refetch, at
most once per `UNKNOWN_KID_COOLDOWN_SECONDS`, so a flood of made-up key IDs cannot turn
the API into a load generator against the issuer.

Only RS256 and ES256 are accepted, and the token's algorithm must be the one of the key
its `kid` names: an HS256 token "signed" with the public key, or `alg: none`, is refused
before any key is used. `iss`, `aud`, `exp` and `nbf` are checked (with a small leeway
for clock skew). What the token says about the caller is reduced to who it is: the
partner, the user and (for the provider's own principals) the role; what that user may
do is read from the partner directory on every request (`partner_center.core.grants`).
See docs/identity.md.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from dataclasses import dataclass
from typing import Any

import jwt

from partner_center.config import Settings
from partner_center.core.errors import Unauthenticated

ALGORITHMS = ("RS256", "ES256")
JWKS_MAX_AGE_SECONDS = 600
UNKNOWN_KID_COOLDOWN_SECONDS = 30
LEEWAY_SECONDS = 30
FETCH_TIMEOUT_SECONDS = 5


class IdentityProviderUnavailable(Exception):
    """The issuer's discovery document or keys could not be read: our outage, not the
    caller's fault, so it is not answered as UNAUTHENTICATED."""


@dataclass(frozen=True)
class Claimed:
    """Who a verified token says the caller is; nothing about what it may do."""

    partner_id: str
    user_id: str
    role: str | None


def _fetch_json(url: str) -> dict[str, Any]:
    request = urllib.request.Request(url, headers={"accept": "application/json"})
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:
        document = json.load(response)
    if not isinstance(document, dict):
        raise ValueError("not a JSON object")
    return document


class OidcVerifier:
    def __init__(
        self, settings: Settings, *, max_age: float | None = None, cooldown: float | None = None
    ) -> None:
        if not settings.oidc_issuer or not settings.oidc_audience:
            raise RuntimeError("PC_OIDC_ISSUER and PC_OIDC_AUDIENCE must both be set")
        self.issuer = settings.oidc_issuer
        self.audience = settings.oidc_audience
        self.partner_claim = settings.oidc_partner_claim
        self.user_claim = settings.oidc_user_claim
        self.role_claim = settings.oidc_role_claim
        self._jwks_url = settings.oidc_jwks_url
        self._max_age = JWKS_MAX_AGE_SECONDS if max_age is None else max_age
        self._cooldown = UNKNOWN_KID_COOLDOWN_SECONDS if cooldown is None else cooldown
        self._client: jwt.PyJWKClient | None = None
        self._lock = threading.Lock()

    def _keys(self) -> jwt.PyJWKClient:
        """The JWKS client, made on the first token (discovery is a network call, kept
        out of the cold start, and retried on the next token if it fails)."""
        with self._lock:
            if self._client is None:
                url = self._jwks_url or self._discover()
                self._client = jwt.PyJWKClient(
                    url,
                    cache_jwk_set=True,
                    lifespan=self._max_age,
                    cooldown_duration=self._cooldown,
                    timeout=FETCH_TIMEOUT_SECONDS,
                )
            return self._client

    def _discover(self) -> str:
        url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            document = _fetch_json(url)
        except (OSError, ValueError) as exc:
            raise IdentityProviderUnavailable(
                f"the issuer's discovery document could not be read: {type(exc).__name__}"
            ) from exc
        # OpenID Connect Discovery 1.0, 4.3: the document must name the issuer we trust,
        # or its keys are somebody else's.
        if str(document.get("issuer", "")).rstrip("/") != self.issuer.rstrip("/"):
            raise IdentityProviderUnavailable("the discovery document names another issuer")
        jwks_uri = document.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri:
            raise IdentityProviderUnavailable("the discovery document has no jwks_uri")
        return jwks_uri

    def verify(self, token: str) -> Claimed:
        """The caller a token names; UNAUTHENTICATED for any token we must not trust.

        Messages never echo the token or its claims: they identify a person.
        """
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthenticated("the bearer token is not valid") from exc
        # Before any key is looked up: a symmetric or unsigned token is never ours.
        if header.get("alg") not in ALGORITHMS:
            raise Unauthenticated("the bearer token's algorithm is not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthenticated("the bearer token names no signing key")
        try:
            key = self._keys().get_signing_key(kid)
        except (jwt.PyJWKClientConnectionError, jwt.PyJWKSetError) as exc:
            raise IdentityProviderUnavailable("the issuer's keys could not be read") from exc
        except jwt.PyJWKClientError as exc:
            raise Unauthenticated("the bearer token is signed with an unknown key") from exc
        try:
            # The PyJWK fixes the algorithm: a header claiming another one is refused.
            claims = jwt.decode(
                token,
                key,
                algorithms=list(ALGORITHMS),
                issuer=self.issuer,
                audience=self.audience,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud", self.user_claim]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("the bearer token has expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise Unauthenticated("the bearer token is not valid yet") from exc
        except jwt.PyJWTError as exc:
            raise Unauthenticated("the bearer token is not valid") from exc
        return self._claimed(claims)

    def _claimed(self, claims: dict[str, Any]) -> Claimed:
        partner = claims.get(self.partner_claim)
        user = claims.get(self.user_claim)
        role = claims.get(self.role_claim)
        if not isinstance(partner, str) or not partner or not isinstance(user, str) or not user:
            raise Unauthenticated("the bearer token names no partner or user")
        if role is not None and not isinstance(role, str):
            raise Unauthenticated("the bearer token carries unknown claims")
        return Claimed(partner_id=partner, user_id=user, role=role)
