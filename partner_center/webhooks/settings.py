"""The webhook area's settings: the environment (PC_WEBHOOK_*) and the secret key.

Kept beside the area rather than in `config.Settings`: nothing else reads them, and the
tests shorten the retry schedule through the same variables the cloud would set. They
are derived from this process's current `config.Settings`, and built again whenever
those are (a warm container re-reads its secrets from SSM after PC_SECRETS_MAX_AGE), so
a rotated webhook secret key is the one new signing secrets are sealed with.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from partner_center.config import Settings, get_settings
from partner_center.secrets import WEBHOOK_SECRET_KEY_PARAMETER

# The retry schedule (docs/webhooks.md): the delay before attempt 2, 3, … after a failed
# attempt, each stretched or shrunk by up to JITTER. Eight attempts over about 27 hours.
DEFAULT_RETRY_SECONDS = (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
JITTER = 0.2
# A subscription is disabled when this many deliveries in a row have failed every attempt
# (with the default schedule: days of a receiver answering nothing but errors).
DEFAULT_DISABLE_AFTER = 5
MAX_SUBSCRIPTIONS = 10

# Only ever used outside production (like the local JWT secret).
DEVELOPMENT_SECRET_KEY = "partner-center-local-webhook-secret-key-not-for-production"
MIN_SECRET_KEY_LENGTH = 32


@dataclass(frozen=True)
class WebhookSettings:
    production: bool
    retry_seconds: tuple[int, ...] = DEFAULT_RETRY_SECONDS
    jitter: float = JITTER
    disable_after: int = DEFAULT_DISABLE_AFTER
    connect_timeout: float = 3.0
    read_timeout: float = 5.0
    secret_key: str = DEVELOPMENT_SECRET_KEY
    # Development only: http:// URLs to 127.0.0.1 (the `partner-center webhooks listen`
    # receiver). Production accepts https:// to public addresses and nothing else.
    allow_loopback: bool = True

    @property
    def max_attempts(self) -> int:
        return len(self.retry_seconds) + 1


def _secret_key(settings: Settings) -> str:
    # Read from SSM through the settings (PC_WEBHOOK_SECRET_KEY_PARAMETER, secrets.py);
    # PC_WEBHOOK_SECRET_KEY only outside production, where plain secrets are refused.
    production = settings.is_production
    key = settings.webhook_secret_key
    if not production:
        return key or DEVELOPMENT_SECRET_KEY
    if not key:
        raise RuntimeError(f"{WEBHOOK_SECRET_KEY_PARAMETER} must be set in production")
    if key == DEVELOPMENT_SECRET_KEY:
        raise RuntimeError("the development webhook secret key cannot be used in production")
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise RuntimeError(
            f"{WEBHOOK_SECRET_KEY_PARAMETER} must name a key of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters"
        )
    return key


def from_environ(settings: Settings | None = None) -> WebhookSettings:
    settings = settings or get_settings()
    production = settings.is_production
    raw = os.environ.get("PC_WEBHOOK_RETRY_SECONDS")
    retry = tuple(int(p) for p in raw.split(",") if p.strip()) if raw else DEFAULT_RETRY_SECONDS
    return WebhookSettings(
        production=production,
        retry_seconds=retry,
        jitter=float(os.environ.get("PC_WEBHOOK_JITTER", JITTER)),
        disable_after=int(os.environ.get("PC_WEBHOOK_DISABLE_AFTER", DEFAULT_DISABLE_AFTER)),
        connect_timeout=float(os.environ.get("PC_WEBHOOK_CONNECT_TIMEOUT", 3.0)),
        read_timeout=float(os.environ.get("PC_WEBHOOK_READ_TIMEOUT", 5.0)),
        secret_key=_secret_key(settings),
        allow_loopback=not production
        and os.environ.get("PC_WEBHOOK_ALLOW_LOOPBACK", "true").lower() != "false",
    )


class _Built:
    # The webhook settings, and the process settings they were derived from.
    source: Settings | None = None
    settings: WebhookSettings | None = None


def webhook_settings() -> WebhookSettings:
    """This process's webhook settings, rebuilt when its settings are (rotated secrets)."""
    current = get_settings()
    if _Built.settings is None or _Built.source is not current:
        _Built.settings, _Built.source = from_environ(current), current
    return _Built.settings


def _forget() -> None:
    _Built.source = _Built.settings = None


# The name the tests know from the lru_cache this used to be.
webhook_settings.cache_clear = _forget  # type: ignore[attr-defined]
