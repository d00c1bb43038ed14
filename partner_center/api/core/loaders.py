"""Per-request DataLoaders: the nested fields of a page batch their reads.

A field resolver asks `info.context.loaders.get(name, load_fn)` for the request's loader
of that name (made on first use) and awaits `.load(key)`; every load of one tick goes to
`load_fn` as one list, which reads them in one batch (BatchGetItem, or one query per
partner). A page of 100 then costs the same number of DynamoDB requests as a page of 10.
Loaders live for one request only, so nothing cached outlives the caller's permissions.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from partner_center.core.errors import Forbidden

LoadFn = Callable[[list[Any]], Awaitable[Sequence[Any]]]
K = TypeVar("K")
V = TypeVar("V")
N = TypeVar("N")


class Loaders:
    def __init__(self) -> None:
        self._made: dict[str, DataLoader[Any, Any]] = {}

    def get(self, name: str, load_fn: LoadFn) -> DataLoader[Any, Any]:
        """The request's loader called `name`; `load_fn` is used when it is first made
        (it may close over the caller, which is the same for the whole request)."""
        loader = self._made.get(name)
        if loader is None:
            loader = self._made[name] = DataLoader(load_fn=load_fn)
        return loader

    def __contains__(self, name: Hashable) -> bool:
        return name in self._made


def loaded(loader: DataLoader[K, V], key: K) -> V | Awaitable[V]:
    """The loader's value for `key` when its read is already done (a page prefetched it),
    else the awaitable load: a row whose field answers a value completes without a task."""
    future = loader.cache_map.get(key)
    if future is None or not future.done() or future.cancelled() or future.exception():
        return loader.load(key)
    return future.result()


def same_key(node_id: str) -> Any:
    """A node ID that is its loader's key as it stands."""
    return node_id


async def nodes_of(
    loader: DataLoader[K, V | None],
    node_ids: Iterable[str],
    make: Callable[[V], N],
    key: Callable[[str], K | None] = same_key,
) -> list[N | None]:
    """What a type's `resolve_nodes` answers for `node`/`nodes`: the node of each ID, in
    order, read in one batch. Null for an ID that does not decode to a key (`key` returns
    None), for a record that does not exist, and for every ID when the loader refuses
    the caller (Forbidden): `node` never tells that someone else's ID exists (R2)."""
    keys = [key(node_id) for node_id in node_ids]
    try:
        found = iter(await loader.load_many([k for k in keys if k is not None]))
    except Forbidden:
        return [None for _ in keys]
    records = [None if k is None else next(found) for k in keys]
    return [None if record is None else make(record) for record in records]
