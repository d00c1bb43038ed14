"""Signing secrets: made here, shown once, kept encrypted.

A secret is `whsec_` and 32 random bytes in base64, the Standard Webhooks format. It
is returned by the create and rotate mutations only; what is stored is its AES-256-GCM
ciphertext under a key read from SSM like the account hash key
(PC_WEBHOOK_SECRET_KEY_PARAMETER, through the settings), bound to the partner and subscription as
associated data, so a ciphertext copied onto another subscription does not decrypt.
A table dump or an export of the table without the key signs nothing.
"""

from __future__ import annotations

import base64
import hashlib
import secrets as random

from partner_center.webhooks.settings import webhook_settings

PREFIX = "whsec_"
_NONCE = 12


def new_secret() -> str:
    return PREFIX + base64.b64encode(random.token_bytes(32)).decode()


def _aead():
    # Imported on first use: only the webhook worker and the webhook mutations need it.
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key = hashlib.sha256(webhook_settings().secret_key.encode()).digest()
    return AESGCM(key)


def _bound_to(partner_id: str, subscription_id: str) -> bytes:
    return f"{partner_id}#{subscription_id}".encode()


def seal(secret: str, partner_id: str, subscription_id: str) -> str:
    nonce = random.token_bytes(_NONCE)
    sealed = _aead().encrypt(nonce, secret.encode(), _bound_to(partner_id, subscription_id))
    return "v1:" + base64.b64encode(nonce + sealed).decode()


def unseal(ciphertext: str, partner_id: str, subscription_id: str) -> str:
    version, _, body = ciphertext.partition(":")
    if version != "v1":
        raise ValueError("unknown secret ciphertext version")
    raw = base64.b64decode(body)
    return (
        _aead().decrypt(raw[:_NONCE], raw[_NONCE:], _bound_to(partner_id, subscription_id)).decode()
    )
