"""Marketplace through the API: permissions (R1), share links and attribution (R8), the
split and the bills it adds up to, transactions, and invoice requests."""

from __future__ import annotations

import asyncio
import itertools
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from strawberry.relay import GlobalID

from partner_center.config import get_settings
from partner_center.core.auth import Menu, issue_token
from partner_center.core.clock import BEIJING, utcnow
from partner_center.local import demo_data
from partner_center.local.demo.marketplace import tax_number
from partner_center.marketplace import tokens
from partner_center.marketplace.attribution import Attribution
from partner_center.marketplace.bills import BillStore, month_of
from partner_center.marketplace.catalog import get_product
from partner_center.marketplace.eligibility import CSP_PROGRAM, set_programs
from partner_center.marketplace.invoices import (
    InvoiceRequest,
    InvoiceRequestStore,
    InvoiceStatus,
    InvoiceType,
)
from partner_center.marketplace.orders import Buyer, OrderRequest, build_transaction, place_order
from partner_center.marketplace.transactions import TransactionStore
from partner_center.storage.models import DirectoryItem
from tests.conftest import Api

PRODUCTS = """
query($first: Int, $after: String, $filter: MarketplaceProductFilter) {
  marketplaceProducts(first: $first, after: $after, filter: $filter) {
    edges { node { id name category shareable pricePlans { id price { amount currency } }
                   splitRule { publisherPercent providerPercent platformPercent }
                   shareEligibility { eligible reason } } }
    pageInfo { hasNextPage endCursor }
  }
}"""

CREATE_LINK = """
mutation($input: CreateMarketplaceShareLinkInput!) {
  createMarketplaceShareLink(input: $input) {
    shareLink { id url token status expiresAt product productName }
    errors { code field message }
  }
}"""

REVOKE_LINK = """
mutation($input: RevokeMarketplaceShareLinkInput!) {
  revokeMarketplaceShareLink(input: $input) {
    shareLink { id status revokedAt }
    errors { code field message }
  }
}"""

PLACE_ORDER = """
mutation($input: PlaceMarketplaceOrderInput!) {
  placeMarketplaceOrder(input: $input) {
    order { orderId placedAt attributed provider shareLink unattributedReason quantity
            amount { amount currency } publisherShare { amount } providerShare { amount }
            platformShare { amount } }
    errors { code field message }
  }
}"""

BILLS = """
query($first: Int, $after: String, $filter: MarketplaceBillFilter) {
  marketplaceBills(first: $first, after: $after, filter: $filter) {
    edges { node { id month category status transactionCount orderAmount { amount }
                   publisherShare { amount } providerShare { amount }
                   platformShare { amount } invoiced exportable } }
    pageInfo { hasNextPage endCursor }
  }
}"""

BILL = """
query($id: ID!) {
  marketplaceBill(id: $id) {
    id month status transactionCount orderAmount { amount } providerShare { amount }
    publisherShare { amount } platformShare { amount } invoiced
    invoiceRequests { id status title taxNumber type amount { amount } invoiceNumber
                      rejectionReason }
  }
}"""

TRANSACTIONS = """
query($billId: ID!, $first: Int, $after: String, $filter: MarketplaceTransactionFilter) {
  marketplaceTransactions(billId: $billId, first: $first, after: $after, filter: $filter) {
    edges { cursor node { id orderId placedAt product amount { amount }
                          providerShare { amount } attributed shareLink
                          buyerName buyerPhone buyerEmail } }
    pageInfo { hasNextPage endCursor }
  }
}"""

REQUEST_INVOICE = """
mutation($input: RequestMarketplaceInvoiceInput!) {
  requestMarketplaceInvoice(input: $input) {
    invoiceRequest { id status bill title taxNumber type amount { amount } }
    errors { code field message }
  }
}"""

REVIEW_INVOICE = """
mutation($input: ReviewMarketplaceInvoiceRequestInput!) {
  reviewMarketplaceInvoiceRequest(input: $input) {
    invoiceRequest { id status invoiceNumber rejectionReason }
    errors { code field message }
  }
}"""

PENDING = """
query($first: Int, $after: String) {
  pendingMarketplaceInvoiceRequests(first: $first, after: $after) {
    edges { node { id partner bill status } }
    pageInfo { hasNextPage endCursor }
  }
}"""

UNATTRIBUTED = """
query($month: String!, $first: Int, $after: String) {
  unattributedMarketplaceOrders(month: $month, first: $first, after: $after) {
    edges { node { orderId attributed unattributedReason providerShare { amount }
                   platformShare { amount } } }
    pageInfo { hasNextPage endCursor }
  }
}"""

NODE = "query($id: ID!) { node(id: $id) { id } }"


def gid(type_name: str, node_id: str) -> str:
    return str(GlobalID(type_name, node_id))


def mbill(bill_id: str, partner_id: str = "ptn-sp-001") -> str:
    """A marketplace bill's global ID: bill IDs repeat across partners, the ID names one."""
    return gid("MarketplaceBill", f"{partner_id}:{bill_id}")


ERP = gid("MarketplaceProduct", "mp-sol-erp")
CRM = gid("MarketplaceProduct", "mp-saas-crm")


def data(body: dict[str, Any], field: str) -> Any:
    assert "errors" not in body, body
    return body["data"][field]


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def create_link(
    api: Api, login: str = "sp-admin", product: str = ERP, **extra: Any
) -> dict[str, Any]:
    body = await api.gql(login, CREATE_LINK, {"input": {"productId": product, **extra}})
    payload = data(body, "createMarketplaceShareLink")
    assert payload["errors"] == [], payload
    return payload["shareLink"]


