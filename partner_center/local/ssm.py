"""The development secrets, put into the embedded AWS's Parameter Store.

The local runtime reads its secrets the way the cloud does (`partner_center.secrets`:
SSM SecureStrings, named by the environment), so the same code path runs on a laptop,
in the tests and in Lambda. Only the development values go here; production refuses
every one of them.
"""

from __future__ import annotations

from typing import Any, Literal

import boto3

from partner_center import config, secrets
from partner_center.webhooks import settings as webhook_settings

# The stage segment of the local parameter names (the cloud's is the Serverless stage).
STAGE = "local"
SHARE_LINK_KEY_ID = "local"


def parameter_names(stage: str = STAGE) -> dict[str, str]:
    """The environment that names the parameters, as serverless.yml sets it."""
    root = f"/partner-center/{stage}"
    return {
        secrets.JWT_SECRET_PARAMETER: f"{root}/jwt-secret",
        secrets.SHARE_LINK_KEYS_PATH: f"{root}/share-link-keys",
        secrets.SHARE_LINK_KEY_ID_PARAMETER: f"{root}/share-link-key-id",
        secrets.ACCOUNT_HASH_KEY_PARAMETER: f"{root}/account-hash-key",
        secrets.WEBHOOK_SECRET_KEY_PARAMETER: f"{root}/webhook-secret-key",
    }


def put_development_secrets(
    endpoint_url: str, region: str, stage: str = STAGE, client: Any = None
) -> dict[str, str]:
    """Write the development secrets (idempotent) and return the environment naming them."""
    ssm = client or boto3.client("ssm", endpoint_url=endpoint_url, region_name=region)
    names = parameter_names(stage)
    values: list[tuple[str, str, Literal["String", "SecureString"]]] = [
        (names[secrets.JWT_SECRET_PARAMETER], config.DEVELOPMENT_JWT_SECRET, "SecureString"),
        (
            names[secrets.ACCOUNT_HASH_KEY_PARAMETER],
            config.DEVELOPMENT_ACCOUNT_HASH_KEY,
            "SecureString",
        ),
        (
            names[secrets.WEBHOOK_SECRET_KEY_PARAMETER],
            webhook_settings.DEVELOPMENT_SECRET_KEY,
            "SecureString",
        ),
        (
            f"{names[secrets.SHARE_LINK_KEYS_PATH]}/{SHARE_LINK_KEY_ID}",
            config.DEVELOPMENT_SHARE_LINK_SECRET,
            "SecureString",
        ),
        # The key ID is carried in every link: not a secret.
        (names[secrets.SHARE_LINK_KEY_ID_PARAMETER], SHARE_LINK_KEY_ID, "String"),
    ]
    for name, value, kind in values:
        ssm.put_parameter(Name=name, Value=value, Type=kind, Overwrite=True)
    return names
