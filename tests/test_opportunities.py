"""R21: opportunities shared with the partner, and GMV derived from the transaction only."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strawberry.relay import GlobalID

from partner_center.core.ids import new_id
from partner_center.incentives.opportunities import (
    COUNTS_TOWARD_GMV,
    Deal,
    Opportunity,
    OpportunityStatus,
    TransactionMethod,
    gmv,
)
from partner_center.incentives.opportunity_store import OpportunityStore
from tests.conftest import Api
from tests.incentives_support import admin, bearer, fresh_partner

GMV = """query($period: String!) {
  gmv(period: $period) {
    period amount { amount currency } dealCount
    byMethod { method countsTowardGmv amount { amount } dealCount }
  }
}"""
OPPORTUNITIES = """query($first: Int, $after: String, $filter: OpportunityFilter) {
  opportunities(first: $first, after: $after, filter: $filter) {
    edges { node { id title customerName status sharedViaPce sharedOn
                   estimatedAmount { amount }
                   transaction { method amount { amount } transactedOn countsTowardGmv } } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def opportunity(
    partner: str,
    *,
    shared: bool,
    method: TransactionMethod | None,
    amount: str = "1000.00",
    on: date = date(2026, 9, 15),
    status: OpportunityStatus = OpportunityStatus.CONFIRMED,
) -> Opportunity:
    deal = Deal(method=method, amount=Decimal(amount), transacted_on=on) if method else None
    return OpportunityStore(partner).add(
        Opportunity(
            partner_id=partner,
            opportunity_id=new_id(),
            title="云迁移项目",
            customer_name="某公司",
            status=status,
            shared_via_pce=shared,
            estimated_amount=Decimal("5000.00"),
            shared_on=date(2026, 8, 1),
            deal=deal,
        )
    )


async def gmv_of(api: Api, partner: str, period: str) -> dict[str, Any]:
    response = await api.post(None, GMV, {"period": period}, authorization=bearer(admin(partner)))
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["gmv"]


# -- the rule (pure) -----------------------------------------------------------------------------


def test_r21_only_the_transaction_method_decides() -> None:
    assert COUNTS_TOWARD_GMV == {
        TransactionMethod.RESELLER: True,
        TransactionMethod.ADVISORY: True,
        TransactionMethod.MARKETPLACE: True,
        TransactionMethod.PROVIDER_DIRECT: False,
    }
    # GMV is computed from deals, and a deal has no sharing flag to read.
    assert "shared" not in " ".join(f.name for f in dataclasses.fields(Deal))


DEALS = st.lists(
    st.builds(
        Deal,
        method=st.sampled_from(list(TransactionMethod)),
        amount=st.integers(min_value=1, max_value=10**9).map(lambda c: Decimal(c).scaleb(-2)),
        transacted_on=st.dates(min_value=date(2026, 7, 1), max_value=date(2026, 11, 30)),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(deals=DEALS, month=st.integers(min_value=7, max_value=11))
def test_r21_property_gmv_is_the_sum_of_counting_deals_of_the_month(
    deals: list[Deal], month: int
) -> None:
    period = f"2026-{month:02d}"
    figure = gmv(deals, period)
    counted = [d for d in deals if d.period == period and COUNTS_TOWARD_GMV[d.method]]
    assert figure.amount == sum((d.amount for d in counted), Decimal(0))
    assert figure.deals == len(counted)
    everything = [d for d in deals if d.period == period]
    assert sum(f.amount for f in figure.by_method) == sum(d.amount for d in everything)


# -- against the store and the API ---------------------------------------------------------------


async def test_r21_gmv_ignores_the_sharing_flag(api: Api, local_env: Any) -> None:
    shared, unshared = fresh_partner(), fresh_partner()
    for method in [*TransactionMethod, TransactionMethod.RESELLER]:
        opportunity(shared, shared=True, method=method)
        opportunity(unshared, shared=False, method=method)
    one, other = await gmv_of(api, shared, "2026-09"), await gmv_of(api, unshared, "2026-09")
    assert one == other
    assert one["amount"] == {"amount": "4000.00", "currency": "CNY"}  # 4 counting deals
    assert one["dealCount"] == 4


async def test_r21_a_shared_deal_the_provider_sold_directly_does_not_count(
    api: Api, local_env: Any
) -> None:
    partner = fresh_partner()
    opportunity(partner, shared=True, method=TransactionMethod.PROVIDER_DIRECT, amount="9000.00")
    opportunity(partner, shared=False, method=TransactionMethod.RESELLER, amount="120.50")
    opportunity(partner, shared=True, method=None)  # never transacted
    figure = await gmv_of(api, partner, "2026-09")
    assert figure["amount"]["amount"] == "120.50" and figure["dealCount"] == 1
    direct = next(m for m in figure["byMethod"] if m["method"] == "PROVIDER_DIRECT")
    assert direct == {
        "method": "PROVIDER_DIRECT",
        "countsTowardGmv": False,
        "amount": {"amount": "9000.00"},
        "dealCount": 1,
    }


async def test_r21_gmv_counts_the_month_the_deal_was_transacted(api: Api, local_env: Any) -> None:
    partner = fresh_partner()
    opportunity(
        partner,
        shared=True,
        method=TransactionMethod.ADVISORY,
        amount="10.00",
        on=date(2026, 9, 30),
    )
    opportunity(
        partner,
        shared=True,
        method=TransactionMethod.ADVISORY,
        amount="20.00",
        on=date(2026, 10, 1),
    )
    assert (await gmv_of(api, partner, "2026-09"))["amount"]["amount"] == "10.00"
    assert (await gmv_of(api, partner, "2026-10"))["amount"]["amount"] == "20.00"
    assert (await gmv_of(api, partner, "2026-11"))["amount"]["amount"] == "0.00"


@pytest.mark.parametrize("period", ["2026-9", "2026-00", "september", "2026-09-01"])
async def test_r21_gmv_refuses_a_period_that_is_not_a_month(api: Api, period: str) -> None:
    body = await api.gql("sp-admin", GMV, {"period": period})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_r21_demo_gmv_matches_its_opportunities(api: Api, demo: Any) -> None:
    nodes = await all_opportunities(api, "sp-admin")
    for period in ("2026-08", "2026-09", "2026-10"):
        expected = sum(
            (
                Decimal(n["transaction"]["amount"]["amount"])
                for n in nodes
                if n["transaction"]
                and n["transaction"]["countsTowardGmv"]
                and n["transaction"]["transactedOn"].startswith(period)
            ),
            Decimal(0),
        )
        body = await api.gql("sp-admin", GMV, {"period": period})
        assert Decimal(body["data"]["gmv"]["amount"]["amount"]) == expected
    # The demo shows the point of R21 both ways.
    deals = [(n["sharedViaPce"], n["transaction"]) for n in nodes if n["transaction"]]
    assert any(shared and not t["countsTowardGmv"] for shared, t in deals)
    assert any(not shared and t["countsTowardGmv"] for shared, t in deals)


async def all_opportunities(
    api: Api, login: str, flt: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    nodes, after = [], None
    while True:
        body = await api.gql(login, OPPORTUNITIES, {"first": 10, "after": after, "filter": flt})
        assert "errors" not in body, body
        page = body["data"]["opportunities"]
        nodes += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


async def test_opportunities_in_every_status_filtered_and_paged(api: Api, demo: Any) -> None:
    everything = await all_opportunities(api, "sp-admin")
    assert {n["status"] for n in everything} == {s.name for s in OpportunityStatus}
    assert len({n["id"] for n in everything}) == len(everything) == 24
    closed = await all_opportunities(api, "sp-admin", {"statuses": ["CLOSED", "CONFIRMED"]})
    assert closed == [n for n in everything if n["status"] in ("CLOSED", "CONFIRMED")]
    assert await all_opportunities(api, "sp-admin", {"statuses": []}) == []


async def test_opportunities_are_per_partner(api: Api, demo: Any) -> None:
    mine = (await all_opportunities(api, "sp-admin"))[0]["id"]
    query = "query($id: ID!) { node(id: $id) { id ... on Opportunity { title } } }"
    assert (await api.gql("sp-admin", query, {"id": mine}))["data"]["node"]["id"] == mine
    assert (await api.gql("sp2-admin", query, {"id": mine}))["data"]["node"] is None
    assert (await api.gql("sp-operator", query, {"id": mine}))["data"]["node"] is None
    assert GlobalID.from_id(mine).type_name == "Opportunity"


async def test_opportunities_page_size_is_bounded(api: Api) -> None:
    body = await api.gql("sp-admin", OPPORTUNITIES, {"first": 101})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
