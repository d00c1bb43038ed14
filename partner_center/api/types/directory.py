"""The caller and its partner: `viewer`, `User` and `Partner` nodes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.core.auth import Role
from partner_center.storage.models import DirectoryItem


def _read(partner_id: str, entity: str) -> DirectoryItem | None:
    try:
        return DirectoryItem.get(partner_id, entity)
    except DirectoryItem.DoesNotExist:
        return None


@strawberry.type(name="Partner")
class PartnerNode(relay.Node):
    partner_id: relay.NodeID[str]
    name: str
    account_type: str

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        own = info.context.principal.partner_id
        return [await load_partner(own) if node_id == own else None for node_id in node_ids]


@strawberry.type(name="User")
class UserNode(relay.Node):
    user_id: relay.NodeID[str]
    login: str
    display_name: str
    role: str
    permissions: list[str]

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        principal = info.context.principal
        results: list[Any] = []
        for node_id in node_ids:
            # Administrators see their partner's users; everyone else only themselves.
            if principal.role is not Role.ADMIN and node_id != principal.user_id:
                results.append(None)
                continue
            results.append(await load_user(principal.partner_id, node_id))
        return results


async def load_partner(partner_id: str) -> PartnerNode | None:
    item = await asyncio.to_thread(_read, partner_id, "PARTNER")
    if item is None:
        return None
    return PartnerNode(partner_id=partner_id, name=item.name, account_type=item.account_type or "")


async def load_user(partner_id: str, user_id: str) -> UserNode | None:
    item = await asyncio.to_thread(_read, partner_id, f"USER#{user_id}")
    if item is None:
        return None
    return UserNode(
        user_id=user_id,
        login=item.login or "",
        display_name=item.name,
        role=item.role or "",
        permissions=sorted(item.permissions or []),
    )


@strawberry.type(description="The authenticated caller, as its token describes it.")
class Viewer:
    user_id: strawberry.Private[str]
    partner_id: strawberry.Private[str]
    login: str
    role: str
    account_type: str
    permissions: list[str]

    @strawberry.field
    async def user(self) -> UserNode | None:
        return await load_user(self.partner_id, self.user_id)

    @strawberry.field
    async def partner(self) -> PartnerNode | None:
        return await load_partner(self.partner_id)


def viewer(info: Info) -> Viewer:
    principal = info.context.principal
    return Viewer(
        user_id=principal.user_id,
        partner_id=principal.partner_id,
        login=principal.login,
        role=principal.role.value,
        account_type=principal.account_type.value,
        permissions=sorted(p.value for p in principal.permissions),
    )


@strawberry.type
class Query:
    node: relay.Node | None = relay.node(
        description="Any object the caller may see, by ID; null for anything else. "
        + access.ACCESS["Query.node"].describe(),
        extensions=access.extensions("Query.node"),
    )
    viewer: Viewer = access.query("Query.viewer", viewer, "The authenticated caller.")
