"""The connection DynamoDB transactions go through.

pynamodb's TransactWrite takes a Connection rather than a model. Every store writing
transactions needs one for the region and endpoint its models are bound to
(`registry.bind`), and one per process and endpoint serves them all, as a Lambda keeps
its clients between invocations: each new Connection builds a new botocore client,
which costs more than a transaction.
"""

from __future__ import annotations

import functools

from pynamodb.connection import Connection
from pynamodb.models import Model


@functools.cache
def _connection(region: str | None, host: str | None) -> Connection:
    connection = Connection(region=region, host=host, max_pool_connections=32)
    connection.client  # noqa: B018 - made now, before threads share it
    return connection


def transaction_connection(model: type[Model]) -> Connection:
    """The shared connection for `model`'s table, as currently bound."""
    return _connection(model.Meta.region, model.Meta.host)
