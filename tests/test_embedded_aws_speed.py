"""The embedded AWS's speed fixes change no result.

Each fix in `partner_center.local.moto_server` is run here against moto's own path, in
this process, on moto's DynamoDB backend and response serializer directly (no server):
the same responses byte for byte, the same items after every kind of update expression.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from moto.core.responses import ActionContext
from moto.core.serialize import BaseJSONSerializer, get_serializer_class
from moto.core.utils import get_service_model
from moto.dynamodb.comparisons import ConditionExpressionParser
from moto.dynamodb.exceptions import (
    DuplicateUpdateExpression,
    ItemSizeTooLarge,
    MockValidationException,
    UpdateHashRangeKeyException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.parsing import validators
from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser, Node
from moto.dynamodb.parsing.expressions import UpdateExpressionParser
from moto.dynamodb.responses import DynamoResult

from partner_center.local import moto_server

# Every attribute type, nested both ways, with the edge values a serializer could drop.
EVERY_TYPE: dict[str, Any] = {
    "pk": {"S": "p"},
    "sk": {"S": "s"},
    "s": {"S": "text 中文"},
    "empty": {"S": ""},
    "n": {"N": "-12.50"},
    "b": {"B": b"\x00\x01binary"},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2.5"]},
    "bs": {"BS": [b"x", b"\xff"]},
    "yes": {"BOOL": True},
    "no": {"BOOL": False},
    "null": {"NULL": True},
    "list": {"L": [{"S": "x"}, {"N": "1"}, {"M": {"deep": {"BOOL": False}}}, {"L": []}]},
    "map": {"M": {"inner": {"L": [{"B": b"\x02"}, {"NULL": True}]}, "none": {"M": {}}}},
}


def _serialize(operation: str, result: dict[str, Any]) -> tuple[int, dict[str, Any], str]:
    service = get_service_model("dynamodb")
    context = ActionContext(
        service,
        service.operation_model(operation),
        get_serializer_class("dynamodb", "json"),
        object(),
    )
    return DynamoResult(copy.deepcopy(result)).execute_result(context)


@pytest.fixture
def generic_then_fast(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    def both(operation: str, result: dict[str, Any]) -> tuple[Any, Any]:
        monkeypatch.setattr(
            BaseJSONSerializer,
            "_serialize_type_structure",
            moto_server._generic_serialize_structure,
        )
        generic = _serialize(operation, result)
        monkeypatch.setattr(
            BaseJSONSerializer, "_serialize_type_structure", moto_server.serialize_structure
        )
        return generic, _serialize(operation, result)

    yield both


@pytest.mark.parametrize(
    "operation,result",
    [
        ("GetItem", {"Item": EVERY_TYPE}),
        (
            "BatchGetItem",
            {
                "Responses": {"t": [EVERY_TYPE, EVERY_TYPE]},
                "UnprocessedKeys": {},
                "ConsumedCapacity": [{"CapacityUnits": 2, "TableName": "t"}],
            },
        ),
        (
            "Query",
            {
                "Items": [EVERY_TYPE],
                "Count": 1,
                "ScannedCount": 1,
                "LastEvaluatedKey": {"pk": {"S": "p"}, "sk": {"S": "s"}},
            },
        ),
        ("TransactGetItems", {"Responses": [{"Item": EVERY_TYPE}, {}]}),
        ("UpdateItem", {"Attributes": EVERY_TYPE}),
        ("TransactWriteItems", {"ConsumedCapacity": [], "ItemCollectionMetrics": {}}),
    ],
)
def test_responses_are_the_same_bytes_as_moto_makes(
    generic_then_fast: Any, operation: str, result: dict[str, Any]
) -> None:
    generic, fast = generic_then_fast(operation, result)
    assert fast == generic
    assert json.loads(fast[2])  # and they carry the items (not an empty body)


# Update expressions of every kind: SET with arithmetic and functions, nested paths and
# list indexes, REMOVE (list positions included), ADD and DELETE on sets and numbers.
UPDATES: list[tuple[str, dict[str, str], dict[str, Any]]] = [
    (
        "SET #a = :v, #n = #n + :one",
        {"#a": "s", "#n": "n"},
        {":v": {"S": "new"}, ":one": {"N": "1"}},
    ),
    (
        "SET #l = list_append(#l, :more), #m.#i[0] = :v",
        {"#l": "list", "#m": "map", "#i": "inner"},
        {":more": {"L": [{"S": "y"}]}, ":v": {"S": "first"}},
    ),
    (
        "SET #x = if_not_exists(#x, :zero) REMOVE #l[1], #l[0], #e",
        {"#x": "fresh", "#l": "list", "#e": "empty"},
        {":zero": {"N": "0"}},
    ),
    (
        "ADD #ss :add, #n :two DELETE #ns :gone",
        {"#ss": "ss", "#n": "n", "#ns": "ns"},
        {":add": {"SS": ["c"]}, ":two": {"N": "2"}, ":gone": {"NS": ["1"]}},
    ),
    (
        "SET #m.#new = :v, #q = #n - :one",
        {"#m": "map", "#new": "added", "#q": "diff", "#n": "n"},
        {":v": {"M": {"k": {"BOOL": True}}}, ":one": {"N": "1"}},
    ),
]


def _backend() -> DynamoDBBackend:
    backend = DynamoDBBackend("us-east-1", "123456789012")
    backend.create_table(
        "t",
        schema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        throughput=None,
        attr=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        global_indexes=None,
        indexes=None,
        streams=None,
        billing_mode="PAY_PER_REQUEST",
        sse_specification=None,
        tags=[],
        deletion_protection_enabled=None,
        warm_throughput=None,
    )
    return backend


def _vary(values: dict[str, Any], repeat: int) -> dict[str, Any]:
    """The same placeholders with other strings and numbers: a tree that kept the first
    run's values would show in the second run's item."""
    varied = copy.deepcopy(values)
    for value in varied.values():
        if "S" in value:
            value["S"] += f"-{repeat}"
        elif "N" in value:
            value["N"] = str(int(value["N"]) + 10 * repeat)
    return varied


def _apply_every_update() -> list[dict[str, Any]]:
    """Each update, twice in a row with other values (the second on whatever tree the
    first left behind), on a fresh copy of EVERY_TYPE; the items as they end up."""
    backend = _backend()
    results = []
    for index, (expression, names, values) in enumerate(UPDATES):
        for repeat in range(2):
            key = {"pk": {"S": "p"}, "sk": {"S": f"{index}.{repeat}"}}
            backend.put_item("t", {**copy.deepcopy(EVERY_TYPE), **key})
            item = backend.update_item("t", key, expression, names, _vary(values, repeat))
            results.append(item.to_json())
    return results


def test_updates_leave_the_same_items_with_the_parse_cache_and_the_tree_clone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = _apply_every_update()
    monkeypatch.setattr(UpdateExpressionParser, "make", moto_server.parse_update_expression)
    monkeypatch.setattr(validators, "deepcopy", moto_server.validator_deepcopy)
    assert _apply_every_update() == expected


def _motos_own_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(UpdateExpressionParser, "make", moto_server._moto_parse_update_expression)
    monkeypatch.setattr(
        DepthFirstTraverser,
        "traverse_node_recursively",
        moto_server._moto_traverse_node_recursively,
    )
    monkeypatch.setattr(Node, "find_clauses", moto_server._moto_find_clauses)
    monkeypatch.setattr(validators.Validator, "__init__", moto_server._moto_validator_init)
    monkeypatch.setattr(validators.Validator, "validate", moto_server._moto_validate)


def _fast_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parse cache too: structure is remembered per parsed tree."""
    monkeypatch.setattr(UpdateExpressionParser, "make", moto_server.parse_update_expression)
    monkeypatch.setattr(
        DepthFirstTraverser, "traverse_node_recursively", moto_server.traverse_node_recursively
    )
    monkeypatch.setattr(Node, "find_clauses", moto_server.find_clauses)
    monkeypatch.setattr(validators.Validator, "__init__", moto_server.validator_init)
    monkeypatch.setattr(validators.Validator, "validate", moto_server.validate)


