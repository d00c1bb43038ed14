"""Per-request DataLoaders: the nested fields of a page batch their reads.

A field resolver asks `info.context.loaders.get(name, load_fn)` for the request's loader
of that name (made on first use) and awaits `.load(key)`; every load of one tick goes to
`load_fn` as one list, which reads them in one batch (BatchGetItem, or one query per
partner). A page of 100 then costs the same number of DynamoDB requests as a page of 10.
Loaders live for one request only, so nothing cached outlives the caller's permissions.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any

from strawberry.dataloader import DataLoader

LoadFn = Callable[[list[Any]], Awaitable[Sequence[Any]]]


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