def link_params(link: dict[str, Any]) -> tuple[str, str]:
    query = parse_qs(urlparse(link["url"]).query)
    return query["ref"][0], query["st"][0]


async def order(
    api: Api,
    ref: str | None,
    token: str | None,
    product: str = ERP,
    plan: str = "basic",
    quantity: int = 1,
    key: str | None = None,
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "productId": product,
        "pricePlanId": plan,
        "quantity": quantity,
        "buyer": {"name": "王小明", "phone": "13812345678", "email": "xiaoming@example.com"},
        "shareLinkRef": ref,
        "shareToken": token,
    }
    if key:
        value["idempotencyKey"] = key
    payload = data(
        await api.gql("storefront", PLACE_ORDER, {"input": value}), "placeMarketplaceOrder"
    )
    assert payload["errors"] == [], payload
    return payload["order"]


def edit_char(token: str, position: int) -> str:
    original = token[position]
    replacement = "A" if original != "A" else "B"
    return token[:position] + replacement + token[position + 1 :]


# -- R1: who may call what -------------------------------------------------------------


@pytest.mark.parametrize("query", [PRODUCTS, BILLS])
async def test_r1_without_the_marketplace_menu_is_forbidden_not_empty(api: Api, query: str) -> None:
    for login in ("sp-operator-noperm", "sp-operator", "sp-manager-1", "storefront"):
        body = await api.gql(login, query)
        assert codes(body) == ["FORBIDDEN"], (login, body)
        assert body["data"] is None


async def test_r1_only_the_storefront_places_orders(api: Api) -> None:
    ref, token = link_params(await create_link(api))
    variables = {
        "input": {
            "productId": ERP,
            "pricePlanId": "basic",
            "buyer": {"name": "王小明"},
            "shareLinkRef": ref,
            "shareToken": token,
        }
    }
    for login in ("sp-admin", "sp2-admin", "ops-reviewer"):
        body = await api.gql(login, PLACE_ORDER, variables)
        assert codes(body) == ["FORBIDDEN"], login


async def test_r1_only_operations_review_invoices_and_see_unattributed_orders(api: Api) -> None:
    for login in ("sp-admin", "storefront"):
        assert codes(await api.gql(login, PENDING)) == ["FORBIDDEN"]
        assert codes(await api.gql(login, UNATTRIBUTED, {"month": "2026-09"})) == ["FORBIDDEN"]


async def test_r1_the_buyer_in_full_is_for_administrators_only(api: Api) -> None:
    query = """query($billId: ID!) { marketplaceTransactions(billId: $billId, first: 1) {
      edges { node { buyerName buyerContact { name phone email } } } } }"""
    bill = mbill("2026-09.product_solution")
    admin = data(await api.gql("sp-admin", query, {"billId": bill}), "marketplaceTransactions")
    node = admin["edges"][0]["node"]
    assert node["buyerContact"]["name"] and node["buyerName"].endswith("**")
    assert node["buyerContact"]["name"] != node["buyerName"]
    # An operator granted the marketplace menu (in the partner directory, which is what
    # decides grants) sees the masked values only.
    operator = replace(
        demo_data.principal("sp-operator"),
        user_id="usr-t-mkt-operator",
        login="t-mkt-operator",
        permissions=frozenset({Menu.MARKETPLACE}),
    )
    record = DirectoryItem(
        operator.partner_id,
        f"USER#{operator.user_id}",
        name="测试操作员",
        login=operator.login,
        role=operator.role.value,
        permissions={Menu.MARKETPLACE.value},
    )
    record.save()
    try:
        token = issue_token(operator, get_settings())
        response = await api.post(None, query, {"billId": bill}, authorization=f"Bearer {token}")
    finally:
        record.delete()
    body = response.json()
    assert codes(body) == ["FORBIDDEN"]
    assert body["data"]["marketplaceTransactions"]["edges"][0]["node"]["buyerContact"] is None


# -- products and share links (R8) ------------------------------------------------------


async def test_products_list_shows_plans_split_and_eligibility(api: Api) -> None:
    found = data(await api.gql("sp-admin", PRODUCTS, {"first": 100}), "marketplaceProducts")
    nodes = {n["node"]["id"]: n["node"] for n in found["edges"]}
    assert gid("MarketplaceProduct", "mp-sol-legacy") not in nodes  # not listed
    erp = nodes[ERP]
    assert erp["category"] == "PRODUCT_SOLUTION"
    assert erp["pricePlans"][0]["price"] == {"amount": "12800.00", "currency": "CNY"}
    assert erp["splitRule"] == {
        "publisherPercent": "70",
        "providerPercent": "20",
        "platformPercent": "10",
    }
    assert erp["shareEligibility"] == {"eligible": True, "reason": None}
    migrate = nodes[gid("MarketplaceProduct", "mp-ps-migrate")]
    assert migrate["shareEligibility"] == {"eligible": False, "reason": "PRODUCT_NOT_SHAREABLE"}
    md = data(await api.gql("md-admin", PRODUCTS, {"first": 100}), "marketplaceProducts")
    assert {n["node"]["shareEligibility"]["reason"] for n in md["edges"]} >= {
        "NOT_SOLUTION_PROVIDER"
    }
    solutions = data(
        await api.gql("sp-admin", PRODUCTS, {"filter": {"category": "PRODUCT_SOLUTION"}}),
        "marketplaceProducts",
    )
    assert {n["node"]["category"] for n in solutions["edges"]} == {"PRODUCT_SOLUTION"}


