"""Keyset pagination for DynamoDB-backed Relay connections.

Cursors are opaque (base64 of a kind and a key), forward-only (`first`/`after`), and a
page holds at most 100 nodes: a larger `first` is refused, not silently cut.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from strawberry import relay

from partner_center.core.errors import BadInput

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20

N = TypeVar("N", bound=relay.Node)
# The area's own connection class (its edges, its extra fields), returned as itself.
C = TypeVar("C", bound=relay.Connection[Any])


@dataclass(frozen=True)
class PageRequest:
    size: int
    after: str | None


def page_request(first: int | None, after: str | None, kind: str) -> PageRequest:
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise BadInput(f"first must be between 1 and {MAX_PAGE_SIZE}", field="first")
    return PageRequest(size=size, after=decode_cursor(after, kind) if after else None)


def encode_cursor(kind: str, key: str) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{key}".encode()).decode()


def decode_cursor(cursor: str, kind: str) -> str:
    try:
        decoded = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise BadInput("after is not a cursor from this connection", field="after") from exc
    prefix, _, key = decoded.partition(":")
    if prefix != kind or not key:
        raise BadInput("after is not a cursor from this connection", field="after")
    return key


def build_connection(
    connection: type[C],
    nodes: Sequence[N],
    has_next: bool,
    kind: str,
    key: Callable[[N], str],
    after: str | None,
) -> C:
    edges = [relay.Edge(node=node, cursor=encode_cursor(kind, key(node))) for node in nodes]
    return connection(
        edges=edges,
        page_info=relay.PageInfo(
            has_next_page=has_next,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )
