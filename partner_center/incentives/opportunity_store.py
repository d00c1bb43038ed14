"""Opportunities in DynamoDB (OPP# items of the incentives table), scoped to one partner."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from partner_center.incentives.models import OPPORTUNITY_PREFIX, OpportunityItem
from partner_center.incentives.opportunities import Deal, Opportunity, OpportunityStatus


class OpportunityStore:
    def __init__(self, partner_id: str) -> None:
        if not partner_id:
            raise ValueError("a partner ID is required")
        self.partner_id = partner_id

    @staticmethod
    def item_of(opportunity: Opportunity) -> OpportunityItem:
        deal = opportunity.deal
        return OpportunityItem(
            opportunity.partner_id,
            OPPORTUNITY_PREFIX + opportunity.opportunity_id,
            opportunity_id=opportunity.opportunity_id,
            title=opportunity.title,
            customer_name=opportunity.customer_name,
            status=opportunity.status.value,
            shared_via_pce=opportunity.shared_via_pce,
            estimated_amount=opportunity.estimated_amount,
            shared_on=opportunity.shared_on.isoformat(),
            transaction_method=deal.method.value if deal else None,
            deal_amount=deal.amount if deal else None,
            transacted_on=deal.transacted_on.isoformat() if deal else None,
        )

    def add(self, opportunity: Opportunity) -> Opportunity:
        if opportunity.partner_id != self.partner_id:
            raise ValueError("the opportunity belongs to another partner")
        self.item_of(opportunity).save(condition=OpportunityItem.item_key.does_not_exist())
        return opportunity

    def get(self, opportunity_id: str) -> Opportunity | None:
        try:
            item = OpportunityItem.get(
                self.partner_id, OPPORTUNITY_PREFIX + opportunity_id, consistent_read=True
            )
        except OpportunityItem.DoesNotExist:
            return None
        return Opportunity.from_item(item)

    def page(
        self, *, statuses: frozenset[OpportunityStatus] | None, after_id: str | None, limit: int
    ) -> tuple[list[Opportunity], bool]:
        """Newest first."""
        if statuses == frozenset():
            return [], False
        start = None
        if after_id:
            start = {
                "partner_id": {"S": self.partner_id},
                "item_key": {"S": OPPORTUNITY_PREFIX + after_id},
            }
        condition = (
            OpportunityItem.status.is_in(*sorted(s.value for s in statuses)) if statuses else None
        )
        items = OpportunityItem.query(
            self.partner_id,
            OpportunityItem.item_key.startswith(OPPORTUNITY_PREFIX),
            filter_condition=condition,
            scan_index_forward=False,
            last_evaluated_key=start,
            page_size=max(limit + 1, 25),
            consistent_read=True,
        )
        found = [Opportunity.from_item(i) for i in itertools.islice(items, limit + 1)]
        return found[:limit], len(found) > limit

    def deals(self, period: str) -> Iterator[Deal]:
        """Every transaction of the month (YYYY-MM): what GMV is computed from (R21).

        Selected by the transaction alone: neither the sharing flag nor the
        opportunity's status is part of the query.
        """
        condition = (
            OpportunityItem.transaction_method.exists()
            & OpportunityItem.transacted_on.startswith(f"{period}-")
        )
        for item in OpportunityItem.query(
            self.partner_id,
            OpportunityItem.item_key.startswith(OPPORTUNITY_PREFIX),
            filter_condition=condition,
            consistent_read=True,
        ):
            deal = Opportunity.from_item(item).deal
            if deal is not None:
                yield deal
