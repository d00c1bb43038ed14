"""Consumption detail lines of one partner, read page by page in time order."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from pynamodb.expressions.condition import Condition

from partner_center.consumption.filters import ConsumptionFilter
from partner_center.consumption.scope import counting_from
from partner_center.core.clock import beijing_day_range, to_iso
from partner_center.storage.models import ConsumptionLine, CustomerItem

PAGE_SIZE = 1000


class ConsumptionStore:
    def __init__(self, partner_id: str) -> None:
        if not partner_id:
            raise ValueError("a partner ID is required")
        self.partner_id = partner_id

    def _key_range(self, flt: ConsumptionFilter) -> Condition | None:
        if flt.date_from is None and flt.date_to is None:
            return None
        start, end = beijing_day_range(
            flt.date_from or date(2000, 1, 1), flt.date_to or date(2999, 12, 30)
        )
        # "~" sorts after "#<id>": the range ends just before Beijing day date_to + 1.
        return ConsumptionLine.line_key.between(
            to_iso(start), to_iso(end - timedelta(microseconds=1)) + "~"
        )

    @staticmethod
    def _filter(flt: ConsumptionFilter) -> Condition | None:
        parts: list[Condition] = []
        if flt.customer_id:
            parts.append(ConsumptionLine.customer_id == flt.customer_id)
        if flt.product:
            parts.append(ConsumptionLine.product == flt.product)
        if flt.billing_mode:
            parts.append(ConsumptionLine.billing_mode == flt.billing_mode)
        if flt.min_amount is not None:
            parts.append(ConsumptionLine.amount >= flt.min_amount)
        if flt.max_amount is not None:
            parts.append(ConsumptionLine.amount <= flt.max_amount)
        condition: Condition | None = None
        for part in parts:
            condition = part if condition is None else condition & part
        return condition

    def pages(
        self, flt: ConsumptionFilter, page_size: int = PAGE_SIZE
    ) -> Iterator[list[ConsumptionLine]]:
        """Yield the matching lines in lists of `page_size` (never the whole set).

        DynamoDB is asked for its own full pages (1 MB, no Limit): a third of the
        requests of 1,000-item pages, for the same few pages held in memory.
        """
        results = ConsumptionLine.query(
            self.partner_id, self._key_range(flt), filter_condition=self._filter(flt)
        )
        page: list[ConsumptionLine] = []
        for line in results:
            page.append(line)
            if len(page) >= page_size:
                yield page
                page = []
        if page:
            yield page

    def page(
        self,
        flt: ConsumptionFilter,
        *,
        after: str | None,
        limit: int,
        visible: dict[str, date] | None = None,
    ) -> tuple[list[ConsumptionLine], bool]:
        """Newest first, up to `limit` lines after the line key `after`, and whether more
        follow. `visible` (R2, R5) keeps only those customers' lines from each one's
        first counted day. Reading stops once limit + 1 lines qualify, so the cursor is
        the last line returned and nothing is skipped whatever the filters drop."""
        if visible is not None and not visible:
            return [], False
        condition = self._filter(flt)
        if visible is not None and len(visible) <= 100 and not flt.customer_id:
            # DynamoDB's IN takes up to 100 values: it saves the transfer; the check
            # below stays the rule.
            narrowed = ConsumptionLine.customer_id.is_in(*sorted(visible))
            condition = narrowed if condition is None else condition & narrowed
        start = (
            None
            if after is None
            else {"partner_id": {"S": self.partner_id}, "line_key": {"S": after}}
        )
        kept: list[ConsumptionLine] = []
        for line in ConsumptionLine.query(
            self.partner_id,
            self._key_range(flt),
            filter_condition=condition,
            scan_index_forward=False,
            last_evaluated_key=start,
            page_size=max(limit + 1, 100),
        ):
            if visible is not None and not (
                line.customer_id in visible
                and date.fromisoformat(line.bill_date) >= visible[line.customer_id]
            ):
                continue
            kept.append(line)
            if len(kept) > limit:
                break
        return kept[:limit], len(kept) > limit

    def get(self, line_key: str) -> ConsumptionLine | None:
        try:
            return ConsumptionLine.get(self.partner_id, line_key)
        except ConsumptionLine.DoesNotExist:
            return None


def managed_customers(partner_id: str, manager_id: str) -> dict[str, date]:
    """R2/R5: the manager's customers, each with the first Beijing date it counts from
    (the day after its assignment to this manager)."""
    return {
        customer.customer_id: counting_from(customer.assigned_at)
        for customer in CustomerItem.by_manager.query(f"{partner_id}#{manager_id}")
    }
