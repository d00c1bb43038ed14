"""Share-link tokens (R8): signed, expiring, bound to one provider, product and link.

A token is `<key id>.<payload>.<signature>`:

- payload: base64url (no padding) of compact JSON `{"e": expiry (epoch seconds),
  "l": link ID, "p": provider partner ID, "g": product ID, "v": 1}`;
- signature: base64url of HMAC-SHA256 over `pc-share-link.v1.<key id>.<payload>` with the
  deployment's share-link key of that ID (`PC_SHARE_LINK_SECRET`, never in the link).

Verification checks the shape, looks the key up by ID (retired keys keep verifying
their links until those expire), compares signatures in constant time, and only then
reads the payload. Every base64 part must be in its one canonical spelling, so no two
different strings verify as the same token (base64's spare bits cannot be flipped).
Editing any character therefore gives a refusal, never another provider's attribution.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime

from partner_center.config import Settings

VERSION = 1
_DOMAIN = b"pc-share-link.v1."
MAX_TOKEN_LENGTH = 600
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
_B64URL = re.compile(r"[A-Za-z0-9_-]+")
_SIGNATURE_BYTES = hashlib.sha256().digest_size


class Rejection(enum.StrEnum):
    """Why a token attributes nothing. Stable codes, recorded on the order."""

    MALFORMED_TOKEN = "malformed_token"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"
    EXPIRED = "expired"


class TokenRejected(Exception):
    def __init__(self, reason: Rejection) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class LinkClaims:
    partner_id: str
    product_id: str
    link_id: str
    expires_at: int  # epoch seconds
    key_id: str


@dataclass(frozen=True)
class SigningKeys:
    current_id: str
    secrets: dict[str, bytes]

    @classmethod
    def from_settings(cls, settings: Settings) -> SigningKeys:
        if not settings.share_link_secret:
            raise RuntimeError("this function's environment names no share-link keys")
        secrets = {
            key_id: secret.encode()
            for key_id, secret in settings.share_link_retired_secrets.items()
        }
        secrets[settings.share_link_key_id] = settings.share_link_secret.encode()
        for key_id in secrets:
            if not _KEY_ID.fullmatch(key_id):
                raise RuntimeError("share-link key IDs are 1 to 32 of [A-Za-z0-9_-]")
        return cls(current_id=settings.share_link_key_id, secrets=secrets)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    """Decode base64url without padding, accepting only its canonical spelling."""
    if not _B64URL.fullmatch(text):
        raise TokenRejected(Rejection.MALFORMED_TOKEN)
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise TokenRejected(Rejection.MALFORMED_TOKEN) from exc
    if _b64(data) != text:
        raise TokenRejected(Rejection.MALFORMED_TOKEN)
    return data


def _mac(secret: bytes, key_id: str, payload: str) -> bytes:
    return hmac.new(
        secret, _DOMAIN + f"{key_id}.{payload}".encode("ascii"), hashlib.sha256
    ).digest()


def sign(claims: LinkClaims, keys: SigningKeys) -> str:
    if claims.key_id != keys.current_id:
        raise ValueError("new tokens are signed with the current key only")
    body = {
        "e": claims.expires_at,
        "g": claims.product_id,
        "l": claims.link_id,
        "p": claims.partner_id,
        "v": VERSION,
    }
    payload = _b64(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())
    signature = _b64(_mac(keys.secrets[claims.key_id], claims.key_id, payload))
    return f"{claims.key_id}.{payload}.{signature}"


def _claims(key_id: str, payload: bytes) -> LinkClaims:
    try:
        body = json.loads(payload)
    except (UnicodeDecodeError, ValueError) as exc:
        raise TokenRejected(Rejection.MALFORMED_TOKEN) from exc
    if not isinstance(body, dict) or set(body) != {"e", "g", "l", "p", "v"}:
        raise TokenRejected(Rejection.MALFORMED_TOKEN)
    texts = (body["g"], body["l"], body["p"])
    if (
        body["v"] != VERSION
        or type(body["e"]) is not int
        or not all(isinstance(t, str) and t for t in texts)
    ):
        raise TokenRejected(Rejection.MALFORMED_TOKEN)
    return LinkClaims(
        partner_id=body["p"],
        product_id=body["g"],
        link_id=body["l"],
        expires_at=body["e"],
        key_id=key_id,
    )


def verify(token: str, keys: SigningKeys, now: datetime) -> LinkClaims:
    """The claims of a genuine, unexpired token; raises TokenRejected otherwise."""
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_LENGTH:
        raise TokenRejected(Rejection.MALFORMED_TOKEN)
    parts = token.split(".")
    if len(parts) != 3 or not _KEY_ID.fullmatch(parts[0]):
        raise TokenRejected(Rejection.MALFORMED_TOKEN)
    key_id, payload, signature = parts
    given = _unb64(signature)
    _unb64(payload)  # shape first: only then is it worth a MAC
    if len(given) != _SIGNATURE_BYTES:
        raise TokenRejected(Rejection.MALFORMED_TOKEN)
    secret = keys.secrets.get(key_id)
    if secret is None:
        raise TokenRejected(Rejection.UNKNOWN_KEY)
    if not hmac.compare_digest(_mac(secret, key_id, payload), given):
        raise TokenRejected(Rejection.BAD_SIGNATURE)
    claims = _claims(key_id, _unb64(payload))
    if now.timestamp() >= claims.expires_at:
        raise TokenRejected(Rejection.EXPIRED)
    return claims