async def test_products_pagination_is_keyset_and_bounded(api: Api) -> None:
    first = data(await api.gql("sp-admin", PRODUCTS, {"first": 3}), "marketplaceProducts")
    rest = data(
        await api.gql(
            "sp-admin", PRODUCTS, {"first": 100, "after": first["pageInfo"]["endCursor"]}
        ),
        "marketplaceProducts",
    )
    ids = [e["node"]["id"] for e in first["edges"] + rest["edges"]]
    assert first["pageInfo"]["hasNextPage"] and len(ids) == len(set(ids)) == 8
    assert codes(await api.gql("sp-admin", PRODUCTS, {"first": 101})) == ["BAD_USER_INPUT"]
    assert codes(await api.gql("sp-admin", PRODUCTS, {"after": "bm90LWEtY3Vyc29y"})) == [
        "BAD_USER_INPUT"
    ]


async def test_r8_a_provider_in_the_program_gets_a_signed_link(api: Api) -> None:
    link = await create_link(api, validDays=7)
    ref, token = link_params(link)
    assert link["status"] == "ACTIVE" and link["product"] == ERP
    assert token == link["token"] and urlparse(link["url"]).path == "/product/mp-sol-erp"
    # The link carries no secret: neither key appears in it.
    settings = get_settings()
    assert settings.share_link_secret not in link["url"]
    assert settings.jwt_secret not in link["url"]
    expires = datetime.fromisoformat(link["expiresAt"])
    assert timedelta(days=6, hours=23) < expires - utcnow() <= timedelta(days=7)
    listed = data(
        await api.gql(
            "sp-admin",
            """query($f: MarketplaceShareLinkFilter) {
        marketplaceShareLinks(first: 100, filter: $f) { edges { node { id } } } }""",
            {"f": {"productId": ERP}},
        ),
        "marketplaceShareLinks",
    )
    assert link["id"] in [e["node"]["id"] for e in listed["edges"]]
    assert ref == GlobalID.from_id(link["id"]).node_id


async def test_r8_partners_not_in_the_program_get_a_typed_refusal(api: Api) -> None:
    body = await api.gql("md-admin", CREATE_LINK, {"input": {"productId": ERP}})
    payload = data(body, "createMarketplaceShareLink")
    assert payload["shareLink"] is None
    assert [e["code"] for e in payload["errors"]] == ["NOT_SOLUTION_PROVIDER"]
    set_programs("ptn-sp-002", set())
    try:
        payload = data(
            await api.gql("sp2-admin", CREATE_LINK, {"input": {"productId": ERP}}),
            "createMarketplaceShareLink",
        )
        assert payload["errors"][0]["code"] == "NOT_IN_CSP_PROGRAM"
        assert payload["errors"][0]["field"] == "productId"
    finally:
        set_programs("ptn-sp-002", {CSP_PROGRAM})


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"productId": gid("MarketplaceProduct", "mp-ps-migrate")}, "PRODUCT_NOT_SHAREABLE"),
        ({"productId": gid("MarketplaceProduct", "mp-sol-legacy")}, "PRODUCT_NOT_LISTED"),
        ({"productId": gid("MarketplaceProduct", "no-such")}, "NOT_FOUND"),
        ({"productId": gid("Customer", "mp-sol-erp")}, "BAD_USER_INPUT"),
        ({"productId": ERP, "validDays": 0}, "BAD_USER_INPUT"),
        ({"productId": ERP, "validDays": 91}, "BAD_USER_INPUT"),
    ],
)
async def test_r8_bad_link_requests_are_refused_in_the_payload(
    api: Api, variables: dict[str, Any], code: str
) -> None:
    payload = data(
        await api.gql("sp-admin", CREATE_LINK, {"input": variables}), "createMarketplaceShareLink"
    )
    assert [e["code"] for e in payload["errors"]] == [code]