def test_updates_leave_the_same_items_with_processors_by_type_and_structure_checked_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _motos_own_validation(monkeypatch)
    expected = _apply_every_update()
    _fast_validation(monkeypatch)
    assert _apply_every_update() == expected


# Updates moto refuses, one per validator that can refuse, with the item of EVERY_TYPE.
REFUSED: list[tuple[str, dict[str, str], dict[str, Any]]] = [
    ("SET #k = :v", {"#k": "pk"}, {":v": {"S": "other"}}),  # a key attribute
    ("SET #n = #s + :one", {"#n": "n", "#s": "s"}, {":one": {"N": "1"}}),  # text + number
    ("SET #q = #gone + :one", {"#q": "q", "#gone": "missing"}, {":one": {"N": "1"}}),
    ("SET #a = :v, #a = :w", {"#a": "s"}, {":v": {"S": "x"}, ":w": {"S": "y"}}),  # overlap
    ("SET #a = :undefined", {"#a": "s"}, {":v": {"S": "x"}}),  # no such value
    ("SET #a = list_append(#s, :v)", {"#a": "x", "#s": "s"}, {":v": {"L": []}}),  # not a list
    ("ADD #s :one", {"#s": "s"}, {":one": {"N": "1"}}),  # ADD to a string
    ("SET #a = :empty", {"#a": "s"}, {":empty": {"S": ""}}),  # fine: not a key
    ("SET #a = :v SET #b = :v", {"#a": "s", "#b": "n"}, {":v": {"S": "x"}}),  # two SETs
]


