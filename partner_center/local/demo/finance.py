"""Demo payment agreements and request-payment contracts for ptn-sp-001.

Written through the stores (as a user's requests would be), at fixed instants, so the
data is the same every run; statuses are derived on read, so the validity shown is
relative to the real date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from partner_center.core.errors import Refused
from partner_center.finance.agreements import AgreementDraft, AgreementStore, PartyType
from partner_center.finance.contracts import ContractStore

PARTNER = "ptn-sp-001"
AT = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)


def seed(data: Any) -> None:
    agreements = AgreementStore(PARTNER)
    drafts = [
        AgreementDraft(
            "杭州云帆信息技术有限公司",
            "招商银行杭州分行",
            "6214 8301 2345 6789",
            "杭州云帆信息技术有限公司",
            PartyType.ENTERPRISE,
            date(2026, 11, 2),
            date(2027, 11, 1),
        ),
        AgreementDraft(
            "王建国",
            "中国工商银行北京分行",
            "6222 0202 0011 2233 445",
            "王建国",
            PartyType.INDIVIDUAL,
            date(2026, 11, 2),
            date(2027, 5, 1),
        ),
        AgreementDraft(
            "上海启明数据服务有限公司",
            "中国银行上海分行",
            "4563 5100 0012 3456",
            "上海启明数据服务有限公司",
            PartyType.ENTERPRISE,
            date(2026, 11, 2),
            date(2027, 11, 1),
        ),
    ]
    created = []
    for draft in drafts:
        try:
            created.append(agreements.create(draft, user_id="usr-sp-admin", now=AT))
        except Refused:  # seeded before: the accounts already have their agreements
            return
    agreements.review(
        created[0].agreement_id, approve=True, note=None, user_id="usr-ops-reviewer", now=AT
    )
    agreements.revoke(created[2].agreement_id, user_id="usr-sp-admin", now=AT)

    contracts = ContractStore(PARTNER)
    resellers = sorted(
        c.customer_id
        for c in data.customers
        if c.partner_id == PARTNER and c.association == "reseller"
    )
    first = contracts.create(
        customer_id=resellers[0],
        amount=Decimal("50000.00"),
        purpose="Prepayment top-up for November",
        user_id="usr-sp-admin",
        now=AT,
    )
    contracts.review(first.contract_id, approve=True, note=None, user_id="usr-ops-reviewer", now=AT)
    contracts.create(
        customer_id=resellers[1],
        amount=Decimal("12800.00"),
        purpose="Top-up before the year-end promotion",
        user_id="usr-sp-operator",
        now=AT,
    )
