"""moto in server mode, with two DynamoDB fidelity fixes the product's guarantees rely on
and five speed fixes that change no result.

`python -m partner_center.local.moto_server -H 127.0.0.1 -p PORT` is `python -m
moto.server` plus:

1. **DynamoDB requests on one table run one at a time.** The real service makes every
   conditional write and every transaction atomic. moto's threaded server evaluates a
   condition and applies the write as separate Python steps, so two concurrent requests
   on one item can both pass their condition. A lock per table (a request takes the
   locks of every table it names, in name order, so a transaction across tables is
   atomic against each of them) restores "two concurrent conditional writes cannot both
   win"; requests on different tables, S3 and SQS keep their concurrency. A request
   naming no table (ListTables, a malformed body) takes the catalog lock only.
2. **A transaction rolls back only the items it touched.** moto backs up the *whole
   table* (a deep copy) once per action before a TransactWriteItems, and restores that
   copy when the transaction is cancelled. That costs O(table size) per action (over
   100 ms per action on a table of a few thousand items) and, with concurrent requests,
   a restore would also erase other requests' writes. Here each touched item is saved
   before the transaction and put back (or deleted) on cancellation.

The speed fixes (tests/test_embedded_aws_speed.py runs each against moto's own path):

3. **Item values are serialized directly.** moto's generic response serializer looks up
   every one of the ten members an AttributeValue may have (S, N, B, ... each under
   several aliases) for every attribute of every item returned: a 100-item BatchGetItem
   spent 90% of its time there. An AttributeValue is serialized from the members it
   has, through the same per-type serializer methods, so the bytes are the same.
4. **An update expression is parsed once.** Clients send the same few expressions over
   and over (pynamodb names its placeholders #0, :0, ...). Parsed trees are kept by
   their text: every user of a tree only reads it, except the validator, which works on
   its own copy.
5. **The validator's copy of a tree is made node by node**, not by `copy.deepcopy`,
   whose generic bookkeeping cost more than parsing the expression again.
6. **A new item's size is summed once.** moto builds an item attribute by attribute,
   and its size-limited dict re-sums the size of every attribute already set on each
   set: O(attributes²) per item written, about half of a BatchWriteItem's time. The
   item is built whole and its size checked once against the same limit; sizes only
   grow as attributes are added, so it is refused exactly when moto refuses it.
7. **Items are sorted by their keys' values.** Every query and scan sorts the whole
   table (and an index query its matches) comparing key objects, each comparison
   converting both keys again (`cast_value`): a query page of a 10,000-item table made
   a million such comparisons. Sorting on the converted values, computed once per item,
   gives the same order: a table's (or index's) key attributes have one type each, so
   moto's comparison of two keys is the comparison of their values.
8. **A validator finds each node's processor once per node type.** Each of an update's
   ten validators walks the whole tree, and for every node rebuilt its table of
   processors twice (one dict and one tuple) and matched the node against it with
   `isinstance` on abstract classes: about 40% of a transaction's time. Which processor
   a node gets depends only on the validator's class and the node's type (moto's
   tables are fixed dicts and its node classes register no virtual subclasses), so the
   answer is kept by those two. `find_clauses` (three whole-tree searches per update,
   for the count of each clause) tests each child's class the same way, once per class.
9. **A condition is parsed once.** moto parses a request's condition expression up to
   three times (the handler, for the placeholders it uses; the transaction, to check
   it; the write, to check it again), and a transaction of 50 leads and their 50
   history entries sends the same two conditions with the same values 50 times. Parsed
   conditions are kept by their text, names and values. moto's parsed conditions are
   only evaluated, never changed (no method but a constructor assigns to them), and
   each is parsed from its own copy of the names and values, so no request's data is
   shared with a later one; the placeholders found are handed out as new lists, as
   moto's callers extend them.
10. **An update's structure is checked once.** The first three of moto's ten update
   validators (at most one clause of each kind, no overlapping paths, no key attribute
   set) read only the parsed tree, the attribute names and the table's key attributes,
   and change nothing in the tree; yet each runs at every one of the tree's nodes (every
   clause and action is an UpdateExpression), counting clauses under each: a quarter of
   an update's time. A tree that passed them with the same names and keys is not checked
   again; every other validator runs on every update, as it depends on the item.

**Saved state**: the routes of `partner_center.local.moto_state` save the items of
named tables to a file and load them back in the server (the demo snapshot).

**Latency model** (`--latency-ms N`, or `PC_AWS_LATENCY_MS`; off by default): every
DynamoDB request waits N ms before it takes its locks, as a request to DynamoDB from a
Lambda function in the same region spends single-digit milliseconds on the network. The
wait holds no lock, so concurrent requests wait side by side, as they would on a network;
benchmarks use it (5 ms) so that concurrency shows, for their baselines and the systems
they measure alike.

Only the embedded AWS runs this; the cloud runs the real services.
"""

