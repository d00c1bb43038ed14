"""The provider's review queue of payment agreements and contracts (every partner's,
oldest first): what is submitted joins it, what is reviewed, revoked, cancelled or
expired leaves it, and a partner's users cannot read it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from strawberry.relay import GlobalID

from partner_center.config import get_settings
from partner_center.core.auth import AccountType, Principal, Role, issue_token
from partner_center.finance import review_queue
from partner_center.finance.models import FinanceRecord
from tests.bills_support import Partner, new_partner, ops_token, partner_gid
from tests.conftest import Api
from tests.test_finance_api import (
    CANCEL,
    CREATE,
    REQUEST,
    REVIEW,
    REVIEW_CONTRACT,
    REVOKE,
    agreement_input,
    call,
    codes,
    today,
)

PENDING_AGREEMENTS = """query($first: Int, $after: String) {
  pendingPaymentAgreements(first: $first, after: $after) {
    edges { cursor node { id partner status } } pageInfo { hasNextPage endCursor } } }"""
PENDING_CONTRACTS = """query($first: Int, $after: String) {
  pendingPaymentContracts(first: $first, after: $after) {
    edges { cursor node { id partner status customerName } }
    pageInfo { hasNextPage endCursor } } }"""


def scoped_ops_token(partner_id: str) -> str:
    """Operations on a token naming one partner: they review that partner only."""
    return issue_token(
        Principal(
            partner_id=partner_id,
            user_id="usr-ops-scoped",
            login="ops",
            role=Role.PROVIDER_OPERATIONS,
            account_type=AccountType.SOLUTION_PROVIDER,
        ),
        get_settings(),
    )


async def queue(api: Api, token: str, query: str, field: str) -> list[dict[str, Any]]:
    """The whole queue, page by page (10 at a time, to cross pages)."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        body = await call(api, token, query, {"first": 10, "after": after})
        assert "errors" not in body, body
        page = body["data"][field]
        nodes += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


async def agreement(api: Api, partner: Partner, account: str) -> str:
    body = await call(api, partner.token(), CREATE, agreement_input(account))
    return str(body["data"]["createPaymentAgreement"]["agreement"]["id"])


async def test_agreements_wait_in_the_queue_until_they_are_decided(
    api: Api, local_env: Any
) -> None:
    first, second = new_partner("queue"), new_partner("queue")
    a1 = await agreement(api, first, "6222 0000 0000 0001 111")
    b1 = await agreement(api, second, "6222 0000 0000 0002 222")
    a2 = await agreement(api, first, "6222 0000 0000 0003 333")
    a3 = await agreement(api, first, "6222 0000 0000 0004 444")

    waiting = await queue(api, ops_token(), PENDING_AGREEMENTS, "pendingPaymentAgreements")
    mine = [n for n in waiting if n["id"] in {a1, b1, a2, a3}]
    assert [n["id"] for n in mine] == [a1, b1, a2, a3]  # oldest first, every partner
    assert {n["id"]: n["partner"] for n in mine} == {
        a1: partner_gid(first.partner_id),
        b1: partner_gid(second.partner_id),
        a2: partner_gid(first.partner_id),
        a3: partner_gid(first.partner_id),
    }
    assert {n["status"] for n in mine} == {"PENDING_REVIEW"}

    # Approved, rejected, revoked: out of the queue.
    ops = ops_token()
    await call(api, ops, REVIEW, {"input": {"agreementId": a1, "approve": True}})
    await call(
        api, ops, REVIEW, {"input": {"agreementId": b1, "approve": False, "note": "账户名称不符"}}
    )
    await call(api, first.token(), REVOKE, {"input": {"agreementId": a2}})
    waiting = await queue(api, ops, PENDING_AGREEMENTS, "pendingPaymentAgreements")
    assert [n["id"] for n in waiting if n["id"] in {a1, b1, a2, a3}] == [a3]


async def test_operations_on_one_partners_token_see_and_review_that_partner_only(
    api: Api, local_env: Any
) -> None:
    mine, other = new_partner("queue"), new_partner("queue")
    own = await agreement(api, mine, "6222 0000 0000 0005 555")
    foreign = await agreement(api, other, "6222 0000 0000 0006 666")
    token = scoped_ops_token(mine.partner_id)
    waiting = await queue(api, token, PENDING_AGREEMENTS, "pendingPaymentAgreements")
    assert [n["id"] for n in waiting] == [own]
    refused = await call(api, token, REVIEW, {"input": {"agreementId": foreign, "approve": True}})
    assert [e["code"] for e in refused["data"]["reviewPaymentAgreement"]["errors"]] == ["NOT_FOUND"]
    still = await queue(api, ops_token(), PENDING_AGREEMENTS, "pendingPaymentAgreements")
    assert foreign in {n["id"] for n in still}


