"""The leads area's enums."""

from __future__ import annotations

import enum
from typing import TypeAlias

import strawberry

from partner_center.leads.rules import DispatchAction, LeadStatus

# Each domain enum is registered under its GraphQL name, and annotations use it through
# an alias: a type checker takes no call's result as a type.
strawberry.enum(
    LeadStatus,
    name="LeadStatus",
    description="undispatched → dispatched → recalled (and "
    "dispatched again); converted and closed end it.",
)
LeadStatusEnum: TypeAlias = LeadStatus
strawberry.enum(DispatchAction, name="LeadDispatchAction")
DispatchActionEnum: TypeAlias = DispatchAction


@strawberry.enum(description="Leads are listed in creation order.")
class LeadOrder(enum.Enum):
    CREATED_AT_DESC = "created_desc"
    CREATED_AT_ASC = "created_asc"
