"""Which bearer tokens the API accepts, and the caller each one stands for.

Outside development only access tokens of the configured OpenID Connect issuer
(`partner_center.core.oidc`). In development (PC_ENV=development) also the local HS256
tokens of `partner-center token` (`partner_center.core.auth`); when an issuer is
configured there too, a token goes to the verifier its algorithm names, and each only
accepts its own: a symmetric token never reaches the issuer's public keys. Either way
the partner directory, not the token, decides the caller's role and grants
(`partner_center.core.grants`).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from partner_center.config import Settings
from partner_center.core import grants
from partner_center.core.auth import Principal, decode_token
from partner_center.core.errors import Unauthenticated
from partner_center.core.oidc import OidcVerifier


def _algorithm(token: str) -> str | None:
    """The unverified `alg` of a token's header (routing only: nothing is trusted)."""
    head = token.split(".", 1)[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, TypeError):
        return None
    return header.get("alg") if isinstance(header, dict) else None


@dataclass(frozen=True)
class Identity:
    """Who a verified token says the caller is. What it may do is `principal()`: the
    directory read, made once per request after the query passed its limits."""

    partner_id: str
    user_id: str
    claimed_role: str | None = None
    # A development token's own description, for a user the directory does not hold.
    fallback: Principal | None = None

    def principal(self) -> Principal:
        """Blocking (reads the directory): run it in a thread."""
        return grants.principal(
            self.partner_id, self.user_id, claimed_role=self.claimed_role, fallback=self.fallback
        )


class Authenticator:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.development = settings.env == "development"
        self.oidc = OidcVerifier(settings) if settings.oidc_issuer else None
        if self.oidc is None and not self.development:
            # Fail the cold start with the reason, not every request with a 401.
            raise RuntimeError(
                f"PC_OIDC_ISSUER and PC_OIDC_AUDIENCE must be set when "
                f"PC_ENV={settings.env!r}: the development HS256 secret "
                "signs local tokens only"
            )

    def verify(self, token: str) -> Identity:
        """Blocking (the issuer's keys may be fetched): run it in a thread. Reads no
        table, so a request refused later for its shape costs no DynamoDB call."""
        if self.development and (self.oidc is None or _algorithm(token) == "HS256"):
            claimed = decode_token(token, self.settings)
            return Identity(
                claimed.partner_id,
                claimed.user_id,
                claimed_role=claimed.role.value,
                fallback=claimed,
            )
        if self.oidc is None:
            raise Unauthenticated("the bearer token is not valid")
        found = self.oidc.verify(token)
        return Identity(found.partner_id, found.user_id, claimed_role=found.role)

    def authenticate(self, token: str) -> Principal:
        """`verify`, then the directory's description of the caller."""
        return self.verify(token).principal()
