"""`nodes_of`, what every type's `resolve_nodes` answers for `node`/`nodes` (R2: `node`
never tells that someone else's ID exists)."""

from __future__ import annotations

from typing import Any

import pytest
from strawberry.dataloader import DataLoader

from partner_center.api.core.loaders import nodes_of
from partner_center.core.errors import Forbidden


def _loader(records: dict[str, str], asked: list[list[str]]) -> DataLoader[str, str | None]:
    async def load(keys: list[str]) -> list[str | None]:
        asked.append(list(keys))
        return [records.get(key) for key in keys]

    return DataLoader(load_fn=load)


def _decoded(node_id: str) -> str | None:
    """A key of the form "rec:<n>"; anything else does not decode."""
    return node_id if node_id.startswith("rec:") else None


async def test_nodes_come_in_the_order_asked_with_null_for_missing_records() -> None:
    asked: list[list[str]] = []
    loader = _loader({"rec:1": "one", "rec:3": "three"}, asked)
    found = await nodes_of(loader, ["rec:3", "rec:2", "rec:1"], str.upper)
    assert found == ["THREE", None, "ONE"]
    assert asked == [["rec:3", "rec:2", "rec:1"]]  # one batch


async def test_an_id_that_does_not_decode_is_null_and_never_read() -> None:
    asked: list[list[str]] = []
    loader = _loader({"rec:1": "one"}, asked)
    found = await nodes_of(loader, ["garbage", "rec:1", ""], str.upper, _decoded)
    assert found == [None, "ONE", None]
    assert asked == [["rec:1"]]


async def test_no_decodable_id_reads_nothing() -> None:
    asked: list[list[str]] = []
    found = await nodes_of(_loader({}, asked), ["x", "y"], str.upper, _decoded)
    assert found == [None, None]
    assert asked == []


@pytest.mark.parametrize("node_ids", [["rec:1"], ["rec:1", "garbage", "rec:2"]])
async def test_r2_a_refused_caller_gets_null_for_every_id(node_ids: list[str]) -> None:
    async def refuse(keys: list[str]) -> list[Any]:
        raise Forbidden("not this caller's")

    found = await nodes_of(DataLoader(load_fn=refuse), node_ids, str.upper, _decoded)
    assert found == [None] * len(node_ids)


def _loaded_node_types() -> list[type]:
    from partner_center.api.core.nodes import LoadedNode
    from partner_center.api.schema import schema

    origins = []
    for definition in schema.schema_converter.type_map.values():
        origin = getattr(definition.definition, "origin", None)
        if isinstance(origin, type) and issubclass(origin, LoadedNode):
            origins.append(origin)
    return origins


def test_every_loaded_node_type_names_its_loader_and_answers_of_its_records() -> None:
    """A type on LoadedNode that forgot its loader would fail every `node` query on it."""
    origins = _loaded_node_types()
    assert len(origins) >= 17
    for origin in origins:
        assert callable(origin.__dict__.get("node_loader")), origin
        assert callable(origin.loader_key), origin
        assert callable(getattr(origin, "of", None) or getattr(origin, "from_item", None))


async def test_a_loaded_node_reads_through_its_loader_with_its_key() -> None:
    from partner_center.api.core.nodes import LoadedNode

    asked: list[list[str]] = []
    loader = _loader({"rec:1": "one", "rec:2": "two"}, asked)

    class Thing(LoadedNode):
        node_loader = staticmethod(lambda info: loader)
        loader_key = staticmethod(_decoded)

        @classmethod
        def of(cls, record: str) -> str:
            return record.upper()

    found = await Thing.resolve_nodes(info=None, node_ids=["rec:2", "bad", "rec:9"])  # type: ignore[arg-type]
    assert found == ["TWO", None, None]
    assert asked == [["rec:2", "rec:9"]]
