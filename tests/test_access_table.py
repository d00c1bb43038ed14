"""R1: every root field declares who may call it, in the one table of partner_center.api.access."""

from __future__ import annotations

from strawberry.permission import PermissionExtension

from partner_center.api.access import ACCESS, Allowed
from partner_center.api.schema import schema


def root_fields() -> dict[str, object]:
    fields = {}
    for type_name in ("Query", "Mutation"):
        definition = schema.get_type_by_name(type_name)
        assert definition is not None
        for field in definition.fields:  # type: ignore[union-attr]
            name = schema.config.name_converter.get_graphql_name(field)
            fields[f"{type_name}.{name}"] = field
    return fields


def test_every_root_field_declares_its_permission() -> None:
    missing = []
    for key, field in root_fields().items():
        guards = [
            p
            for ext in field.extensions
            if isinstance(ext, PermissionExtension)  # type: ignore[attr-defined]
            for p in ext.permissions
            if isinstance(p, Allowed)
        ]
        if not guards or guards[0].key != key:
            missing.append(key)
    assert missing == [], f"root fields without an entry of ACCESS attached: {missing}"


def test_every_table_entry_names_a_field_of_the_schema() -> None:
    fields = set(root_fields())
    stale = [
        key for key in ACCESS if key.split(".")[0] in ("Query", "Mutation") and key not in fields
    ]
    assert stale == []


def test_root_field_descriptions_state_the_rule() -> None:
    for key, field in root_fields().items():
        assert ACCESS[key].describe() in (field.description or ""), key  # type: ignore[attr-defined]
