"""The deployment's secrets, read from SSM Parameter Store by name.

The environment carries only parameter NAMES (serverless.yml sets them; the local
runtime sets the same ones for the embedded AWS): the values never sit in a template, a
function's configuration or a log. A container reads them once at cold start, with
decryption, through aws-lambda-powertools' SSM provider, and reads them again once they
are older than `PC_SECRETS_MAX_AGE` seconds, so a rotated value takes effect without a
deploy. A parameter that cannot be read at cold start stops the start with one error
naming the parameter (never a value); one that cannot be re-read later leaves the last
good value in place and logs a warning.

| variable | parameter |
| --- | --- |
| `PC_JWT_SECRET_PARAMETER` | SecureString: the HS256 token key |
| `PC_ACCOUNT_HASH_KEY_PARAMETER` | SecureString: the key of the bank-account hash |
| `PC_WEBHOOK_SECRET_KEY_PARAMETER` | SecureString: encrypts webhook signing secrets |
| `PC_SHARE_LINK_KEYS_PATH` | a path: one SecureString per share-link key, named by its key ID |
| `PC_SHARE_LINK_KEY_ID_PARAMETER` | String: the ID of the key (under that path) that signs |
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

JWT_SECRET_PARAMETER = "PC_JWT_SECRET_PARAMETER"
ACCOUNT_HASH_KEY_PARAMETER = "PC_ACCOUNT_HASH_KEY_PARAMETER"
WEBHOOK_SECRET_KEY_PARAMETER = "PC_WEBHOOK_SECRET_KEY_PARAMETER"
SHARE_LINK_KEY_ID_PARAMETER = "PC_SHARE_LINK_KEY_ID_PARAMETER"
SHARE_LINK_KEYS_PATH = "PC_SHARE_LINK_KEYS_PATH"
MAX_AGE = "PC_SECRETS_MAX_AGE"
DEFAULT_MAX_AGE_SECONDS = 300
# After a failed re-read, wait this long before asking SSM again.
RETRY_SECONDS = 30

# Single parameters, by the Settings field they fill.
_SINGLE = {
    "jwt_secret": JWT_SECRET_PARAMETER,
    "account_hash_key": ACCOUNT_HASH_KEY_PARAMETER,
    "webhook_secret_key": WEBHOOK_SECRET_KEY_PARAMETER,
    "share_link_key_id": SHARE_LINK_KEY_ID_PARAMETER,
}


class SecretUnavailable(RuntimeError):
    """A configured parameter could not be read. The message names it, never a value."""


@dataclass(frozen=True)
class SecretNames:
    """Which parameters this container reads (from the environment)."""

    single: dict[str, str] = field(default_factory=dict)  # Settings field -> name
    share_link_keys_path: str | None = None
    max_age: int = DEFAULT_MAX_AGE_SECONDS

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> SecretNames:
        raw_age = environ.get(MAX_AGE) or ""
        return cls(
            single={f: environ[var] for f, var in _SINGLE.items() if environ.get(var)},
            share_link_keys_path=(environ.get(SHARE_LINK_KEYS_PATH) or "").rstrip("/") or None,
            max_age=int(raw_age) if raw_age else DEFAULT_MAX_AGE_SECONDS,
        )

    def __bool__(self) -> bool:
        return bool(self.single or self.share_link_keys_path)


def _reason(error: BaseException) -> str:
    # botocore's ClientError carries a code; its message names the parameter or the
    # role, never a parameter's value (we never have one when a read fails).
    error = error.__cause__ or error.__context__ or error
    response = getattr(error, "response", None) or {}
    code = response.get("Error", {}).get("Code")
    return code or type(error).__name__


class SecretReader:
    """Reads the named parameters through powertools' SSM provider (cached, max_age)."""

    def __init__(self, names: SecretNames, *, region: str | None, endpoint_url: str | None) -> None:
        self.names = names
        self._region, self._endpoint_url = region, endpoint_url
        self._provider: Any = None

    def _ssm(self) -> Any:
        if self._provider is None:
            import boto3
            from aws_lambda_powertools.utilities.parameters import SSMProvider

            client = boto3.client("ssm", region_name=self._region, endpoint_url=self._endpoint_url)
            self._provider = SSMProvider(boto3_client=client)
        return self._provider

    def read(self, *, force: bool = False) -> dict[str, Any]:
        """{"jwt_secret": ..., "share_link_keys": {id: secret}, ...}; SecretUnavailable
        naming the first parameter that could not be read."""
        values: dict[str, Any] = {}
        provider = self._ssm()
        max_age = 0 if force else self.names.max_age
        # One GetParameters call for all of them (powertools batches by ten), not one
        # round trip each: a cold start waits for every call.
        wanted: dict[str, dict[str, Any]] = {name: {} for name in self.names.single.values()}
        if force:
            # It has no force_fetch (and takes a max_age of 0 for its default of 5 s).
            provider.clear_cache()
        try:
            got = (
                provider.get_parameters_by_name(
                    wanted, decrypt=True, max_age=max_age, raise_on_error=False
                )
                if wanted
                else {}
            )
        except Exception as exc:
            raise SecretUnavailable(
                f"cannot read SSM parameters {', '.join(wanted)} ({_reason(exc)})"
            ) from None
        for field_name, name in self.names.single.items():
            if name in got.get("_errors", ()):
                # GetParameters names what it could not find among its InvalidParameters.
                raise SecretUnavailable(f"cannot read SSM parameter {name} (ParameterNotFound)")
            value = got.get(name)
            if not value:
                raise SecretUnavailable(f"SSM parameter {name} is empty")
            values[field_name] = value
        path = self.names.share_link_keys_path
        if path:
            try:
                keys = provider.get_multiple(
                    path, decrypt=True, recursive=False, max_age=max_age, force_fetch=force
                )
            except Exception as exc:
                raise SecretUnavailable(
                    f"cannot read SSM parameters under {path}/ ({_reason(exc)})"
                ) from None
            if not keys:
                raise SecretUnavailable(f"no share-link key under SSM path {path}/")
            values["share_link_keys"] = {k.lstrip("/"): v for k, v in keys.items()}
        return values


class SecretCache:
    """The last good values and when they were read (wall clock: a restored snapshot
    must see its values as old as they are)."""

    def __init__(self, reader: SecretReader) -> None:
        self.reader = reader
        self.values = reader.read()
        self.read_at = time.time()
        self._next_try = 0.0

    def stale(self) -> bool:
        now = time.time()
        return now - self.read_at >= self.reader.names.max_age and now >= self._next_try

    def refresh(self) -> bool:
        """Re-read; on failure keep the last values and warn. True if values changed."""
        try:
            values = self.reader.read(force=True)
        except SecretUnavailable as exc:
            self._next_try = time.time() + RETRY_SECONDS
            log.warning("keeping the secrets read before: %s", exc)
            return False
        changed = values != self.values
        self.values, self.read_at = values, time.time()
        return changed