from __future__ import annotations

import copy
import functools
import io
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import moto.dynamodb.models as dynamodb_models
from moto import server
from moto.core.serialize import BaseJSONSerializer
from moto.dynamodb import comparisons as dynamodb_comparisons
from moto.dynamodb.comparisons import ConditionExpressionParser
from moto.dynamodb.exceptions import ItemSizeTooLarge
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.table import Table
from moto.dynamodb.models.utilities import bytesize
from moto.dynamodb.parsing import validators as dynamodb_validators

# moto's expression parser internals, which the patches below replace (not exported).
from moto.dynamodb.parsing.ast_nodes import (  # type: ignore[attr-defined]
    DepthFirstTraverser,
    Expression,
    Node,
    UpdateExpressionFunction,
)
from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]
from moto.dynamodb.parsing.validators import (
    ActionCountValidator,
    OverlappingPathsValidator,
    UpdateHashRangeKeyValidator,
    Validator,
)

from partner_center.local import moto_state

LATENCY_ENV = "PC_AWS_LATENCY_MS"
_CATALOG = ""  # the lock of requests that name no table
_TABLE_LOCKS: dict[str, threading.Lock] = {}
_TABLE_LOCKS_GUARD = threading.Lock()


def _lock_of(table: str) -> threading.Lock:
    with _TABLE_LOCKS_GUARD:
        lock = _TABLE_LOCKS.get(table)
        if lock is None:
            lock = _TABLE_LOCKS[table] = threading.Lock()
        return lock


def tables_named(body: bytes) -> list[str]:
    """The tables a DynamoDB request names (TableName, BatchGet/WriteItem's RequestItems,
    every action of a transaction), sorted: the order locks are taken in."""
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        return []
    if not isinstance(request, dict):
        return []
    names: set[str] = set()
    if isinstance(request.get("TableName"), str):
        names.add(request["TableName"])
    if isinstance(request.get("RequestItems"), dict):
        names.update(k for k in request["RequestItems"] if isinstance(k, str))
    for action in request.get("TransactItems") or ():
        if isinstance(action, dict):
            for op in action.values():
                if isinstance(op, dict) and isinstance(op.get("TableName"), str):
                    names.add(op["TableName"])
    return sorted(names)


class _TableCopiesAreFree:
    """Stands in for the `copy` module inside moto's DynamoDB backend: copying a Table
    returns the table itself, so moto's whole-table backup costs nothing (and its restore
    is a no-op); every other deep copy is the real one."""

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        if isinstance(value, Table):
            return value
        return copy.deepcopy(value, memo)

    copy = staticmethod(copy.copy)


_original_transact_write_items = DynamoDBBackend.transact_write_items


def _touched(
    backend: DynamoDBBackend, transact_items: list[dict[str, Any]]
) -> list[tuple[str, dict[str, Any], Any]]:
    """(table name, key, deep copy of the item or None) for every action's item."""
    saved = []
    for action in transact_items:
        for op_type, op in action.items():
            table_name = op.get("TableName")
            if not table_name or table_name not in backend.tables:
                continue
            table = backend.tables[table_name]
            if op_type == "Put":
                attrs = op.get("Item", {})
                key = {
                    name: attrs[name]
                    for name in (table.hash_key_attr, table.range_key_attr)
                    if name and name in attrs
                }
            else:
                key = op.get("Key", {})
            try:
                current = backend.get_item(table_name, key)
            except Exception:  # a malformed key: moto's own validation reports it
                continue
            saved.append((table_name, key, copy.deepcopy(current)))
    return saved


def _restore(backend: DynamoDBBackend, saved: list[tuple[str, dict[str, Any], Any]]) -> None:
    for table_name, key, item in reversed(saved):
        if item is None:
            if backend.get_item(table_name, key) is not None:
                backend.delete_item(table_name, key)
        else:
            backend.put_item(table_name, item.to_json()["Attributes"])


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    saved = _touched(self, transact_items)
    try:
        _original_transact_write_items(self, transact_items)
    except BaseException:
        _restore(self, saved)
        raise