async def test_share_link_creation_is_idempotent(api: Api) -> None:
    variables = {"input": {"productId": CRM, "idempotencyKey": "link-crm-1"}}
    first = data(await api.gql("sp-admin", CREATE_LINK, variables), "createMarketplaceShareLink")
    again = data(await api.gql("sp-admin", CREATE_LINK, variables), "createMarketplaceShareLink")
    assert first == again and first["shareLink"]["id"]
    other = data(
        await api.gql(
            "sp-admin", CREATE_LINK, {"input": {"productId": ERP, "idempotencyKey": "link-crm-1"}}
        ),
        "createMarketplaceShareLink",
    )
    assert other["errors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"


# -- attribution (R8) ------------------------------------------------------------------


async def test_r8_an_order_through_a_link_is_attributed_and_split(api: Api) -> None:
    link = await create_link(api)
    ref, token = link_params(link)
    placed = await order(api, ref, token, quantity=2)
    assert placed["attributed"] is True and placed["unattributedReason"] is None
    assert placed["provider"] == gid("Partner", "ptn-sp-001")
    assert placed["shareLink"] == link["id"]
    assert placed["amount"] == {"amount": "25600.00", "currency": "CNY"}
    assert (
        placed["publisherShare"]["amount"],
        placed["providerShare"]["amount"],
        placed["platformShare"]["amount"],
    ) == ("17920.00", "5120.00", "2560.00")
    # It landed in the provider's partition, on its month's bill, with its link.
    bill_id = mbill(f"{placed_month(placed)}.product_solution")
    found = data(
        await api.gql(
            "sp-admin",
            TRANSACTIONS,
            {
                "billId": bill_id,
                "first": 100,
                "filter": {"minAmount": "25600", "maxAmount": "25600"},
            },
        ),
        "marketplaceTransactions",
    )
    mine = [e["node"] for e in found["edges"] if e["node"]["orderId"] == placed["orderId"]]
    assert len(mine) == 1 and mine[0]["shareLink"] == link["id"]
    # The other provider's bill of the same ID (its own, if any) does not hold it.
    theirs = await api.gql("sp2-admin", TRANSACTIONS, {"billId": bill_id, "first": 100})
    assert placed["orderId"] not in str(theirs)


def placed_month(placed: dict[str, Any]) -> str:
    return month_of(datetime.fromisoformat(placed["placedAt"]))


@pytest.mark.parametrize("where", ["key id", "payload", "signature", "last character"])
async def test_r8_a_token_with_one_changed_character_attributes_nothing(
    api: Api, where: str
) -> None:
    ref, token = link_params(await create_link(api))
    kid, payload, _ = token.split(".")
    position = {
        "key id": 0,
        "payload": len(kid) + 5,
        "signature": len(kid) + len(payload) + 5,
        "last character": len(token) - 1,
    }[where]
    placed = await order(api, ref, edit_char(token, position))
    assert placed["attributed"] is False and placed["provider"] is None
    assert placed["unattributedReason"] in ("UNKNOWN_KEY", "BAD_SIGNATURE", "MALFORMED_TOKEN")
    assert placed["providerShare"]["amount"] == "0.00"
    assert placed["amount"]["amount"] == "12800.00"  # accepted, at the full price


async def test_r8_another_providers_token_pasted_into_this_link_attributes_nothing(
    api: Api,
) -> None:
    mine_ref, _ = link_params(await create_link(api, "sp-admin"))
    _, theirs = link_params(await create_link(api, "sp2-admin"))
    placed = await order(api, mine_ref, theirs)
    assert placed["attributed"] is False
    assert placed["unattributedReason"] == "LINK_MISMATCH"
    # Nor does a provider's genuine token for one product attribute another product.
    ref, token = link_params(await create_link(api, "sp2-admin"))
    placed = await order(api, ref, token, product=CRM, plan="team")
    assert placed["unattributedReason"] == "PRODUCT_MISMATCH"


async def test_r8_an_expired_token_attributes_nothing(api: Api) -> None:
    link = await create_link(api)
    ref, _ = link_params(link)
    # The same link's token, honestly signed with the deployment key, but expired.
    keys = tokens.SigningKeys.from_settings(get_settings())
    expired = tokens.sign(
        tokens.LinkClaims(
            partner_id="ptn-sp-001",
            product_id="mp-sol-erp",
            link_id=ref,
            expires_at=int((utcnow() - timedelta(seconds=1)).timestamp()),
            key_id=keys.current_id,
        ),
        keys,
    )
    placed = await order(api, ref, expired)
    assert placed["attributed"] is False and placed["unattributedReason"] == "EXPIRED"


async def test_r8_a_link_reused_after_its_expiry_attributes_nothing(api: Api) -> None:
    ref, token = link_params(await create_link(api, validDays=1))
    request = OrderRequest(
        product_id="mp-sol-erp",
        price_plan_id="basic",
        quantity=1,
        buyer=Buyer(name="李雷"),
        link_ref=ref,
        token=token,
    )
    storefront = demo_data.principal("storefront")
    later = await asyncio.to_thread(
        place_order, storefront, request, get_settings(), utcnow() + timedelta(days=1, seconds=1)
    )
    assert later.attributed is False and later.unattributed_reason == "expired"
    now = await asyncio.to_thread(place_order, storefront, request, get_settings())
    assert now.attributed is True


async def test_r8_revoked_links_and_providers_leaving_the_program_attribute_nothing(
    api: Api,
) -> None:
    link = await create_link(api, "sp2-admin")
    ref, token = link_params(link)
    set_programs("ptn-sp-002", set())
    try:
        assert (await order(api, ref, token))["unattributedReason"] == "PROVIDER_NOT_IN_PROGRAM"
    finally:
        set_programs("ptn-sp-002", {CSP_PROGRAM})
    assert (await order(api, ref, token))["attributed"] is True
    revoked = data(
        await api.gql("sp2-admin", REVOKE_LINK, {"input": {"linkId": link["id"]}}),
        "revokeMarketplaceShareLink",
    )
    assert revoked["shareLink"]["status"] == "REVOKED"
    again = data(
        await api.gql("sp2-admin", REVOKE_LINK, {"input": {"linkId": link["id"]}}),
        "revokeMarketplaceShareLink",
    )
    assert again["errors"][0]["code"] == "LINK_ALREADY_REVOKED"
    other = data(
        await api.gql("sp-admin", REVOKE_LINK, {"input": {"linkId": link["id"]}}),
        "revokeMarketplaceShareLink",
    )
    assert other["errors"][0]["code"] == "NOT_FOUND"  # another partner's link is not in reach
    assert (await order(api, ref, token))["unattributedReason"] == "LINK_REVOKED"


@pytest.mark.parametrize(
    ("ref", "token", "reason"),
    [
        (None, None, "NO_SHARE_LINK"),
        ("lnk-x", None, "INCOMPLETE_LINK"),
        (None, "a.b.c", "INCOMPLETE_LINK"),
        ("lnk-x", "not-a-token", "MALFORMED_TOKEN"),
    ],
)
async def test_r8_orders_without_a_usable_link_are_accepted_unattributed(
    api: Api, ref: str | None, token: str | None, reason: str
) -> None:
    placed = await order(api, ref, token)
    assert placed["attributed"] is False and placed["unattributedReason"] == reason


async def test_r8_unattributed_orders_land_in_the_platform_partition(api: Api) -> None:
    placed = await order(api, None, None, product=CRM, plan="enterprise", quantity=3)
    assert (
        placed["publisherShare"]["amount"],
        placed["providerShare"]["amount"],
        placed["platformShare"]["amount"],
    ) == ("2397.60", "0.00", "599.40")
    month = placed_month(placed)
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        page = data(
            await api.gql(
                "ops-reviewer", UNATTRIBUTED, {"month": month, "first": 100, "after": after}
            ),
            "unattributedMarketplaceOrders",
        )
        seen += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    mine = next(n for n in seen if n["orderId"] == placed["orderId"])
    assert mine["attributed"] is False and mine["unattributedReason"] == "NO_SHARE_LINK"
    assert all(n["providerShare"]["amount"] == "0.00" for n in seen)
    # No partner sees it: it is in none of their bills.
    for login, partner in (("sp-admin", "ptn-sp-001"), ("sp2-admin", "ptn-sp-002")):
        bill = mbill(f"{month}.saas", partner)
        body = await api.gql(login, TRANSACTIONS, {"billId": bill, "first": 100})
        if "errors" not in body:
            orders = [
                e["node"]["orderId"] for e in body["data"]["marketplaceTransactions"]["edges"]
            ]
            assert placed["orderId"] not in orders


async def test_order_input_is_validated_and_retries_place_nothing_twice(api: Api) -> None:
    bad = [
        ({"quantity": 0}, "quantity"),
        ({"pricePlanId": "nope"}, "pricePlanId"),
        ({"productId": gid("MarketplaceProduct", "nope")}, "productId"),
        ({"buyer": {"name": " "}}, "buyer.name"),
        ({"buyer": {"name": "张三", "email": "not-an-email"}}, "buyer.email"),
    ]
    for change, field in bad:
        value = {"productId": ERP, "pricePlanId": "basic", "buyer": {"name": "张三"}, **change}
        payload = data(
            await api.gql("storefront", PLACE_ORDER, {"input": value}), "placeMarketplaceOrder"
        )
        assert payload["order"] is None and payload["errors"][0]["field"] == field, payload
        assert "张三" not in str(payload)
    first = await order(api, None, None, key="storefront-order-778")
    again = await order(api, None, None, key="storefront-order-778")
    assert first == again


async def test_orders_add_to_their_bill_which_stays_the_sum_of_its_details(api: Api) -> None:
    link = await create_link(api, "sp2-admin", product=gid("MarketplaceProduct", "mp-sol-retail"))
    ref, token = link_params(link)
    bill_id = None
    for quantity in (1, 2, 3):
        placed = await order(
            api, ref, token, product=link["product"], plan="store", quantity=quantity
        )
        bill_id = mbill(f"{placed_month(placed)}.product_solution", "ptn-sp-002")
        # 3999.99 x 16.67 % = 666.798...: the split rounds, the bill adds exactly.
        assert placed["attributed"] is True
    assert bill_id is not None
    await assert_bill_is_sum_of_transactions(api, "sp2-admin", bill_id)


async def assert_bill_is_sum_of_transactions(api: Api, login: str, bill_id: str) -> None:
    bill = data(await api.gql(login, BILL, {"id": bill_id}), "marketplaceBill")
    rows: list[dict[str, Any]] = []
    after = None
    while True:
        page = data(
            await api.gql(login, TRANSACTIONS, {"billId": bill_id, "first": 100, "after": after}),
            "marketplaceTransactions",
        )
        rows += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert bill["transactionCount"] == len(rows)
    assert Decimal(bill["orderAmount"]["amount"]) == sum(
        Decimal(r["amount"]["amount"]) for r in rows
    )
    assert Decimal(bill["providerShare"]["amount"]) == sum(
        Decimal(r["providerShare"]["amount"]) for r in rows
    )
    assert (
        Decimal(bill["publisherShare"]["amount"])
        + Decimal(bill["providerShare"]["amount"])
        + Decimal(bill["platformShare"]["amount"])
    ) == Decimal(bill["orderAmount"]["amount"])


# -- bills and transactions ------------------------------------------------------------


async def test_demo_bills_are_the_sums_of_their_transactions(api: Api) -> None:
    found = data(
        await api.gql(
            "sp-admin",
            BILLS,
            {"first": 100, "filter": {"monthFrom": "2026-08", "monthTo": "2026-10"}},
        ),
        "marketplaceBills",
    )
    months = [e["node"]["month"] for e in found["edges"]]
    assert months == sorted(months, reverse=True) and set(months) == {
        "2026-08",
        "2026-09",
        "2026-10",
    }
    assert all(e["node"]["status"] == "CLOSED" for e in found["edges"])
    for edge in found["edges"][:4]:
        await assert_bill_is_sum_of_transactions(api, "sp-admin", edge["node"]["id"])
    solutions = data(
        await api.gql("sp-admin", BILLS, {"filter": {"category": "PRODUCT_SOLUTION"}}),
        "marketplaceBills",
    )
    assert {e["node"]["exportable"] for e in solutions["edges"]} == {True}
    for bad in ({"monthFrom": "2026-13"}, {"monthFrom": "2026-10", "monthTo": "2026-09"}):
        assert codes(await api.gql("sp-admin", BILLS, {"filter": bad})) == ["BAD_USER_INPUT"]


async def test_transactions_filter_by_date_product_and_amount(api: Api) -> None:
    bill_id = mbill("2026-09.product_solution")
    every = data(
        await api.gql("sp-admin", TRANSACTIONS, {"billId": bill_id, "first": 100}),
        "marketplaceTransactions",
    )["edges"]
    assert every and all(e["node"]["attributed"] for e in every)
    placed = [e["node"]["placedAt"] for e in every]
    assert placed == sorted(placed)
    window = data(
        await api.gql(
            "sp-admin",
            TRANSACTIONS,
            {
                "billId": bill_id,
                "first": 100,
                "filter": {"dateFrom": "2026-09-10", "dateTo": "2026-09-19"},
            },
        ),
        "marketplaceTransactions",
    )["edges"]
    beijing = [
        datetime.fromisoformat(e["node"]["placedAt"]).astimezone(BEIJING).date().isoformat()
        for e in window
    ]
    assert window and all("2026-09-10" <= d <= "2026-09-19" for d in beijing)
    product = gid("MarketplaceProduct", "mp-sol-retail")
    retail = data(
        await api.gql(
            "sp-admin",
            TRANSACTIONS,
            {
                "billId": bill_id,
                "first": 100,
                "filter": {"productId": product, "minAmount": "5000"},
            },
        ),
        "marketplaceTransactions",
    )["edges"]
    assert all(e["node"]["product"] == product for e in retail)
    assert all(Decimal(e["node"]["amount"]["amount"]) >= 5000 for e in retail)
    bad = await api.gql(
        "sp-admin",
        TRANSACTIONS,
        {"billId": bill_id, "filter": {"minAmount": "10", "maxAmount": "1"}},
    )
    assert codes(bad) == ["BAD_USER_INPUT"]


async def test_transaction_cursors_are_bound_to_their_bill(api: Api) -> None:
    bill_id = mbill("2026-09.product_solution")
    page = data(
        await api.gql("sp-admin", TRANSACTIONS, {"billId": bill_id, "first": 2}),
        "marketplaceTransactions",
    )
    other = mbill("2026-10.product_solution")
    body = await api.gql(
        "sp-admin", TRANSACTIONS, {"billId": other, "after": page["pageInfo"]["endCursor"]}
    )
    assert codes(body) == ["BAD_USER_INPUT"]
    rest = data(
        await api.gql(
            "sp-admin",
            TRANSACTIONS,
            {"billId": bill_id, "first": 100, "after": page["pageInfo"]["endCursor"]},
        ),
        "marketplaceTransactions",
    )
    assert not {e["node"]["id"] for e in page["edges"]} & {e["node"]["id"] for e in rest["edges"]}


async def test_tenant_isolation_of_bills_links_and_transactions(api: Api) -> None:
    bill_id = mbill("2026-09.product_solution")
    txn = data(
        await api.gql("sp-admin", TRANSACTIONS, {"billId": bill_id, "first": 1}),
        "marketplaceTransactions",
    )["edges"][0]["node"]["id"]
    link = (await create_link(api))["id"]
    for node_id in (bill_id, txn, link, ERP):
        own = data(await api.gql("sp-admin", NODE, {"id": node_id}), "node")
        assert own == {"id": node_id}
    # Another partner: the same IDs resolve to nothing, and direct reads say NOT_FOUND.
    for node_id in (txn, link):
        assert data(await api.gql("sp2-admin", NODE, {"id": node_id}), "node") is None
    sp2_bill = await api.gql("sp2-admin", BILL, {"id": mbill("2026-08.saas", "ptn-sp-002")})
    assert "errors" not in sp2_bill  # its own August SaaS bill...
    assert (
        sp2_bill["data"]["marketplaceBill"]["providerShare"]
        != data(
            await api.gql("sp-admin", BILL, {"id": mbill("2026-08.saas")}),
            "marketplaceBill",
        )["providerShare"]
    )  # ...is not sp-001's
    assert codes(await api.gql("sp2-admin", BILL, {"id": mbill("1999-01.saas", "ptn-sp-002")})) == [
        "NOT_FOUND"
    ]
    assert codes(await api.gql("sp-admin", BILL, {"id": mbill("garbage")})) == ["NOT_FOUND"]
    # The bill IDs repeat across partners; the global ID names one partner's: another
    # partner's is NOT_FOUND (null through node), and an ID without a partner is refused.
    sp2_id = sp2_bill["data"]["marketplaceBill"]["id"]
    assert sp2_id == mbill("2026-08.saas", "ptn-sp-002") != mbill("2026-08.saas")
    assert codes(await api.gql("sp-admin", BILL, {"id": sp2_id})) == ["NOT_FOUND"]
    assert data(await api.gql("sp-admin", NODE, {"id": sp2_id}), "node") is None
    assert codes(
        await api.gql("sp-admin", BILL, {"id": gid("MarketplaceBill", "2026-08.saas")})
    ) == ["BAD_USER_INPUT"]
    assert codes(await api.gql("sp-admin", BILL, {"id": ERP})) == ["BAD_USER_INPUT"]
    # Without the menu, nodes are null rather than a hint that they exist.
    assert data(await api.gql("sp-operator", NODE, {"id": bill_id}), "node") is None


# -- invoice requests ------------------------------------------------------------------

_months = itertools.count(1)


def closed_bill(partner_id: str = "ptn-sp-002") -> str:
    """A fresh closed bill of the partner (a month of 2025 no other test uses)."""
    number = next(_months)
    placed = datetime(2025 - number // 12, number % 12 + 1, 10, 4, tzinfo=UTC)
    product = get_product("mp-saas-crm")
    assert product is not None
    txn = build_transaction(
        product,
        product.price_plans[1],
        2,
        Buyer(name="韩梅梅"),
        Attribution(partner_id=partner_id, link_id="lnk-test", reason=None),
        placed,
        f"ord-test-{number}",
    )
    TransactionStore(partner_id).record(txn, txn.bill_id.split(".")[0])
    return mbill(txn.bill_id, partner_id)


def invoice_input(bill: str, **extra: Any) -> dict[str, Any]:
    return {
        "input": {
            "billId": bill,
            "title": "示例科技有限公司",
            "taxNumber": tax_number(random.Random(bill)),
            "type": "VAT_SPECIAL",
            **extra,
        }
    }


async def test_invoice_a_second_open_request_on_the_same_bill_is_refused(api: Api) -> None:
    bill = closed_bill()
    first = data(
        await api.gql("sp2-admin", REQUEST_INVOICE, invoice_input(bill)),
        "requestMarketplaceInvoice",
    )
    assert first["errors"] == [] and first["invoiceRequest"]["status"] == "REQUESTED"
    assert first["invoiceRequest"]["amount"] == {"amount": "239.76"}  # 12 % of 1998.00
    second = data(
        await api.gql("sp2-admin", REQUEST_INVOICE, invoice_input(bill)),
        "requestMarketplaceInvoice",
    )
    assert second["invoiceRequest"] is None
    assert [e["code"] for e in second["errors"]] == ["INVOICE_REQUEST_OPEN"]


async def test_invoice_racing_requests_leave_exactly_one_open(api: Api) -> None:
    # Two requests that both passed the checks on the same read of the bill: the
    # conditional write on the bill's open-request marker admits one. (Interleaved here
    # rather than sent concurrently: moto's server is not thread-safe for transactions,
    # a failed one restores a snapshot of the table over concurrent writes.)
    bill = closed_bill()
    bill_id = GlobalID.from_id(bill).node_id.split(":", 1)[1]  # "<partner>:<bill ID>"
    store = InvoiceRequestStore("ptn-sp-002")
    stale = BillStore("ptn-sp-002").get(bill_id, consistent=True)
    assert stale is not None and stale.open_invoice_request is None
    racing = [
        InvoiceRequest(
            partner_id="ptn-sp-002",
            request_id=f"race-{n}-{bill_id}",
            bill_id=bill_id,
            title=f"公司{n}有限公司",
            tax_number=tax_number(random.Random(n)),
            invoice_type=InvoiceType.VAT_GENERAL,
            amount=stale.provider_share,
            status=InvoiceStatus.REQUESTED,
            requested_by="usr-sp2-admin",
            requested_at="2026-11-20T00:00:00.000000Z",
            reviewed_by=None,
            reviewed_at=None,
            invoice_number=None,
            rejection_reason=None,
        )
        for n in range(3)
    ]
    assert [store.open(r) for r in racing] == [True, False, False]
    requests = data(await api.gql("sp2-admin", BILL, {"id": bill}), "marketplaceBill")[
        "invoiceRequests"
    ]
    assert [r["status"] for r in requests] == ["REQUESTED"]
    pending = data(
        await api.gql("ops-reviewer", PENDING, {"first": 100}), "pendingMarketplaceInvoiceRequests"
    )
    queued = [e["node"] for e in pending["edges"] if e["node"]["bill"] == bill]
    assert len(queued) == 1  # the losers left nothing in the review queue either
    late = data(
        await api.gql("sp2-admin", REQUEST_INVOICE, invoice_input(bill)),
        "requestMarketplaceInvoice",
    )
    assert late["errors"][0]["code"] == "INVOICE_REQUEST_OPEN"


async def test_invoice_review_issue_closes_the_bill_reject_reopens_it(api: Api) -> None:
    bill = closed_bill()
    first = data(
        await api.gql("sp2-admin", REQUEST_INVOICE, invoice_input(bill)),
        "requestMarketplaceInvoice",
    )["invoiceRequest"]
    pending = data(
        await api.gql("ops-reviewer", PENDING, {"first": 100}), "pendingMarketplaceInvoiceRequests"
    )
    assert first["id"] in [e["node"]["id"] for e in pending["edges"]]
    refused = data(
        await api.gql(
            "ops-reviewer",
            REVIEW_INVOICE,
            {"input": {"requestId": first["id"], "decision": "REJECT"}},
        ),
        "reviewMarketplaceInvoiceRequest",
    )
    assert refused["errors"][0]["field"] == "reason"  # a rejection needs its reason
    rejected = data(
        await api.gql(
            "ops-reviewer",
            REVIEW_INVOICE,
            {"input": {"requestId": first["id"], "decision": "REJECT", "reason": "税号与抬头不符"}},
        ),
        "reviewMarketplaceInvoiceRequest",
    )["invoiceRequest"]
    assert rejected["status"] == "REJECTED" and rejected["rejectionReason"] == "税号与抬头不符"
    twice = data(
        await api.gql(
            "ops-reviewer",
            REVIEW_INVOICE,
            {"input": {"requestId": first["id"], "decision": "ISSUE", "invoiceNumber": "123"}},
        ),
        "reviewMarketplaceInvoiceRequest",
    )
    assert twice["errors"][0]["code"] == "INVOICE_REQUEST_NOT_OPEN"
    # Rejected: the bill takes a corrected request.
    second = data(
        await api.gql("sp2-admin", REQUEST_INVOICE, invoice_input(bill)),
        "requestMarketplaceInvoice",
    )["invoiceRequest"]
    issued = data(
        await api.gql(
            "ops-reviewer",
            REVIEW_INVOICE,
            {
                "input": {
                    "requestId": second["id"],
                    "decision": "ISSUE",
                    "invoiceNumber": "04400012345678",
                }
            },
        ),
        "reviewMarketplaceInvoiceRequest",
    )["invoiceRequest"]
    assert issued["status"] == "ISSUED" and issued["invoiceNumber"] == "04400012345678"
    after = data(
        await api.gql("sp2-admin", REQUEST_INVOICE, invoice_input(bill)),
        "requestMarketplaceInvoice",
    )
    assert after["errors"][0]["code"] == "BILL_ALREADY_INVOICED"
    shown = data(await api.gql("sp2-admin", BILL, {"id": bill}), "marketplaceBill")
    assert shown["invoiced"] is True
    assert [r["status"] for r in shown["invoiceRequests"]] == ["REJECTED", "ISSUED"]
    pending = data(
        await api.gql("ops-reviewer", PENDING, {"first": 100}), "pendingMarketplaceInvoiceRequests"
    )
    assert not {first["id"], second["id"]} & {e["node"]["id"] for e in pending["edges"]}
    # The partner reads its request by ID; another partner cannot.
    assert data(await api.gql("sp2-admin", NODE, {"id": second["id"]}), "node")
    assert data(await api.gql("sp-admin", NODE, {"id": second["id"]}), "node") is None
    assert data(await api.gql("ops-reviewer", NODE, {"id": second["id"]}), "node")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"taxNumber": "91350100M000100Y44"}, "BAD_USER_INPUT"),
        ({"title": "   "}, "BAD_USER_INPUT"),
    ],
)
async def test_invoice_requests_are_validated(api: Api, change: dict[str, Any], code: str) -> None:
    bill = closed_bill()
    variables = invoice_input(bill)
    variables["input"].update(change)
    payload = data(
        await api.gql("sp2-admin", REQUEST_INVOICE, variables), "requestMarketplaceInvoice"
    )
    assert [e["code"] for e in payload["errors"]] == [code]
    # A refused request leaves the bill free.
    ok = data(
        await api.gql("sp2-admin", REQUEST_INVOICE, invoice_input(bill)),
        "requestMarketplaceInvoice",
    )
    assert ok["errors"] == []