async def test_an_agreement_past_its_validity_no_longer_waits(api: Api, local_env: Any) -> None:
    partner = new_partner("queue")
    body = await call(
        api,
        partner.token(),
        CREATE,
        agreement_input("6222 0000 0000 0007 777", validUntil=today().isoformat()),
    )
    agreement_id = GlobalID.from_id(
        body["data"]["createPaymentAgreement"]["agreement"]["id"]
    ).node_id.split(":", 1)[1]
    token = scoped_ops_token(partner.partner_id)
    assert len(await queue(api, token, PENDING_AGREEMENTS, "pendingPaymentAgreements")) == 1
    # Its last valid day passes while it waits: EXPIRED, and out of the queue.
    record = FinanceRecord.get(partner.partner_id, f"AGR#{agreement_id}")
    record.update(
        actions=[
            FinanceRecord.valid_from.set((today() - timedelta(days=30)).isoformat()),
            FinanceRecord.valid_until.set((today() - timedelta(days=1)).isoformat()),
        ]
    )
    assert await queue(api, token, PENDING_AGREEMENTS, "pendingPaymentAgreements") == []
    # ...and the read removed its entry.
    assert (
        list(
            FinanceRecord.query(
                review_queue.QUEUE_PARTITION,
                FinanceRecord.record_key == f"{review_queue.AGREEMENTS.entry_prefix}{agreement_id}",
                consistent_read=True,
            )
        )
        == []
    )


async def test_an_entry_left_behind_by_a_crash_is_skipped_and_removed(
    api: Api, local_env: Any
) -> None:
    partner = new_partner("queue")
    customer = GlobalID("Customer", partner.customer("reseller", name="李四"))
    ids = []
    for amount in ("100.00", "200.00", "300.00"):
        body = await call(
            api,
            partner.token(),
            REQUEST,
            {"input": {"customerId": str(customer), "amount": amount, "purpose": "预付款"}},
        )
        ids.append(body["data"]["requestPaymentContract"]["contract"]["id"])
    token = scoped_ops_token(partner.partner_id)
    waiting = await queue(api, token, PENDING_CONTRACTS, "pendingPaymentContracts")
    assert [n["id"] for n in waiting] == ids
    assert waiting[0]["customerName"] == "李**"  # masked, as in every contract listing

    # One cancelled, one reviewed; for the second, the entry outlives the review (a crash
    # between the two writes): the queue still answers only what waits.
    await call(api, partner.token(), CANCEL, {"input": {"contractId": ids[0]}})
    local = GlobalID.from_id(ids[1]).node_id.split(":", 1)[1]
    await call(
        api, ops_token(), REVIEW_CONTRACT, {"input": {"contractId": ids[1], "approve": True}}
    )
    review_queue.CONTRACTS.entry(partner.partner_id, local).save()
    assert [
        n["id"] for n in await queue(api, token, PENDING_CONTRACTS, "pendingPaymentContracts")
    ] == [ids[2]]
    leftover = list(
        FinanceRecord.query(
            review_queue.QUEUE_PARTITION,
            FinanceRecord.record_key == f"{review_queue.CONTRACTS.entry_prefix}{local}",
            consistent_read=True,
        )
    )
    assert leftover == []


async def test_a_partners_users_cannot_read_the_queue(api: Api, local_env: Any) -> None:
    for login in ("sp-admin", "sp-operator", "sp-manager-1", "sp-staff-1"):
        for query in (PENDING_AGREEMENTS, PENDING_CONTRACTS):
            body = await api.gql(login, query, {"first": 5})
            assert codes(body) == ["FORBIDDEN"], login


async def test_the_demo_queue_has_work_for_the_reviewer(api: Api, demo: Any) -> None:
    agreements = await api.gql("ops-reviewer", PENDING_AGREEMENTS, {"first": 100})
    contracts = await api.gql("ops-reviewer", PENDING_CONTRACTS, {"first": 100})
    assert agreements["data"]["pendingPaymentAgreements"]["edges"]
    assert contracts["data"]["pendingPaymentContracts"]["edges"]


async def test_operations_on_one_partners_token_cannot_review_anothers_contract(
    api: Api, local_env: Any
) -> None:
    mine, other = new_partner("queue"), new_partner("queue")
    customer = GlobalID("Customer", other.customer("reseller"))
    body = await call(
        api,
        other.token(),
        REQUEST,
        {"input": {"customerId": str(customer), "amount": "50.00", "purpose": "预付款"}},
    )
    contract = body["data"]["requestPaymentContract"]["contract"]["id"]
    refused = await call(
        api,
        scoped_ops_token(mine.partner_id),
        REVIEW_CONTRACT,
        {"input": {"contractId": contract, "approve": True}},
    )
    assert [e["code"] for e in refused["data"]["reviewPaymentContract"]["errors"]] == ["NOT_FOUND"]
    waiting = await queue(
        api, scoped_ops_token(other.partner_id), PENDING_CONTRACTS, "pendingPaymentContracts"
    )
    assert [n["status"] for n in waiting] == ["SUBMITTED"]