_generic_serialize_structure = BaseJSONSerializer._serialize_type_structure


def serialize_structure(
    self: BaseJSONSerializer, serialized: Any, value: Any, shape: Any, key: str
) -> None:
    """`_serialize_type_structure`, direct for a DynamoDB AttributeValue held as a dict."""
    if not (key and shape.name == "AttributeValue" and isinstance(value, dict)):
        _generic_serialize_structure(self, serialized, value, shape, key)
        return
    wrapper: dict[str, Any] = {}
    members = shape.members
    for member_key, member_value in value.items():
        member_shape = members.get(member_key)
        if member_shape is None or member_value is None:
            continue  # as the generic path: only modelled members, never a None
        member_shape.parent = shape
        self._serialize(wrapper, member_value, member_shape, member_key)
    self._default_serialize(serialized, wrapper, shape, key)


_IMMUTABLE = (str, int, float, bool, bytes, type(None))


def _clone(node: Node, parent: Node | None) -> Node:
    """A deep copy of an expression tree, node by node: what `copy.deepcopy` makes of it,
    without deepcopy's generic per-object bookkeeping."""
    twin = object.__new__(type(node))
    for name, value in node.__dict__.items():
        if name == "parent":
            twin.parent = parent
        elif name == "children" and isinstance(value, list):
            twin.children = [
                _clone(child, twin)
                if isinstance(child, Node)
                else child
                if isinstance(child, _IMMUTABLE)
                else copy.deepcopy(child)
                for child in value
            ]
        else:
            twin.__dict__[name] = value if isinstance(value, _IMMUTABLE) else copy.deepcopy(value)
    return twin


def validator_deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """`copy.deepcopy` for moto's expression validators: a whole tree (a root, as the
    validator copies) is cloned; anything else is deep-copied as before."""
    if isinstance(value, Node) and value.parent is None and memo is None:
        return _clone(value, None)
    return copy.deepcopy(value, memo)


_moto_parse_update_expression = UpdateExpressionParser.make
parse_update_expression = staticmethod(
    functools.lru_cache(maxsize=1024)(UpdateExpressionParser.make)
)

_moto_build_item = Item.__init__
# moto's limit (LimitedSizeDict): "between 409 and 410KB" measured on the real service.
_ITEM_SIZE_LIMIT = 405000


def all_items(self: Table) -> list[Item]:
    """`Table.all_items`, sorted on the keys' values (moto sorts on the key objects)."""
    items: list[Item] = []
    for hash_set in self.items.values():
        if self.range_key_attr:
            items.extend(hash_set.values())
        else:
            items.append(hash_set)  # type: ignore[arg-type]
    return sorted(
        items,
        key=lambda x: (
            (x.hash_key.cast_value, x.range_key.cast_value)
            if x.range_key
            else x.hash_key.cast_value
        ),
    )


def sorted_items(
    self: Table, hash_key_attrs: list[str], range_key_attrs: list[str | None], items: list[Item]
) -> list[Item]:
    """`Table.sorted_items` (an index query's order), on the key attributes' values."""
    attrs_to_sort_by = self._generate_attr_to_sort_by(hash_key_attrs, range_key_attrs)
    items.sort(key=lambda x: tuple(x.attrs[key].cast_value for key in attrs_to_sort_by))
    return items


_moto_all_items = Table.all_items
_moto_sorted_items = Table.sorted_items


def build_item(
    self: Item, hash_key: DynamoType, range_key: DynamoType | None, attrs: dict[str, Any]
) -> None:
    """`Item.__init__`, with the size of the whole item summed once."""
    self.hash_key = hash_key
    self.range_key = range_key
    values = {key: DynamoType(value) for key, value in attrs.items()}
    if sum(bytesize(key) + value.size() for key, value in values.items()) > _ITEM_SIZE_LIMIT:
        raise ItemSizeTooLarge
    self.attrs = LimitedSizeDict()
    dict.update(self.attrs, values)  # dict's own update: no per-attribute re-check


# Validator class -> node type -> the function processing that node, or None.
_PROCESSORS: dict[type, dict[type, Callable[[Any, Node], Node] | None]] = {}
_IS_NODE: dict[type, bool] = {}


def _ask_process(traverser: DepthFirstTraverser, node: Node) -> Node:
    return traverser.process(node)