def _refusals() -> list[tuple[str, str]]:
    backend = _backend()
    key = {"pk": {"S": "p"}, "sk": {"S": "s"}}
    outcomes = []
    for expression, names, values in REFUSED:
        backend.put_item("t", {**copy.deepcopy(EVERY_TYPE), **key})
        try:
            item = backend.update_item("t", key, expression, names, values)
        except Exception as refused:  # the refusal is what is compared
            outcomes.append((type(refused).__name__, str(refused)))
        else:
            outcomes.append(("updated", json.dumps(item.to_json(), sort_keys=True, default=str)))
    return outcomes


def test_refused_updates_are_refused_alike_with_processors_by_type_and_structure_checked_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _motos_own_validation(monkeypatch)
    expected = _refusals()
    assert sum(kind != "updated" for kind, _ in expected) >= 7  # the list refuses
    _fast_validation(monkeypatch)
    assert _refusals() == expected
    assert _refusals() == expected  # again, every tree now parsed and checked before


def test_a_structure_that_passed_with_some_names_is_checked_again_with_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _fast_validation(monkeypatch)
    backend = _backend()
    key = {"pk": {"S": "p"}, "sk": {"S": "s"}}
    backend.put_item("t", {**copy.deepcopy(EVERY_TYPE), **key})
    for _ in range(2):
        backend.update_item("t", key, "SET #k = :v, #j = :w", {"#k": "s", "#j": "n"}, VALUES)
        with pytest.raises(UpdateHashRangeKeyException):  # the same tree on a key
            backend.update_item("t", key, "SET #k = :v, #j = :w", {"#k": "sk", "#j": "n"}, VALUES)
        with pytest.raises(DuplicateUpdateExpression):  # on one attribute twice
            backend.update_item("t", key, "SET #k = :v, #j = :w", {"#k": "s", "#j": "s"}, VALUES)


VALUES = {":v": {"S": "x"}, ":w": {"N": "2"}}


# Conditions of every kind, and ones moto refuses, with the names and values they use.
CONDITIONS: list[tuple[str, dict[str, str], dict[str, Any]]] = [
    ("#s = :v", {"#s": "s"}, {":v": {"S": "text 中文"}}),
    ("attribute_not_exists(#k)", {"#k": "pk"}, {}),
    ("attribute_exists(#k) AND #n > :n", {"#k": "pk", "#n": "n"}, {":n": {"N": "-20"}}),
    (
        "begins_with(#s, :p) OR #yes = :t",
        {"#s": "s", "#yes": "yes"},
        {":p": {"S": "te"}, ":t": {"BOOL": False}},
    ),
    ("#n BETWEEN :a AND :b", {"#n": "n"}, {":a": {"N": "-13"}, ":b": {"N": "0"}}),
    ("#s IN (:v, :w)", {"#s": "s"}, {":v": {"S": "x"}, ":w": {"S": "text 中文"}}),
    (
        "contains(#ss, :c) AND size(#l) > :n",
        {"#ss": "ss", "#l": "list"},
        {":c": {"S": "a"}, ":n": {"N": "3"}},
    ),
    ("NOT (#m.#i[1] = :null)", {"#m": "map", "#i": "inner"}, {":null": {"NULL": True}}),
    ("#l = :l", {"#l": "list"}, {":l": {"L": [{"S": "x"}, {"N": "1"}]}}),
    ("#s = ", {"#s": "s"}, {}),  # malformed
    ("#gone = :v", {"#s": "s"}, {":v": {"S": "x"}}),  # a name it does not define
    ("#s = :gone", {"#s": "s"}, {":v": {"S": "x"}}),  # a value it does not define
]


