"""A customers page's nested reads, asked for the whole page once it is read.

Each row's `manager` and `monthConsumption` are read through the request's DataLoaders,
in one batch whatever the page size (P1). Left to the rows, each of those fields is an
awaitable per row, and graphql-core completes a page of 100 through some 300 tasks. The
connection resolver instead asks the same loaders, with the fields' own keys (R2, R5),
for the page's rows it has just read: the same requests at the same point of the
request, after which the fields answer from the loaders' completed futures
(`api/core/loaders.py::loaded`) and the rows complete without awaiting.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable, Iterator
from typing import Any

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from partner_center.api.context import Info
from partner_center.api.customers.loaders import month_consumption_loader, month_key, user_loader
from partner_center.api.customers.types import CustomerNode
from partner_center.core.errors import ClientError


def _included(field: SelectedField) -> bool:
    skip, include = field.directives.get("skip"), field.directives.get("include")
    return not (skip and skip.get("if")) and not (include and not include.get("if", True))


def _fields(selections: Iterable[Selection]) -> Iterator[SelectedField]:
    """The fields of a selection set, through its fragments."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            if _included(selection):
                yield selection
        elif isinstance(selection, FragmentSpread | InlineFragment):
            yield from _fields(selection.selections)


def _row_fields(info: Info) -> list[SelectedField]:
    """What the query asks of each row: `customers { edges { node { … } } }`."""
    rows: list[SelectedField] = []
    for connection in info.selected_fields:
        for edges in _fields(connection.selections):
            if edges.name != "edges":
                continue
            for node in _fields(edges.selections):
                if node.name == "node":
                    rows.extend(_fields(node.selections))
    return rows


async def prefetch_rows(info: Info, nodes: list[CustomerNode]) -> None:
    """Ask the page's loaders for what its rows' fields will read."""
    asked = _row_fields(info)
    loads: list[Awaitable[Any]] = []
    managers = sorted({n.item.manager_id for n in nodes if n.item and n.item.manager_id})
    if managers and any(f.name == "manager" for f in asked):
        loads.append(user_loader(info).load_many(managers))
    for month in {f.arguments.get("month") for f in asked if f.name == "monthConsumption"}:
        try:
            keys = [month_key(info, n.customer_id, n.item, month) for n in nodes]
        except ClientError:
            continue  # a malformed month: each row's field refuses it, as before
        loads.append(month_consumption_loader(info).load_many(keys))
    if loads:
        # A read that fails leaves its failed futures in the loader: each row's field
        # then reports it, as when the rows asked for themselves.
        await asyncio.gather(*loads, return_exceptions=True)
