"""Relay nodes read through the request's loaders: one `resolve_nodes` for every area."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from strawberry.dataloader import DataLoader

from partner_center.api.context import Info
from partner_center.api.core.loaders import nodes_of, same_key


class LoadedNode:
    """Base (before `relay.Node`) of a node type whose records a request loader reads:
    `node`/`nodes` answer through `nodes_of`, in order, in one batch, null for an ID
    that does not decode, a record that does not exist, or a caller the loader refuses.

    A type names its loader (`node_loader`), how its node ID becomes the loader's key
    (`loader_key`, default: the ID itself) and, when a record's node is not `of(record)`,
    overrides `node_of`."""

    node_loader: ClassVar[Callable[[Info], DataLoader[Any, Any]]]
    loader_key: ClassVar[Callable[[str], Any]] = same_key

    @classmethod
    def node_of(cls, record: Any) -> Any:
        make: Callable[[Any], Any] = cls.of  # type: ignore[attr-defined]
        return make(record)

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        return await nodes_of(cls.node_loader(info), node_ids, cls.node_of, cls.loader_key)