def _processor_of(traverser: DepthFirstTraverser, kind: type) -> Callable[[Any, Node], Node] | None:
    table = _PROCESSORS.get(type(traverser))
    if table is None:
        table = _PROCESSORS[type(traverser)] = {}
    if kind not in table:
        found = None
        # moto's `process`: the first entry whose class the node is an instance of.
        for node_class, method in traverser._processing_map().items():
            if issubclass(kind, node_class):
                # Bound methods of the validator, in moto's tables; anything else is
                # asked of the validator itself each time.
                found = getattr(method, "__func__", None) or _ask_process
                break
        table[kind] = found
    return table[kind]


def traverse_node_recursively(self: DepthFirstTraverser, node: Any, child_id: int = -1) -> Any:
    """`DepthFirstTraverser.traverse_node_recursively`, finding processors by type."""
    kind = type(node)
    is_node = _IS_NODE.get(kind)
    if is_node is None:
        is_node = _IS_NODE[kind] = issubclass(kind, Node)
    if not is_node:
        return node
    parent_node = node.parent
    if node.children is not None:
        for i, child_node in enumerate(node.children):
            self.pre_processing_of_child(node, i)
            self.traverse_node_recursively(child_node, i)
    try:
        processor = _PROCESSORS[type(self)][kind]
    except KeyError:
        processor = _processor_of(self, kind)
    if processor is not None:
        node = processor(self, node)
        node.parent = parent_node
        if parent_node:
            parent_node.children[child_id] = node
    return node


_moto_traverse_node_recursively = DepthFirstTraverser.traverse_node_recursively
# Node type -> whether `find_clauses` looks inside it (moto: Expression or function).
_SEARCHED: dict[type, bool] = {}


def find_clauses(self: Node, clause_types: list[type]) -> list[Node]:
    """`Node.find_clauses`, with each child's class tested once per class."""
    clauses = []
    for child in self.children or []:
        kind = type(child)
        if kind in clause_types:
            clauses.append(child)
            continue
        searched = _SEARCHED.get(kind)
        if searched is None:
            searched = _SEARCHED[kind] = issubclass(kind, (Expression, UpdateExpressionFunction))
        if searched:
            clauses.extend(child.find_clauses(clause_types))
    return clauses


_moto_find_clauses = Node.find_clauses


# The validators that read only the tree, the names and the key attributes, in moto's order.
_STRUCTURAL = (ActionCountValidator, OverlappingPathsValidator, UpdateHashRangeKeyValidator)
# id(parsed tree) -> the tree (held, so its id is not reused) and the (names, key
# attributes) it passed the structural validators with.
_STRUCTURE_PASSED: dict[int, tuple[Node, set[tuple[str, tuple[str, ...]]]]] = {}
_STRUCTURE_PASSED_LIMIT = 4096
_moto_validator_init = Validator.__init__
_moto_validate = Validator.validate


def validator_init(self: Validator, expression: Node, *args: Any, **kwargs: Any) -> None:
    """`Validator.__init__`, keeping the parsed tree it copies (the parse cache's)."""
    _moto_validator_init(self, expression, *args, **kwargs)
    self.parsed_tree = expression  # type: ignore[attr-defined]


def validate(self: Validator) -> Node:
    """`Validator.validate`, leaving out the structural validators for a tree that passed
    them with the same names and key attributes."""
    processors = self.processors
    parsed = getattr(self, "parsed_tree", None)
    if parsed is None or tuple(type(p) for p in processors[:3]) != _STRUCTURAL:
        return _moto_validate(self)
    key = (
        json.dumps(self.expression_attribute_names, sort_keys=True),
        tuple(self.table.table_key_attrs),
    )
    known = _STRUCTURE_PASSED.get(id(parsed))
    passed = known is not None and known[0] is parsed and key in known[1]
    node = self.node_to_validate
    for index, processor in enumerate(processors):
        if passed and index < len(_STRUCTURAL):
            continue
        node = processor.traverse(node)
        if index == len(_STRUCTURAL) - 1:
            _remember_structure(parsed, key)
    return node


def _remember_structure(parsed: Node, key: tuple[str, tuple[str, ...]]) -> None:
    if len(_STRUCTURE_PASSED) >= _STRUCTURE_PASSED_LIMIT:
        _STRUCTURE_PASSED.clear()
    entry = _STRUCTURE_PASSED.get(id(parsed))
    if entry is None or entry[0] is not parsed:
        entry = _STRUCTURE_PASSED[id(parsed)] = (parsed, set())
    entry[1].add(key)