def _conditions(parser: type, item: Any) -> list[tuple[Any, ...]]:
    outcomes: list[tuple[Any, ...]] = []
    for expression, names, values in CONDITIONS:
        for repeat in range(3):  # the same values again (from the cache), then others
            varied = _vary(values, repeat) if repeat == 2 else values
            condition = parser(expression, names, varied)
            try:
                parsed = condition.parse()
            except Exception as refused:  # the refusal is what is compared
                outcomes.append((type(refused).__name__, str(refused)))
                continue
            outcomes.append(
                (
                    parsed.expr(item),
                    parsed.expr(None),
                    condition.expr_attr_names_found,
                    condition.expr_attr_values_found,
                )
            )
    return outcomes


def test_conditions_remembered_evaluate_and_refuse_as_motos_own() -> None:
    backend = _backend()
    backend.put_item("t", copy.deepcopy(EVERY_TYPE))
    item = backend.get_item("t", {"pk": {"S": "p"}, "sk": {"S": "s"}})
    expected = _conditions(ConditionExpressionParser, item)
    assert sum(len(outcome) == 2 for outcome in expected) == 9  # three refused, thrice
    assert {outcome[0] for outcome in expected if len(outcome) == 4} == {True, False}
    assert _conditions(moto_server.RememberedConditionParser, item) == expected


def test_a_remembered_condition_shares_nothing_with_the_requests_that_sent_it() -> None:
    values = {":l": {"L": [{"S": "x"}]}}
    first = moto_server.RememberedConditionParser("#l = :l", {"#l": "list"}, values)
    parsed = first.parse()
    first.expr_attr_names_found.append("#changed")  # moto's callers extend these lists
    values[":l"]["L"].append({"S": "changed"})  # and what a request sent is its own
    again = moto_server.RememberedConditionParser(
        "#l = :l", {"#l": "list"}, {":l": {"L": [{"S": "x"}]}}
    )
    assert again.parse() is parsed  # from the cache
    assert again.expr_attr_names_found == ["#l"]
    assert parsed.expr(None) is False or parsed.expr(None) is None
    assert parsed.rhs.expr(None) == ["x"]