async def test_invoice_only_for_closed_bills_of_ones_own(api: Api) -> None:
    ref, token = link_params(await create_link(api, "sp2-admin"))
    placed = await order(api, ref, token)
    open_bill = mbill(f"{placed_month(placed)}.product_solution", "ptn-sp-002")
    payload = data(
        await api.gql("sp2-admin", REQUEST_INVOICE, invoice_input(open_bill)),
        "requestMarketplaceInvoice",
    )
    assert payload["errors"][0]["code"] == "BILL_NOT_CLOSED"
    theirs = closed_bill("ptn-sp-002")
    payload = data(
        await api.gql("sp-admin", REQUEST_INVOICE, invoice_input(theirs)),
        "requestMarketplaceInvoice",
    )
    assert payload["errors"][0]["code"] == "NOT_FOUND"
    body = await api.gql("sp-operator", REQUEST_INVOICE, invoice_input(theirs))
    assert codes(body) == ["FORBIDDEN"]


async def test_demo_invoice_requests_show_each_status(api: Api) -> None:
    august = data(
        await api.gql("sp-admin", BILL, {"id": mbill("2026-08.product_solution")}),
        "marketplaceBill",
    )
    assert august["invoiced"] is True
    assert [r["status"] for r in august["invoiceRequests"]] == ["ISSUED"]
    september = data(
        await api.gql("sp-admin", BILL, {"id": mbill("2026-09.product_solution")}),
        "marketplaceBill",
    )
    assert [r["status"] for r in september["invoiceRequests"]] == ["REJECTED"]