@functools.lru_cache(maxsize=4096)
def _parsed_condition(
    expression: str | None, names: str, values: str
) -> tuple[Any, tuple[str, ...], tuple[str, ...]]:
    parser = ConditionExpressionParser(expression, json.loads(names), json.loads(values))
    parsed = parser.parse()
    return parsed, tuple(parser.expr_attr_names_found), tuple(parser.expr_attr_values_found)


class RememberedConditionParser(ConditionExpressionParser):
    """moto's condition parser, parsing each (expression, names, values) once."""

    def parse(self) -> Any:
        try:
            key = (
                json.dumps(self.expression_attribute_names, sort_keys=True),
                json.dumps(self.expression_attribute_values, sort_keys=True),
            )
        except (TypeError, ValueError):  # not what a request's JSON holds: moto's own way
            return super().parse()
        parsed, names_found, values_found = _parsed_condition(self.condition_expression, *key)
        self.expr_attr_names_found.extend(names_found)
        self.expr_attr_values_found.extend(values_found)
        return parsed


class SerializedDynamoDB:
    """WSGI middleware: DynamoDB requests one at a time per table (after the latency
    model's wait, if any), the saved-state routes (moto_state) under the same locks,
    everything else as it comes."""

    def __init__(self, app: Callable[..., Iterable[bytes]], latency_ms: float = 0.0) -> None:
        self.app = app
        self.latency = max(latency_ms, 0.0) / 1000

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(moto_state.ROUTE):
            return moto_state.handle(environ, start_response, _lock_of)
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        if self.latency:
            time.sleep(self.latency)  # the network: no lock held
        locks = [_lock_of(t) for t in tables_named(body) or [_CATALOG]]
        for lock in locks:
            lock.acquire()
        try:
            # The whole response is produced inside the locks.
            return list(self.app(environ, start_response))
        finally:
            for lock in reversed(locks):
                lock.release()


def install(latency_ms: float = 0.0) -> None:
    dynamodb_models.copy = _TableCopiesAreFree  # type: ignore[assignment]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    BaseJSONSerializer._serialize_type_structure = serialize_structure  # type: ignore[method-assign]
    UpdateExpressionParser.make = parse_update_expression
    dynamodb_validators.deepcopy = validator_deepcopy  # type: ignore[assignment]
    Item.__init__ = build_item  # type: ignore[method-assign]
    Table.all_items = all_items  # type: ignore[method-assign]
    Table.sorted_items = sorted_items  # type: ignore[method-assign]
    DepthFirstTraverser.traverse_node_recursively = traverse_node_recursively
    Node.find_clauses = find_clauses
    dynamodb_comparisons.ConditionExpressionParser = RememberedConditionParser  # type: ignore[misc]
    Validator.__init__ = validator_init  # type: ignore[method-assign]
    Validator.validate = validate  # type: ignore[method-assign]
    original_dispatcher = server.DomainDispatcherApplication

    def dispatcher(*args: Any, **kwargs: Any) -> SerializedDynamoDB:
        return SerializedDynamoDB(original_dispatcher(*args, **kwargs), latency_ms)

    server.DomainDispatcherApplication = dispatcher  # type: ignore[assignment,misc]


def latency_option(argv: list[str]) -> tuple[float, list[str]]:
    """`--latency-ms N` taken out of moto's arguments (default: PC_AWS_LATENCY_MS, or 0)."""
    latency = float(os.environ.get(LATENCY_ENV) or 0)
    rest: list[str] = []
    given = iter(argv)
    for arg in given:
        if arg == "--latency-ms":
            latency = float(next(given))
        elif arg.startswith("--latency-ms="):
            latency = float(arg.split("=", 1)[1])
        else:
            rest.append(arg)
    return latency, rest


# The services the product uses. moto imports a backend on its first request, and
# CloudFormation's imports most of moto's models (about 2 s): done before the port opens,
# while the owner does its own start-up, rather than during the first deployment.
WARM_SERVICES = ("cloudformation", "dynamodb", "sqs", "s3", "ssm", "events")


def warm_up() -> None:
    from moto.backends import get_backend

    for service in WARM_SERVICES:
        get_backend(service)  # type: ignore[call-overload]


def main(argv: list[str] | None = None) -> None:
    latency, rest = latency_option(argv if argv is not None else sys.argv[1:])
    install(latency)
    warm_up()
    server.main(rest)


if __name__ == "__main__":
    main()