def test_a_bad_update_expression_is_still_refused_and_not_cached(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(UpdateExpressionParser, "make", moto_server.parse_update_expression)
    for _ in range(2):
        with pytest.raises(Exception) as raised:
            UpdateExpressionParser.make("SET = :v")
        assert "Invalid UpdateExpression" in str(raised.value) or isinstance(
            raised.value, MockValidationException
        )


def _same_tree(copied: Node, original: Node, parent: Node | None) -> None:
    assert copied is not original
    assert type(copied) is type(original)
    assert copied.parent is parent
    assert set(copied.__dict__) == set(original.__dict__)
    for name, value in original.__dict__.items():
        if name in {"parent", "children"}:
            continue
        assert copied.__dict__[name] == value
    assert (copied.children is None) == (original.children is None)
    for mine, theirs in zip(copied.children or [], original.children or [], strict=True):
        if isinstance(theirs, Node):
            _same_tree(mine, theirs, copied)
        else:
            assert mine == theirs


@pytest.mark.parametrize("expression", [u[0] for u in UPDATES])
def test_the_clone_of_a_tree_is_a_deep_copy(expression: str) -> None:
    tree = UpdateExpressionParser.make(expression)
    _same_tree(moto_server.validator_deepcopy(tree), tree, None)
    _same_tree(copy.deepcopy(tree), tree, None)  # the yardstick holds for deepcopy too


def _built(init: Any, attrs: dict[str, Any]) -> Any:
    item = object.__new__(Item)
    init(item, DynamoType(attrs["pk"]), DynamoType(attrs["sk"]), attrs)
    return item


def test_an_item_built_whole_is_the_item_moto_builds() -> None:
    ours = _built(moto_server.build_item, EVERY_TYPE)
    theirs = _built(moto_server._moto_build_item, EVERY_TYPE)
    assert type(ours.attrs) is type(theirs.attrs)
    assert list(ours.attrs) == list(theirs.attrs)  # the same attributes, in the same order
    assert ours == theirs
    assert ours.to_json() == theirs.to_json()
    assert ours.size() == theirs.size()


# The item's size is padding + 37: 405,000 is the largest moto accepts; the last two are
# refused only when the attribute after the padding is set.
@pytest.mark.parametrize(
    "padding,expected",
    [
        (404_000, "built"),
        (405_000 - 37, "built"),
        (405_000 - 36, "refused"),
        (405_000 - 30, "refused"),
        (500_000, "refused"),
    ],
)
def test_an_item_is_refused_for_its_size_exactly_as_moto_refuses_it(
    padding: int, expected: str
) -> None:
    attrs = {
        "pk": {"S": "p"},
        "sk": {"S": "s"},
        "n": {"N": "12"},
        "big": {"S": "x" * padding},
        "after": {"S": "y" * 20},
    }

    def outcome(init: Any) -> str:
        try:
            _built(init, attrs)
        except ItemSizeTooLarge:
            return "refused"
        return "built"

    assert outcome(moto_server._moto_build_item) == expected
    assert outcome(moto_server.build_item) == expected


def _keyed_backend() -> DynamoDBBackend:
    """A table with string hash keys and number range keys (negative, fractional, of
    every magnitude: a string sort would order them otherwise), a number-keyed index, and
    a table of binary hash keys alone."""
    backend = DynamoDBBackend("us-east-1", "123456789012")
    common: dict[str, Any] = dict(
        throughput=None,
        indexes=None,
        streams=None,
        billing_mode="PAY_PER_REQUEST",
        sse_specification=None,
        tags=[],
        deletion_protection_enabled=None,
        warm_throughput=None,
    )
    backend.create_table(
        "pairs",
        schema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        attr=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "g", "AttributeType": "N"},
            {"AttributeName": "gs", "AttributeType": "S"},
        ],
        global_indexes=[
            {
                "IndexName": "by_g",
                "KeySchema": [
                    {"AttributeName": "g", "KeyType": "HASH"},
                    {"AttributeName": "gs", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        **common,
    )
    backend.create_table(
        "singles",
        schema=[{"AttributeName": "id", "KeyType": "HASH"}],
        attr=[{"AttributeName": "id", "AttributeType": "B"}],
        global_indexes=None,
        **common,
    )
    numbers = ["10", "9", "-1.5", "0", "100.25", "2", "-30", "1e3", "0.001", "7"]
    for n, number in enumerate(numbers * 3):
        backend.put_item(
            "pairs",
            {
                "pk": {"S": ["b", "a", "中", "A"][n % 4]},
                "sk": {"N": str(Decimal(number) * (n + 1))},
                "g": {"N": numbers[n % 7]},
                "gs": {"S": f"x{n % 5}"},
            },
        )
        backend.put_item("singles", {"id": {"B": bytes([n * 7 % 256, n])}})
    return backend


def test_items_sorted_on_key_values_are_in_motos_order() -> None:
    backend = _keyed_backend()
    for name in ("pairs", "singles"):
        table = backend.get_table(name)
        theirs = moto_server._moto_all_items(table)
        assert [id(i) for i in moto_server.all_items(table)] == [id(i) for i in theirs]
    table = backend.get_table("pairs")
    attrs: tuple[list[str], list[str | None]] = (["g", "pk"], ["gs", "sk"])
    items = moto_server._moto_all_items(table)
    theirs = moto_server._moto_sorted_items(table, *attrs, list(reversed(items)))
    ours = moto_server.sorted_items(table, *attrs, list(reversed(items)))
    assert [id(i) for i in ours] == [id(i) for i in theirs]
