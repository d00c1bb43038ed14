"""Reading global IDs that clients send."""

from __future__ import annotations

from strawberry import relay

from partner_center.core.errors import BadInput


def node_id_of(global_id: relay.GlobalID, type_name: str, field: str) -> str:
    """The node ID inside a global ID, refusing one of another type."""
    if global_id.type_name != type_name:
        raise BadInput(f"{field} must be the ID of a {type_name}", field=field)
    return global_id.node_id