# -- the documents frontends send --------------------------------------------------------


async def test_the_marketplace_documents_run_for_their_callers(api: Api) -> None:
    from pathlib import Path

    from tests.conftest import token

    document = (Path(__file__).resolve().parents[1] / "graphql" / "marketplace.graphql").read_text(
        encoding="utf-8"
    )

    async def run(login: str, operation: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = await api.client.post(
            "/graphql",
            json={"query": document, "operationName": operation, "variables": variables},
            headers={"authorization": f"Bearer {token(login)}"},
        )
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, (operation, body)
        return body["data"]

    bill = mbill("2026-09.product_solution")
    await run("sp-admin", "MarketplaceProducts", {"first": 5})
    await run("sp-admin", "MarketplaceShareLinks", {"first": 5})
    await run("sp-admin", "MarketplaceBills", {"first": 5})
    await run("sp-admin", "MarketplaceBill", {"id": bill})
    found = await run("sp-admin", "MarketplaceTransactions", {"billId": bill, "first": 1})
    txn = found["marketplaceTransactions"]["edges"][0]["node"]["id"]
    buyer = await run("sp-admin", "MarketplaceTransactionBuyer", {"id": txn})
    assert buyer["node"]["buyerContact"]["name"]
    await run("ops-reviewer", "PendingMarketplaceInvoiceRequests", {"first": 5})
    await run("ops-reviewer", "UnattributedMarketplaceOrders", {"month": "2026-09", "first": 5})
