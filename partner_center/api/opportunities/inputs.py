"""The opportunities list's filter and what it reads as."""

from __future__ import annotations

import strawberry

from partner_center.api.opportunities.enums import OpportunityStatusEnum
from partner_center.incentives.opportunities import OpportunityStatus


@strawberry.input
class OpportunityFilter:
    statuses: list[OpportunityStatusEnum] | None = None


def statuses_of(given: OpportunityFilter | None) -> frozenset[OpportunityStatus] | None:
    """The statuses to keep; None keeps every status."""
    statuses = given.statuses if given else None
    return frozenset(statuses) if statuses is not None else None
