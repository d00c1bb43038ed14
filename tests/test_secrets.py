"""Secrets come from SSM Parameter Store by name, through the same code path everywhere.

The local runtime wrote the development secrets into the embedded AWS's SSM; these tests
also write production-like ones there, then read them through `get_settings()` as a
Lambda container does: at start, again after their max age (rotation without a deploy),
keeping the last good values when a re-read fails, and stopping the start with one line
naming a parameter that cannot be read.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from partner_center import config, secrets
from partner_center.api.http import PartnerCenterGraphQL
from partner_center.api.schema import schema
from partner_center.config import get_settings, reload_settings
from partner_center.local.environment import LocalEnvironment
from partner_center.local.ssm import parameter_names
from partner_center.marketplace import tokens

ROOT = Path(__file__).resolve().parents[1]
STAGE = "secrets-test"
JWT = "j" * 48
HASH_KEY = "h" * 48
LINK_KEY = "k" * 48
WEBHOOK_KEY = "w" * 48


@pytest.fixture
def ssm(local_env: LocalEnvironment) -> Any:
    return boto3.client("ssm", endpoint_url=local_env.aws.endpoint_url, region_name="us-east-1")


@pytest.fixture
def production(ssm: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A production configuration whose secrets live in the embedded SSM."""
    names = parameter_names(STAGE)
    ssm.put_parameter(
        Name=names[secrets.JWT_SECRET_PARAMETER], Value=JWT, Type="SecureString", Overwrite=True
    )
    ssm.put_parameter(
        Name=names[secrets.ACCOUNT_HASH_KEY_PARAMETER],
        Value=HASH_KEY,
        Type="SecureString",
        Overwrite=True,
    )
    ssm.put_parameter(
        Name=names[secrets.WEBHOOK_SECRET_KEY_PARAMETER],
        Value=WEBHOOK_KEY,
        Type="SecureString",
        Overwrite=True,
    )
    ssm.put_parameter(
        Name=f"{names[secrets.SHARE_LINK_KEYS_PATH]}/2026a",
        Value=LINK_KEY,
        Type="SecureString",
        Overwrite=True,
    )
    ssm.put_parameter(
        Name=names[secrets.SHARE_LINK_KEY_ID_PARAMETER],
        Value="2026a",
        Type="String",
        Overwrite=True,
    )
    for name, value in names.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PC_ENV", "production")
    monkeypatch.setenv(secrets.MAX_AGE, "300")
    yield names
    monkeypatch.undo()
    reload_settings()
    for page in ssm.get_paginator("get_parameters_by_path").paginate(
        Path=f"/partner-center/{STAGE}", Recursive=True
    ):
        for parameter in page["Parameters"]:
            ssm.delete_parameter(Name=parameter["Name"])


def _later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    now = secrets.time.time()
    monkeypatch.setattr(secrets.time, "time", lambda: now + seconds)


def test_local_runtime_reads_development_secrets_from_the_embedded_ssm(
    local_env: LocalEnvironment, ssm: Any
) -> None:
    names = parameter_names()
    # The environment names the parameters; it holds no secret value.
    assert local_env.env[secrets.JWT_SECRET_PARAMETER] == names[secrets.JWT_SECRET_PARAMETER]
    for value in local_env.env.values():
        assert value not in (
            config.DEVELOPMENT_JWT_SECRET,
            config.DEVELOPMENT_SHARE_LINK_SECRET,
            config.DEVELOPMENT_ACCOUNT_HASH_KEY,
        )
    stored = ssm.get_parameter(Name=names[secrets.JWT_SECRET_PARAMETER])["Parameter"]
    assert stored["Type"] == "SecureString"
    settings = get_settings()
    assert config._Loaded.secrets is not None, "settings were not read through SSM"
    assert config._Loaded.secrets.values["jwt_secret"] == config.DEVELOPMENT_JWT_SECRET
    assert settings.jwt_secret == config.DEVELOPMENT_JWT_SECRET
    assert settings.share_link_key_id == "local"
    assert settings.account_hash_key == config.DEVELOPMENT_ACCOUNT_HASH_KEY


def test_production_reads_every_secret_from_ssm(production: dict[str, str]) -> None:
    settings = reload_settings()
    assert settings.is_production
    assert settings.jwt_secret == JWT
    assert settings.account_hash_key == HASH_KEY
    assert settings.webhook_secret_key == WEBHOOK_KEY
    keys = tokens.SigningKeys.from_settings(settings)
    assert keys.current_id == "2026a" and keys.secrets == {"2026a": LINK_KEY.encode()}


