"""Runtime settings, read once from the environment, with secrets from SSM.

The same variables are set by `serverless.yml` in the cloud and by the local runtime
(`partner_center.local`) after it deploys `infra/` into the embedded AWS, so the code
never needs to know where it runs. Secrets are not in the environment: it names their
SSM parameters, which `partner_center.secrets` reads (at cold start, and again after
their max age, so `get_settings()` picks up a rotated value without a deploy).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from partner_center import secrets

# The local signing secret: only ever accepted when PC_ENV is "development".
DEVELOPMENT_JWT_SECRET = "partner-center-local-development-secret-not-for-production"

# The local key of marketplace share-link tokens: only ever accepted in development.
# Separate from the JWT secret, so neither key can mint what the other verifies.
DEVELOPMENT_SHARE_LINK_SECRET = "partner-center-local-share-link-secret-not-for-production"
MIN_SHARE_LINK_SECRET_LENGTH = 32

# The key of the bank-account hash outside production (finance/account_numbers.py).
DEVELOPMENT_ACCOUNT_HASH_KEY = "partner-center-local-account-hash-key-not-for-production"

# Plain-text secret variables: development only. Production reads its secrets from SSM.
_PLAIN_SECRETS = (
    "PC_JWT_SECRET",
    "PC_SHARE_LINK_SECRET",
    "PC_SHARE_LINK_RETIRED_SECRETS",
    "PC_ACCOUNT_HASH_KEY",
    "PC_WEBHOOK_SECRET_KEY",
)

# A presigned download link must not outlive 15 minutes (issue #2).
MAX_DOWNLOAD_URL_SECONDS = 900


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    region: str = "us-east-1"
    aws_endpoint_url: str | None = None
    # Table and queue names by key ("jobs", "export"), from PC_<KEY>_TABLE and
    # PC_<KEY>_QUEUE_URL: every area adds its own without touching this module.
    tables: dict[str, str] = field(default_factory=dict)
    queues: dict[str, str] = field(default_factory=dict)
    exports_bucket: str = "partner-center-exports"
    export_max_receives: int = 3
    jwt_secret: str = DEVELOPMENT_JWT_SECRET
    jwt_algorithm: str = "HS256"
    jwt_issuer: str = "partner-center-local"
    jwt_audience: str = "partner-center-api"
    # A claimed job whose worker vanished can be reclaimed after this long. It must not
    # exceed the queue's visibility timeout, or a redelivered message would find the
    # lease still held and give up.
    job_lease_seconds: int = 300
    download_url_seconds: int = MAX_DOWNLOAD_URL_SECONDS
    # Finished jobs (and their idempotency keys) are kept this long, then expire.
    job_retention_days: int = 30
    multipart_part_bytes: int = 8 * 1024 * 1024
    log_level: str = "INFO"
    # Portal origins allowed to call the API from a browser (CORS).
    cors_origins: tuple[str, ...] = ()
    # Marketplace share links (R8): the key that signs new tokens, its ID (carried in the
    # token), and retired keys still accepted while their links live (key rotation).
    share_link_secret: str = DEVELOPMENT_SHARE_LINK_SECRET
    share_link_key_id: str = "local"
    share_link_retired_secrets: dict[str, str] = field(default_factory=dict)
    storefront_url: str = "https://marketplace.example.com"
    # Keys the hash by which a payer bank account is recognised (the number is never kept).
    account_hash_key: str = DEVELOPMENT_ACCOUNT_HASH_KEY
    # The key webhook signing secrets are encrypted under (checked by the webhooks area).
    webhook_secret_key: str = ""
    # The identity provider whose access tokens the API accepts (docs/identity.md). Outside
    # development it is required: the HS256 secret above signs local tokens only.
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = None  # else discovered from the issuer
    # The claims naming the partner, the user and the role (the IdP's custom claims).
    oidc_partner_claim: str = "partner_id"
    oidc_user_claim: str = "sub"
    oidc_role_claim: str = "role"

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def table(self, key: str) -> str:
        return self.tables.get(key, f"partner-center-{key.replace('_', '-')}")

    def queue_url(self, key: str) -> str:
        try:
            return self.queues[key]
        except KeyError:
            raise RuntimeError(f"PC_{key.upper()}_QUEUE_URL is not set") from None


def _named(suffix: str) -> dict[str, str]:
    """{"export": url} from PC_EXPORT_QUEUE_URL=url, for suffix "_QUEUE_URL"."""
    found = {}
    for name, value in os.environ.items():
        if name.startswith("PC_") and name.endswith(suffix) and value:
            found[name[3 : -len(suffix)].lower()] = value
    return found


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def _retired_secrets(raw: str) -> dict[str, str]:
    """PC_SHARE_LINK_RETIRED_SECRETS="k1=secret,k0=secret": keys that only verify."""
    found = {}
    for entry in filter(None, (part.strip() for part in raw.split(","))):
        key_id, sep, secret = entry.partition("=")
        if not sep or not key_id or not secret:
            raise RuntimeError("PC_SHARE_LINK_RETIRED_SECRETS must be key_id=secret pairs")
        found[key_id] = secret
    return found


def _check_share_link_secret(env: str, secret: str, jwt_secret: str) -> str:
    if env != "production":
        return secret or DEVELOPMENT_SHARE_LINK_SECRET
    if not secret:
        raise RuntimeError("PC_SHARE_LINK_SECRET must be set in production")
    if secret == DEVELOPMENT_SHARE_LINK_SECRET:
        raise RuntimeError("the local share-link secret cannot sign production links")
    if secret == jwt_secret:
        raise RuntimeError("PC_SHARE_LINK_SECRET must differ from PC_JWT_SECRET")
    if len(secret) < MIN_SHARE_LINK_SECRET_LENGTH:
        raise RuntimeError(
            f"PC_SHARE_LINK_SECRET must be at least {MIN_SHARE_LINK_SECRET_LENGTH} characters"
        )
    return secret


def _share_links(stored: dict[str, Any]) -> tuple[str, str, dict[str, str]]:
    """(key ID, signing secret, retired keys), from SSM when it names them, else env."""
    keys = stored.get("share_link_keys")
    if keys is None:
        return (
            os.environ.get("PC_SHARE_LINK_KEY_ID") or Settings.share_link_key_id,
            os.environ.get("PC_SHARE_LINK_SECRET") or "",
            _retired_secrets(os.environ.get("PC_SHARE_LINK_RETIRED_SECRETS", "")),
        )
    key_id = stored.get("share_link_key_id")
    if not key_id:
        raise secrets.SecretUnavailable(
            f"{secrets.SHARE_LINK_KEY_ID_PARAMETER} must name the parameter that holds the "
            "ID of the signing share-link key"
        )
    if key_id not in keys:
        raise secrets.SecretUnavailable(
            f"the signing share-link key {key_id!r} is not under "
            f"{os.environ.get(secrets.SHARE_LINK_KEYS_PATH)}/"
        )
    retired = {k: v for k, v in keys.items() if k != key_id}
    return key_id, keys[key_id], retired


def _refuse_plain_secrets(env: str) -> None:
    if env != "production":
        return
    for name in _PLAIN_SECRETS:
        if os.environ.get(name):
            raise RuntimeError(
                f"{name} must not be set in production: the functions read "
                "their secrets from SSM (see docs/deploy.md)"
            )


def from_environ(stored: dict[str, Any] | None = None) -> Settings:
    """Settings from the environment; `stored` holds what was read from SSM."""
    stored = stored or {}
    env = os.environ.get("PC_ENV", "development")
    _refuse_plain_secrets(env)
    production = env == "production"
    # In production a function holds only the secrets its environment names (the API
    # names every one, a worker none or the one it uses: serverless.yml), each checked
    # here; one it does not name stays empty, and `require_secrets` or the code that would
    # use it refuses. Outside production, what is not named is the development value.
    secret = stored.get("jwt_secret") or os.environ.get("PC_JWT_SECRET") or ""
    if production and secret == DEVELOPMENT_JWT_SECRET:
        raise RuntimeError("the local development secret cannot sign production tokens")
    if not secret and not production:
        secret = DEVELOPMENT_JWT_SECRET
    hash_key = stored.get("account_hash_key") or os.environ.get("PC_ACCOUNT_HASH_KEY") or ""
    if production and hash_key == DEVELOPMENT_ACCOUNT_HASH_KEY:
        raise RuntimeError("the development account hash key cannot be used in production")
    if not hash_key and not production:
        hash_key = DEVELOPMENT_ACCOUNT_HASH_KEY
    retired: dict[str, str]
    if production and stored.get("share_link_keys") is None:
        share_link_key_id, share_link_secret, retired = "", "", {}
    else:
        share_link_key_id, share_link_secret, retired = _share_links(stored)
        share_link_secret = _check_share_link_secret(env, share_link_secret, secret)
    download = min(
        _int("PC_DOWNLOAD_URL_SECONDS", MAX_DOWNLOAD_URL_SECONDS), MAX_DOWNLOAD_URL_SECONDS
    )
    defaults = Settings()
    return Settings(
        env=env,
        region=_region() or defaults.region,
        aws_endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None,
        tables=_named("_TABLE"),
        queues=_named("_QUEUE_URL"),
        exports_bucket=os.environ.get("PC_EXPORTS_BUCKET", defaults.exports_bucket),
        export_max_receives=_int("PC_EXPORT_MAX_RECEIVES", defaults.export_max_receives),
        jwt_secret=secret,
        jwt_algorithm=os.environ.get("PC_JWT_ALGORITHM", defaults.jwt_algorithm),
        jwt_issuer=os.environ.get("PC_JWT_ISSUER", defaults.jwt_issuer),
        jwt_audience=os.environ.get("PC_JWT_AUDIENCE", defaults.jwt_audience),
        job_lease_seconds=_int("PC_JOB_LEASE_SECONDS", defaults.job_lease_seconds),
        download_url_seconds=download,
        job_retention_days=_int("PC_JOB_RETENTION_DAYS", defaults.job_retention_days),
        multipart_part_bytes=max(
            _int("PC_MULTIPART_PART_BYTES", defaults.multipart_part_bytes), 5 * 1024 * 1024
        ),
        log_level=os.environ.get("PC_LOG_LEVEL", defaults.log_level),
        cors_origins=tuple(
            o.strip() for o in os.environ.get("PC_CORS_ORIGINS", "").split(",") if o.strip()
        ),
        share_link_secret=share_link_secret,
        share_link_key_id=share_link_key_id,
        share_link_retired_secrets=retired,
        storefront_url=os.environ.get("PC_STOREFRONT_URL") or defaults.storefront_url,
        account_hash_key=hash_key,
        webhook_secret_key=(
            stored.get("webhook_secret_key") or os.environ.get("PC_WEBHOOK_SECRET_KEY") or ""
        ),
        oidc_issuer=os.environ.get("PC_OIDC_ISSUER") or None,
        oidc_audience=os.environ.get("PC_OIDC_AUDIENCE") or None,
        oidc_jwks_url=os.environ.get("PC_OIDC_JWKS_URL") or None,
        oidc_partner_claim=os.environ.get("PC_OIDC_PARTNER_CLAIM") or defaults.oidc_partner_claim,
        oidc_user_claim=os.environ.get("PC_OIDC_USER_CLAIM") or defaults.oidc_user_claim,
        oidc_role_claim=os.environ.get("PC_OIDC_ROLE_CLAIM") or defaults.oidc_role_claim,
    )


# The secrets the API needs, by the Settings field each fills, and the variable naming
# its parameter: a production API without one of them does not start.
API_SECRETS = {
    "jwt_secret": secrets.JWT_SECRET_PARAMETER,
    "account_hash_key": secrets.ACCOUNT_HASH_KEY_PARAMETER,
    "share_link_secret": secrets.SHARE_LINK_KEYS_PATH,
}


def require_secrets(settings: Settings, fields: Mapping[str, str] = API_SECRETS) -> None:
    """Refuse to start, naming the variable, when a production function lacks a secret it
    uses (outside production every secret has its development value)."""
    if not settings.is_production:
        return
    for name, variable in fields.items():
        if not getattr(settings, name):
            raise RuntimeError(f"{variable} must be set in production")


def _region() -> str | None:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")


class _Loaded:
    """The settings of this process, and the secret cache they were built from."""

    settings: Settings | None = None
    secrets: secrets.SecretCache | None = None
    # Versions replaced after a re-read: `current` recognises them.
    earlier: list[Settings] = []  # noqa: RUF012 - one list per process, on purpose


def _load() -> Settings:
    names = secrets.SecretNames.from_environ()
    _Loaded.secrets = None
    if names:
        reader = secrets.SecretReader(
            names, region=_region(), endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None
        )
        _Loaded.secrets = secrets.SecretCache(reader)
    return from_environ(_Loaded.secrets.values if _Loaded.secrets else None)


def get_settings() -> Settings:
    """This process's settings: built once, rebuilt when its secrets have been re-read
    with new values (after PC_SECRETS_MAX_AGE seconds)."""
    cache = _Loaded.secrets
    if _Loaded.settings is None:
        _Loaded.settings = _load()
    elif cache is not None and cache.stale() and cache.refresh():
        try:
            fresh = from_environ(cache.values)
            _Loaded.earlier = [*_Loaded.earlier[-3:], _Loaded.settings]
            _Loaded.settings = fresh
        except RuntimeError as exc:  # e.g. the signing key ID names no key yet
            secrets.log.warning("keeping the settings built before: %s", exc)
    return _Loaded.settings


def current(settings: Settings) -> Settings:
    """The latest settings if `settings` is this process's (or an earlier version of
    them), else `settings` as given: code that kept its settings from start-up (the API
    app) sees rotated secrets, and settings a caller built itself stay its own."""
    if settings is _Loaded.settings or any(settings is s for s in _Loaded.earlier):
        return get_settings()
    return settings


def _forget() -> None:
    _Loaded.settings = None
    _Loaded.secrets = None
    _Loaded.earlier = []


# The name callers (and tests) know from the lru_cache this used to be.
get_settings.cache_clear = _forget  # type: ignore[attr-defined]


def reload_settings() -> Settings:
    """Forget the cached settings (the local runtime sets the environment after start-up)."""
    _forget()
    return get_settings()
