"""Partner bills through the API: R1/R2 permissions, availability (R11/R12), the
figures (R4), the status changes and their refusals, idempotency, tenant isolation."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from strawberry.relay import GlobalID

from partner_center.bills import service as bill_service
from partner_center.bills.generation import generate
from partner_center.bills.months import Month
from partner_center.core.auth import Menu, Role
from partner_center.core.clock import BEIJING
from tests.bills_support import Partner, new_partner, ops_token, partner_gid, scoped_gid
from tests.conftest import Api
from tests.helpers import leaked

BILL = """
query($month: String!, $first: Int, $after: String, $partnerId: ID) {
  partnerBill(month: $month, partnerId: $partnerId) {
    month availability message dueAt
    bill {
      id month status detailCount itemCount customerCount dataAsOf
      consumptionTotal { amount currency } adjustmentTotal { amount } amountDue { amount }
      adjustments { id amount { amount } reason }
      items(first: $first, after: $after) {
        edges { cursor node { id seq customer customerName product billingMode
                             amount { amount } detailCount } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}"""

BILLS = """query($first: Int, $after: String, $partnerId: ID) {
  partnerBills(first: $first, after: $after, partnerId: $partnerId) {
  edges { node { id month status } } pageInfo { hasNextPage endCursor } } }"""

NODE = "query($id: ID!) { node(id: $id) { id ... on PartnerBill { month amountDue { amount } } } }"

CONFIRM = """mutation($input: ConfirmPartnerBillInput!) { confirmPartnerBill(input: $input) {
  bill { id status confirmedAt } errors { code field message } } }"""
ADJUST = """mutation($input: AdjustPartnerBillInput!) { adjustPartnerBill(input: $input) {
  bill { id status adjustmentTotal { amount } amountDue { amount } }
  adjustment { id amount { amount } reason } errors { code field message } } }"""
PAID = """mutation($input: MarkPartnerBillPaidInput!) { markPartnerBillPaid(input: $input) {
  bill { id status paidAt paymentReference } errors { code field message } } }"""


def codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


def bill_gid(month: str, partner_id: str = "ptn-sp-001") -> str:
    return scoped_gid("PartnerBill", partner_id, month)


async def as_token(
    api: Api, token: str, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await api.post(None, query, variables, authorization=f"Bearer {token}")
    assert response.status_code == 200, response.text
    return response.json()


def reseller_total(demo: Any, partner_id: str, month: str) -> Decimal:
    association = {
        c.customer_id: c.association for c in demo.customers if c.partner_id == partner_id
    }
    return sum(
        (
            line.amount
            for line in demo.lines
            if line.partner_id == partner_id
            and line.bill_date.startswith(month)
            and association[line.customer_id] == "reseller"
        ),
        Decimal(0),
    )


# -- reading ---------------------------------------------------------------------------------


async def test_r4_the_demo_bill_agrees_with_its_details_to_the_cent(api: Api, demo: Any) -> None:
    body = await api.gql("sp-operator", BILL, {"month": "2026-10", "first": 100})
    assert "errors" not in body, body
    view = body["data"]["partnerBill"]
    assert view["availability"] == "AVAILABLE"
    bill = view["bill"]
    expected = reseller_total(demo, "ptn-sp-001", "2026-10")
    assert Decimal(bill["consumptionTotal"]["amount"]) == expected
    assert bill["consumptionTotal"]["currency"] == "CNY"
    # The demo October bill carries a 100.00 credit.
    assert Decimal(bill["adjustmentTotal"]["amount"]) == Decimal("-100.00")
    assert Decimal(bill["amountDue"]["amount"]) == expected - Decimal("100.00")
    # Every item page, summed, is the total.
    total, after, items = Decimal(0), None, []
    while True:
        page = (
            await api.gql("sp-operator", BILL, {"month": "2026-10", "first": 100, "after": after})
        )["data"]["partnerBill"]
        connection = page["bill"]["items"]
        items += [e["node"] for e in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    total = sum((Decimal(i["amount"]["amount"]) for i in items), Decimal(0))
    assert len(items) == bill["itemCount"] and total == expected
    assert sum(i["detailCount"] for i in items) == bill["detailCount"]
    # R1: customer names are customers-menu data, shown masked on the bill.
    assert all("*" in i["customerName"] for i in items)
    assert leaked(str(items), demo) == []
    assert any(i["billingMode"] == "peak_95" and i["product"] == "CDN" for i in items)


async def test_r11_a_month_still_running_says_so_and_shows_no_bill(api: Api) -> None:
    body = await api.gql("sp-admin", BILL, {"month": "2999-12"})
    view = body["data"]["partnerBill"]
    assert view["availability"] == "MONTH_NOT_ENDED" and view["bill"] is None
    assert "not ended" in view["message"]


@pytest.mark.parametrize(
    ("now", "availability"),
    [
        (datetime(2026, 12, 5, 11, 59, 59, tzinfo=BEIJING), "PENDING"),
        (datetime(2026, 12, 5, 12, 0, tzinfo=BEIJING), "OVERDUE"),
        (datetime(2026, 11, 30, 23, 59, tzinfo=BEIJING), "MONTH_NOT_ENDED"),
    ],
)
async def test_r11_before_noon_on_the_fifth_the_bill_is_not_generated_yet(
    api: Api, monkeypatch: pytest.MonkeyPatch, now: datetime, availability: str
) -> None:
    monkeypatch.setattr(bill_service, "now", lambda: now.astimezone(UTC))
    body = await api.gql("sp2-admin", BILL, {"month": "2026-11"})
    view = body["data"]["partnerBill"]
    assert view["availability"] == availability
    assert view["bill"] is None  # never a partial bill from the consumption so far
    assert view["dueAt"].startswith("2026-12-05T04:00:00")


@pytest.mark.parametrize("month", ["2026-13", "Oct 2026", "2026-10-01", ""])
async def test_a_malformed_month_is_bad_input(api: Api, month: str) -> None:
    body = await api.gql("sp-admin", BILL, {"month": month})
    assert codes(body) == ["BAD_USER_INPUT"] and body["data"] is None


@pytest.mark.parametrize("login", ["sp-operator-noperm", "sp-manager-1", "sp-staff-1"])
async def test_r1_billing_pages_need_the_billing_permission(api: Api, login: str) -> None:
    for query, variables in ((BILL, {"month": "2026-10"}), (BILLS, {})):
        body = await api.gql(login, query, variables)
        assert codes(body) == ["FORBIDDEN"], (login, body)
        assert body["data"] is None


async def test_r2_a_manager_granted_billing_still_sees_no_partner_bill(api: Api) -> None:
    partner = new_partner()
    token = partner.token(Role.CUSTOMER_MANAGER, frozenset({Menu.BILLING}))
    body = await as_token(api, token, BILLS)
    assert codes(body) == ["FORBIDDEN"]


async def test_the_bill_list_is_newest_first_and_paged(api: Api) -> None:
    body = await api.gql("sp-admin", BILLS, {"first": 2})
    connection = body["data"]["partnerBills"]
    assert [e["node"]["month"] for e in connection["edges"]] == ["2026-10", "2026-09"]
    assert [e["node"]["status"] for e in connection["edges"]] == ["GENERATED", "CONFIRMED"]
    after = connection["pageInfo"]["endCursor"]
    rest = (await api.gql("sp-admin", BILLS, {"first": 2, "after": after}))["data"]
    assert [e["node"]["month"] for e in rest["partnerBills"]["edges"]] == ["2026-08"]
    assert (await api.gql("sp-admin", BILLS, {"first": 101}))["errors"][0]["extensions"][
        "code"
    ] == "BAD_USER_INPUT"
    # A cursor of another connection is refused.
    foreign = (await api.gql("sp-admin", BILL, {"month": "2026-10", "first": 1}))["data"][
        "partnerBill"
    ]["bill"]["items"]["pageInfo"]["endCursor"]
    assert codes(await api.gql("sp-admin", BILLS, {"after": foreign})) == ["BAD_USER_INPUT"]


async def test_tenants_see_only_their_own_bill(api: Api, demo: Any) -> None:
    sp2_bill = bill_gid("2026-10", "ptn-sp-002")
    own = (await api.gql("sp2-admin", NODE, {"id": sp2_bill}))["data"]["node"]
    assert Decimal(own["amountDue"]["amount"]) == reseller_total(demo, "ptn-sp-002", "2026-10")
    sp1 = (await api.gql("sp-admin", NODE, {"id": bill_gid("2026-10")}))["data"]["node"]
    assert own["amountDue"] != sp1["amountDue"]
    # Another partner's bill ID is null, like any ID the caller may not see.
    assert (await api.gql("sp-admin", NODE, {"id": sp2_bill}))["data"]["node"] is None
    assert (await api.gql("sp2-admin", NODE, {"id": bill_gid("2026-10")}))["data"]["node"] is None
    assert (await api.gql("sp-admin", NODE, {"id": str(GlobalID("PartnerBill", "2026-10"))}))[
        "data"
    ]["node"] is None
    # Naming another partner in a query is refused outright.
    other = await api.gql(
        "sp-admin", BILL, {"month": "2026-10", "partnerId": partner_gid("ptn-sp-002")}
    )
    assert codes(other) == ["FORBIDDEN"]
    # Someone without the billing menu gets null, as for any ID it may not see.
    assert (await api.gql("sp-operator-noperm", NODE, {"id": bill_gid("2026-10")}))["data"][
        "node"
    ] is None
    assert (await api.gql("sp-admin", NODE, {"id": bill_gid("2026-13")}))["data"]["node"] is None
    item = scoped_gid("PartnerBillItem", "ptn-sp-001", "2026-10:1")
    node = (await api.gql("sp-admin", "query($id: ID!) { node(id: $id) { id } }", {"id": item}))[
        "data"
    ]["node"]
    assert node == {"id": item}


async def test_the_channel_only_distributor_has_a_zero_bill(api: Api) -> None:
    body = await api.gql("md-admin", BILL, {"month": "2026-10"})
    bill = body["data"]["partnerBill"]["bill"]
    assert bill["consumptionTotal"]["amount"] == "0.00" and bill["itemCount"] == 0


# -- changes -----------------------------------------------------------------------------------


@pytest.fixture
async def billed(local_env: Any) -> Partner:
    partner = new_partner("api")
    customer = partner.customer("reseller")
    partner.charge(customer, datetime(2026, 9, 10, 2, tzinfo=UTC), "500.00")
    partner.charge(customer, datetime(2026, 9, 11, 2, tzinfo=UTC), "0.55")
    generate(partner.partner_id, Month(2026, 9), datetime(2026, 10, 4, 18, tzinfo=UTC))
    return partner


async def test_bill_status_moves_generated_confirmed_paid(api: Api, billed: Partner) -> None:
    admin, ops = billed.token(), ops_token()
    gid = bill_gid("2026-09", billed.partner_id)
    # Paying before the partner confirmed is refused.
    early = await as_token(api, ops, PAID, {"input": {"billId": gid, "paymentReference": "TX-1"}})
    assert early["data"]["markPartnerBillPaid"]["errors"][0]["code"] == "INVALID_STATUS"
    confirmed = await as_token(api, admin, CONFIRM, {"input": {"billId": gid}})
    assert confirmed["data"]["confirmPartnerBill"]["bill"]["status"] == "CONFIRMED"
    again = await as_token(api, admin, CONFIRM, {"input": {"billId": gid}})
    assert again["data"]["confirmPartnerBill"]["errors"][0]["code"] == "INVALID_STATUS"
    # A confirmed bill is final: no more adjustments.
    late = await as_token(
        api, ops, ADJUST, {"input": {"billId": gid, "amount": "-1.00", "reason": "late credit"}}
    )
    assert late["data"]["adjustPartnerBill"]["errors"][0]["code"] == "INVALID_STATUS"
    paid = await as_token(
        api, ops, PAID, {"input": {"billId": gid, "paymentReference": "CMB-2026-10-01"}}
    )
    bill = paid["data"]["markPartnerBillPaid"]["bill"]
    assert bill["status"] == "PAID" and bill["paymentReference"] == "CMB-2026-10-01"


async def test_adjustments_move_the_amount_due_and_never_below_zero(
    api: Api, billed: Partner
) -> None:
    ops = ops_token()
    gid = bill_gid("2026-09", billed.partner_id)
    debit = await as_token(
        api,
        ops,
        ADJUST,
        {
            "input": {
                "billId": gid,
                "amount": "10.45",
                "reason": "Support plan",
                "idempotencyKey": "a1",
            }
        },
    )
    payload = debit["data"]["adjustPartnerBill"]
    assert payload["errors"] == []
    assert payload["bill"]["amountDue"]["amount"] == "511.00"
    assert payload["adjustment"]["amount"]["amount"] == "10.45"
    # The same key and input: the first result, not a second adjustment.
    replay = await as_token(
        api,
        ops,
        ADJUST,
        {
            "input": {
                "billId": gid,
                "amount": "10.45",
                "reason": "Support plan",
                "idempotencyKey": "a1",
            }
        },
    )
    assert replay["data"]["adjustPartnerBill"]["adjustment"]["id"] == payload["adjustment"]["id"]
    assert replay["data"]["adjustPartnerBill"]["bill"]["amountDue"]["amount"] == "511.00"
    reused = await as_token(
        api,
        ops,
        ADJUST,
        {
            "input": {
                "billId": gid,
                "amount": "10.46",
                "reason": "Support plan",
                "idempotencyKey": "a1",
            }
        },
    )
    assert reused["data"]["adjustPartnerBill"]["errors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"
    too_much = await as_token(
        api, ops, ADJUST, {"input": {"billId": gid, "amount": "-511.01", "reason": "credit"}}
    )
    assert too_much["data"]["adjustPartnerBill"]["errors"][0]["code"] == "AMOUNT_DUE_NEGATIVE"
    exact = await as_token(
        api, ops, ADJUST, {"input": {"billId": gid, "amount": "-511.00", "reason": "waived"}}
    )
    assert exact["data"]["adjustPartnerBill"]["bill"]["amountDue"]["amount"] == "0.00"


@pytest.mark.parametrize(
    ("amount", "reason", "field"),
    [
        ("0", "x", "amount"),
        ("1.005", "x", "amount"),
        ("abc", "x", "amount"),
        ("1e400", "x", "amount"),
        ("NaN", "x", "amount"),
        ("10.00", "", "reason"),
        ("10.00", "r" * 201, "reason"),
    ],
)
async def test_bad_adjustments_are_refused_with_the_field(
    api: Api, billed: Partner, amount: str, reason: str, field: str
) -> None:
    ops = ops_token()
    body = await as_token(
        api,
        ops,
        ADJUST,
        {
            "input": {
                "billId": bill_gid("2026-09", billed.partner_id),
                "amount": amount,
                "reason": reason,
            }
        },
    )
    error = body["data"]["adjustPartnerBill"]["errors"][0]
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", field)
    assert amount not in error["message"] or amount in ("0",)


async def test_who_may_change_a_bill(api: Api, billed: Partner) -> None:
    gid = bill_gid("2026-09", billed.partner_id)
    ops = ops_token()
    admin = billed.token()
    noperm = billed.token(Role.OPERATOR, frozenset())
    # The provider cannot confirm for the partner; the partner cannot adjust or mark paid.
    assert codes(await as_token(api, ops, CONFIRM, {"input": {"billId": gid}})) == ["FORBIDDEN"]
    assert codes(
        await as_token(
            api, admin, ADJUST, {"input": {"billId": gid, "amount": "-1.00", "reason": "x"}}
        )
    ) == ["FORBIDDEN"]
    assert codes(
        await as_token(api, admin, PAID, {"input": {"billId": gid, "paymentReference": "X"}})
    ) == ["FORBIDDEN"]
    assert codes(await as_token(api, noperm, CONFIRM, {"input": {"billId": gid}})) == ["FORBIDDEN"]


async def test_bad_bill_ids_are_refused_in_the_payload(api: Api, billed: Partner) -> None:
    admin = billed.token()
    wrong_type = str(GlobalID("Job", "2026-09"))
    body = await as_token(api, admin, CONFIRM, {"input": {"billId": wrong_type}})
    assert body["data"]["confirmPartnerBill"]["errors"][0]["field"] == "billId"
    missing = await as_token(
        api, admin, CONFIRM, {"input": {"billId": bill_gid("2026-07", billed.partner_id)}}
    )
    assert missing["data"]["confirmPartnerBill"]["errors"][0]["code"] == "NOT_FOUND"
    unscoped = await as_token(
        api, admin, CONFIRM, {"input": {"billId": str(GlobalID("PartnerBill", "2026-09"))}}
    )
    assert unscoped["data"]["confirmPartnerBill"]["errors"][0]["field"] == "billId"
    garbage = await as_token(api, admin, CONFIRM, {"input": {"billId": "not-a-global-id"}})
    assert garbage.get("errors") or garbage["data"]["confirmPartnerBill"]["errors"]
    # Another partner's bill does not exist for this one, and stays unconfirmed.
    other = await api.gql(
        "sp2-admin", CONFIRM, {"input": {"billId": bill_gid("2026-09", billed.partner_id)}}
    )
    assert other["data"]["confirmPartnerBill"]["errors"][0]["code"] == "NOT_FOUND"
    view = await as_token(api, admin, BILL, {"month": "2026-09"})
    assert view["data"]["partnerBill"]["bill"]["status"] == "GENERATED"


async def test_the_providers_operations_name_the_partner_they_read(api: Api, demo: Any) -> None:
    ops = ops_token()
    missing = await as_token(api, ops, BILL, {"month": "2026-10"})
    assert codes(missing) == ["BAD_USER_INPUT"]
    assert missing["errors"][0]["extensions"]["field"] == "partnerId"
    for partner_id in ("ptn-sp-001", "ptn-sp-002"):
        body = await as_token(
            api, ops, BILL, {"month": "2026-10", "partnerId": partner_gid(partner_id)}
        )
        bill = body["data"]["partnerBill"]["bill"]
        assert bill["id"] == bill_gid("2026-10", partner_id)
        assert Decimal(bill["consumptionTotal"]["amount"]) == reseller_total(
            demo, partner_id, "2026-10"
        )
    listed = await as_token(api, ops, BILLS, {"partnerId": partner_gid("ptn-sp-002")})
    assert len(listed["data"]["partnerBills"]["edges"]) == 3
    node = await as_token(api, ops, NODE, {"id": bill_gid("2026-09", "ptn-sp-002")})
    assert node["data"]["node"]["month"] == "2026-09"
    wrong = await as_token(api, ops, BILLS, {"partnerId": str(GlobalID("Customer", "x"))})
    assert codes(wrong) == ["BAD_USER_INPUT"]


async def test_a_provider_token_naming_one_partner_reviews_that_partner_only(
    api: Api, demo: Any
) -> None:
    # `provider-ops` is the provider's operations on a token that names ptn-sp-001.
    own = await api.gql("provider-ops", BILL, {"month": "2026-10"})
    assert own["data"]["partnerBill"]["bill"]["id"] == bill_gid("2026-10")
    other = await api.gql(
        "provider-ops", BILL, {"month": "2026-10", "partnerId": partner_gid("ptn-sp-002")}
    )
    assert codes(other) == ["FORBIDDEN"]
    refused = await api.gql(
        "provider-ops",
        ADJUST,
        {"input": {"billId": bill_gid("2026-10", "ptn-sp-002"), "amount": "-1.00", "reason": "x"}},
    )
    assert refused["data"]["adjustPartnerBill"]["errors"][0]["code"] == "NOT_FOUND"
    assert (await api.gql("provider-ops", NODE, {"id": bill_gid("2026-10", "ptn-sp-002")}))["data"][
        "node"
    ] is None