def test_rotation_takes_effect_after_the_max_age_without_a_restart(
    production: dict[str, str], ssm: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = reload_settings()
    keys_path = production[secrets.SHARE_LINK_KEYS_PATH]
    # Share-link rotation: publish the new key, then switch the signing ID to it; the
    # old key stays under the path, so its links keep verifying.
    ssm.put_parameter(Name=f"{keys_path}/2026b", Value="n" * 48, Type="SecureString")
    ssm.put_parameter(
        Name=production[secrets.SHARE_LINK_KEY_ID_PARAMETER],
        Value="2026b",
        Type="String",
        Overwrite=True,
    )
    ssm.put_parameter(
        Name=production[secrets.JWT_SECRET_PARAMETER],
        Value="r" * 48,
        Type="SecureString",
        Overwrite=True,
    )
    assert get_settings() is before, "read again before the max age"
    _later(monkeypatch, 301)
    after = get_settings()
    assert after.jwt_secret == "r" * 48
    keys = tokens.SigningKeys.from_settings(after)
    assert keys.current_id == "2026b"
    assert set(keys.secrets) == {"2026a", "2026b"}
    # The API app kept the settings of its start-up; it sees the rotated ones.
    app = PartnerCenterGraphQL(before, schema)
    assert app.settings is after
    # Settings a caller built for itself stay its own.
    own = dataclasses.replace(before, env="development")
    assert PartnerCenterGraphQL(own, schema).settings is own


def test_a_failed_re_read_keeps_the_last_good_values(
    production: dict[str, str],
    ssm: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    before = reload_settings()
    ssm.delete_parameter(Name=production[secrets.JWT_SECRET_PARAMETER])
    _later(monkeypatch, 301)
    with caplog.at_level(logging.WARNING, logger="partner_center.secrets"):
        assert get_settings() is before
    (record,) = [r for r in caplog.records if r.name == "partner_center.secrets"]
    assert production[secrets.JWT_SECRET_PARAMETER] in record.getMessage()
    assert JWT not in record.getMessage()


def test_a_signing_key_id_without_its_key_is_not_taken(
    production: dict[str, str], ssm: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = reload_settings()
    ssm.put_parameter(
        Name=production[secrets.SHARE_LINK_KEY_ID_PARAMETER],
        Value="2030",
        Type="String",
        Overwrite=True,
    )
    _later(monkeypatch, 301)
    assert get_settings() is before


def _opens_with(key: str, ciphertext: str, partner_id: str, subscription_id: str) -> str:
    # AES-256-GCM under SHA-256 of `key`, the format webhooks/secret.py documents.
    import base64
    import hashlib

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    raw = base64.b64decode(ciphertext.removeprefix("v1:"))
    aead = AESGCM(hashlib.sha256(key.encode()).digest())
    return aead.decrypt(raw[:12], raw[12:], f"{partner_id}#{subscription_id}".encode()).decode()


def test_a_rotated_webhook_secret_key_seals_new_secrets_in_a_warm_container(
    production: dict[str, str], ssm: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cryptography.exceptions import InvalidTag

    from partner_center.webhooks import secret
    from partner_center.webhooks.settings import webhook_settings

    webhook_settings.cache_clear()
    reload_settings()
    assert webhook_settings().secret_key == WEBHOOK_KEY
    before = secret.seal("whsec_before", "P1", "S1")
    assert _opens_with(WEBHOOK_KEY, before, "P1", "S1") == "whsec_before"
    rotated = "v" * 48
    ssm.put_parameter(
        Name=production[secrets.WEBHOOK_SECRET_KEY_PARAMETER],
        Value=rotated,
        Type="SecureString",
        Overwrite=True,
    )
    assert webhook_settings().secret_key == WEBHOOK_KEY, "read again before the max age"
    _later(monkeypatch, 301)
    assert webhook_settings().secret_key == rotated
    after = secret.seal("whsec_after", "P1", "S1")
    assert _opens_with(rotated, after, "P1", "S1") == "whsec_after"
    assert secret.unseal(after, "P1", "S1") == "whsec_after"
    # As docs/deploy.md says: what the old key sealed no longer opens (rotate the
    # subscriptions' signing secrets after the key).
    with pytest.raises(InvalidTag):
        secret.unseal(before, "P1", "S1")
    webhook_settings.cache_clear()


def _cold_start(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # A fresh interpreter importing a handler, as Lambda's init does.
    return subprocess.run(
        [sys.executable, "-c", "import functions.export_dead_letter"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_missing_parameter_fails_the_cold_start_naming_it(
    production: dict[str, str], ssm: Any
) -> None:
    env = dict(os.environ)
    missing = f"/partner-center/{STAGE}/not-created"
    env[secrets.ACCOUNT_HASH_KEY_PARAMETER] = missing
    result = _cold_start(env)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last == (
        f"partner_center.secrets.SecretUnavailable: cannot read SSM parameter "
        f"{missing} (ParameterNotFound)"
    ), result.stderr[-2000:]
    for value in (JWT, LINK_KEY, HASH_KEY):
        assert value not in result.stderr and value not in result.stdout
    # And with every parameter there, the same start succeeds.
    assert _cold_start(dict(os.environ)).returncode == 0


def test_an_empty_key_path_fails_the_cold_start(production: dict[str, str]) -> None:
    env = dict(os.environ)
    env[secrets.SHARE_LINK_KEYS_PATH] = f"/partner-center/{STAGE}/no-keys-here"
    result = _cold_start(env)
    assert result.returncode != 0
    assert "no share-link key under SSM path" in result.stderr.strip().splitlines()[-1]


def test_a_worker_that_names_no_secret_starts_and_reads_none(
    production: dict[str, str],
) -> None:
    # serverless.yml names secrets only in the functions that use them (the API, the
    # webhook worker): a worker's cold start makes no SSM read at all.
    env = {k: v for k, v in os.environ.items() if k not in production}
    env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"  # nothing answers: a read would fail
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import functions.export_worker\n"
            "from partner_center.config import get_settings\n"
            "s = get_settings()\n"
            "print(repr((s.jwt_secret, s.account_hash_key, s.share_link_secret)))",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "('', '', '')"


def test_a_production_api_without_a_secret_it_uses_does_not_start(
    production: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from partner_center.api.app import create_app

    monkeypatch.delenv(secrets.ACCOUNT_HASH_KEY_PARAMETER)
    monkeypatch.setenv("PC_OIDC_ISSUER", "https://issuer.invalid/")
    monkeypatch.setenv("PC_OIDC_AUDIENCE", "partner-center-api")
    with pytest.raises(RuntimeError, match=f"^{secrets.ACCOUNT_HASH_KEY_PARAMETER} must be set"):
        create_app(reload_settings())


def test_code_that_would_use_a_secret_its_function_does_not_hold_refuses() -> None:
    from partner_center.finance import account_numbers

    worker = config.Settings(
        env="production", jwt_secret="", account_hash_key="", share_link_secret=""
    )
    with pytest.raises(RuntimeError, match="names no share-link keys"):
        tokens.SigningKeys.from_settings(worker)
    config._Loaded.settings = worker
    try:
        with pytest.raises(RuntimeError, match="names no account hash key"):
            account_numbers.fingerprint("ptn-sp-001", "6222021234567890")
    finally:
        reload_settings()


def test_only_the_functions_that_use_secrets_name_them() -> None:
    from partner_center.local import infra

    deployed = infra.load_cfn_yaml((ROOT / "serverless.yml").read_text(encoding="utf-8"))
    named = ("_PARAMETER", "_PATH")
    assert not [v for v in deployed["provider"]["environment"] if v.endswith(named)]
    by_function = {
        name: sorted(v for v in function.get("environment", {}) if v.endswith(named))
        for name, function in deployed["functions"].items()
    }
    assert by_function.pop("api") == sorted(
        [
            secrets.JWT_SECRET_PARAMETER,
            secrets.ACCOUNT_HASH_KEY_PARAMETER,
            secrets.SHARE_LINK_KEYS_PATH,
            secrets.SHARE_LINK_KEY_ID_PARAMETER,
            secrets.WEBHOOK_SECRET_KEY_PARAMETER,
        ]
    )
    assert by_function.pop("webhookWorker") == [secrets.WEBHOOK_SECRET_KEY_PARAMETER]
    assert all(not names for names in by_function.values()), by_function
