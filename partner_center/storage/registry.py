"""Which pynamodb model lives in which table, bound to real names at start-up.

Table names come from the deployed stack (PC_<KEY>_TABLE), so they are only known at
run time. Each area registers its models under a key; `bind` points them all at the
configured tables and endpoint.
"""

from __future__ import annotations

from pynamodb.models import Model

from partner_center.config import Settings

_REGISTERED: dict[type[Model], str] = {}


def register(model: type[Model], key: str) -> type[Model]:
    _REGISTERED[model] = key
    return model


def registered() -> dict[type[Model], str]:
    return dict(_REGISTERED)


def bind(settings: Settings) -> None:
    for model, key in _REGISTERED.items():
        model.Meta.table_name = settings.table(key)
        model.Meta.region = settings.region
        model.Meta.host = settings.aws_endpoint_url
        model.Meta.max_pool_connections = 32
        model._connection = None  # the next call connects to the new endpoint
