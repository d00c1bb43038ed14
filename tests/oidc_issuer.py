"""A real OpenID Connect issuer on 127.0.0.1 for tests: discovery and JWKS over HTTP.

It serves `/.well-known/openid-configuration` and `/jwks.json` from a thread
(`http.server`), holds generated RSA and EC key pairs, signs access tokens with them,
rotates keys and counts the requests it answers, so tests can see the API's cache and
its refetch on an unknown key ID.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

AUDIENCE = "partner-center-api"


@dataclass
class SigningKey:
    kid: str
    alg: str
    private: Any

    @property
    def public_jwk(self) -> dict[str, Any]:
        algorithm = RSAAlgorithm if self.alg == "RS256" else ECAlgorithm
        jwk = algorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "use": "sig", "alg": self.alg}


def new_key(alg: str = "RS256") -> SigningKey:
    private: Any
    if alg == "RS256":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        private = ec.generate_private_key(ec.SECP256R1())
    return SigningKey(kid=f"{alg.lower()}-{uuid.uuid4().hex[:8]}", alg=alg, private=private)


@dataclass
class Issuer:
    server: ThreadingHTTPServer
    published: list[SigningKey] = field(default_factory=list)
    requests: Counter[str] = field(default_factory=Counter)
    available: bool = True

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def issuer(self) -> str:
        return f"{self.url}/issuer"

    def key(self, alg: str = "RS256") -> SigningKey:
        return next(k for k in self.published if k.alg == alg)

    def rotate(self, alg: str = "RS256") -> SigningKey:
        """Publishes a new key of `alg` in place of the old one."""
        fresh = new_key(alg)
        self.published = [k for k in self.published if k.alg != alg] + [fresh]
        return fresh

    def token(self, key: SigningKey | None = None, *, lifetime: int = 600, **claims: Any) -> str:
        key = key or self.key()
        now = int(time.time())
        body = {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            **claims,
        }
        body = {name: value for name, value in body.items() if value is not None}
        return jwt.encode(body, key.private, algorithm=key.alg, headers={"kid": key.kid})

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start() -> Issuer:
    issuer: Issuer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            issuer.requests[self.path] += 1
            if not issuer.available:
                self.send_error(503)
                return
            if self.path == "/issuer/.well-known/openid-configuration":
                body: dict[str, Any] = {
                    "issuer": issuer.issuer,
                    "jwks_uri": f"{issuer.url}/jwks.json",
                    "id_token_signing_alg_values_supported": ["RS256", "ES256"],
                }
            elif self.path == "/jwks.json":
                body = {"keys": [k.public_jwk for k in issuer.published]}
            else:
                self.send_error(404)
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    issuer = Issuer(server, published=[new_key("RS256"), new_key("ES256")])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return issuer
