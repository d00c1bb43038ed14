"""Reading global IDs that clients send.

Most node IDs are the record's own ID. Records that live under a partner have scoped
IDs, `<partner ID>:<ID within the partner>`: the partner is part of the ID so the
provider's operations, who belong to no partner, can name any partner's bill, agreement
or contract; a partner's users reach only IDs of their own partner (the services check
`may_act_for`), so naming another partner's record reveals nothing.
"""

from __future__ import annotations

from strawberry import relay

from partner_center.core.errors import BadInput


def node_id_of(global_id: relay.GlobalID, type_name: str, field: str) -> str:
    """The node ID inside a global ID, refusing one of another type."""
    if global_id.type_name != type_name:
        raise BadInput(f"{field} must be the ID of a {type_name}", field=field)
    return global_id.node_id


def scoped(partner_id: str, local_id: str) -> str:
    return f"{partner_id}:{local_id}"


def split(node_id: str) -> tuple[str, str] | None:
    """(partner ID, local ID), or None for a node ID of no such shape."""
    partner_id, _, local_id = node_id.partition(":")
    if not partner_id or not local_id:
        return None
    return partner_id, local_id


def scoped_id_of(global_id: relay.GlobalID, type_name: str, field: str) -> tuple[str, str]:
    """A client's global ID of `type_name`, split; BAD_USER_INPUT on `field` otherwise."""
    found = split(node_id_of(global_id, type_name, field))
    if found is None:
        raise BadInput(f"{field} is not the ID of a {type_name}", field=field)
    return found


def partner_of(global_id: relay.GlobalID | None) -> str | None:
    """The partner ID inside an optional `partnerId` argument."""
    return node_id_of(global_id, "Partner", "partnerId") if global_id is not None else None
