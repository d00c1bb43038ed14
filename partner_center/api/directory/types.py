"""The caller, its partner and the partner's users as GraphQL objects."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry
from strawberry import relay

from partner_center.api.context import Info
from partner_center.api.directory.loaders import partner_loader, user_loader
from partner_center.core.auth import Role
from partner_center.storage.models import DirectoryItem


@strawberry.type(name="Partner")
class PartnerNode(relay.Node):
    partner_id: relay.NodeID[str]
    name: str
    account_type: str

    @classmethod
    def of(cls, partner_id: str, item: DirectoryItem | None) -> PartnerNode | None:
        if item is None:
            return None
        return cls(partner_id=partner_id, name=item.name, account_type=item.account_type or "")

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        own = info.context.principal.partner_id
        # Only the caller's own partner is visible; any other ID is null.
        return [
            cls.of(own, await partner_loader(info).load(own)) if node_id == own else None
            for node_id in node_ids
        ]


@strawberry.type(name="User")
class UserNode(relay.Node):
    user_id: relay.NodeID[str]
    login: str
    display_name: str
    role: str
    permissions: list[str]

    @classmethod
    def of(cls, user_id: str, item: DirectoryItem | None) -> UserNode | None:
        if item is None:
            return None
        return cls(
            user_id=user_id,
            login=item.login or "",
            display_name=item.name,
            role=item.role or "",
            permissions=sorted(item.permissions or []),
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        principal = info.context.principal
        # Administrators see their partner's users; everyone else only themselves.
        visible = [
            node_id if principal.role is Role.ADMIN or node_id == principal.user_id else None
            for node_id in node_ids
        ]
        found = iter(await user_loader(info).load_many([n for n in visible if n is not None]))
        return [None if n is None else cls.of(n, next(found)) for n in visible]


@strawberry.type(description="The authenticated caller, as its token describes it.")
class Viewer:
    user_id: strawberry.Private[str]
    partner_id: strawberry.Private[str]
    login: str
    role: str
    account_type: str
    permissions: list[str]

    @strawberry.field
    async def user(self, info: Info) -> UserNode | None:
        return UserNode.of(self.user_id, await user_loader(info).load(self.user_id))

    @strawberry.field
    async def partner(self, info: Info) -> PartnerNode | None:
        return PartnerNode.of(self.partner_id, await partner_loader(info).load(self.partner_id))
