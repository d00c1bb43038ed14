"""Third-party payment agreements and request-payment contracts through the API.

Account numbers go in once: only a mask comes out, and the whole number is in no
response, table item, idempotency record, audit event or log line."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from strawberry.relay import GlobalID

from partner_center.audit.models import AuditItem
from partner_center.core.auth import Menu, Role
from partner_center.core.clock import beijing_date, utcnow
from partner_center.finance import service as finance_service
from partner_center.finance.agreements import AgreementStatus, effective_status
from partner_center.finance.models import FinanceRecord
from partner_center.idempotency.models import IdempotencyItem
from tests.bills_support import Partner, new_partner, ops_token, partner_gid
from tests.conftest import Api

ACCOUNT = "6222 0212 3456 7890 123"
DIGITS = ACCOUNT.replace(" ", "")

CREATE = """mutation($input: CreatePaymentAgreementInput!) {
  createPaymentAgreement(input: $input) {
  agreement { id payerAccountName bank accountNumberMasked entrustedParty entrustedPartyType
              validFrom validUntil status reviewNote }
  errors { code field message } } }"""
AGREEMENTS = """query($status: PaymentAgreementStatus, $first: Int, $after: String,
                      $partnerId: ID) {
  paymentAgreements(status: $status, first: $first, after: $after, partnerId: $partnerId) {
    edges { node { id status accountNumberMasked } } pageInfo { hasNextPage endCursor } } }"""
REVIEW = """mutation($input: ReviewPaymentAgreementInput!) { reviewPaymentAgreement(input: $input) {
  agreement { id status reviewNote } errors { code field message } } }"""
REVOKE = """mutation($input: RevokePaymentAgreementInput!) { revokePaymentAgreement(input: $input) {
  agreement { id status revokedAt } errors { code field message } } }"""
REQUEST = """mutation($input: RequestPaymentContractInput!) {
  requestPaymentContract(input: $input) {
  contract { id customer customerName amount { amount currency } purpose status }
  errors { code field message } } }"""
CONTRACTS = """query($status: PaymentContractStatus, $customerId: ID, $partnerId: ID) {
  paymentContracts(status: $status, customerId: $customerId, first: 50,
                   partnerId: $partnerId) {
    edges { node { id status customer amount { amount } } } } }"""
CANCEL = """mutation($input: CancelPaymentContractInput!) { cancelPaymentContract(input: $input) {
  contract { id status cancelledAt } errors { code field message } } }"""
REVIEW_CONTRACT = """mutation($input: ReviewPaymentContractInput!) {
  reviewPaymentContract(input: $input) {
  contract { id status reviewNote } errors { code field message } } }"""


def codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


async def call(
    api: Api, token: str, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await api.post(None, query, variables, authorization=f"Bearer {token}")
    assert response.status_code == 200, response.text
    return response.json()


def today() -> date:
    return beijing_date(utcnow())


def agreement_input(account: str = ACCOUNT, **overrides: Any) -> dict[str, Any]:
    value = {
        "payerAccountName": "深圳前海微众数据服务有限公司",
        "bank": "招商银行深圳分行",
        "accountNumber": account,
        "entrustedParty": "深圳前海微众数据服务有限公司",
        "entrustedPartyType": "ENTERPRISE",
        "validFrom": today().isoformat(),
        "validUntil": (today() + timedelta(days=365)).isoformat(),
    }
    value.update(overrides)
    return {"input": value}


@pytest.fixture
def partner(local_env: Any) -> Partner:
    return new_partner("finance")


# -- payment agreements -------------------------------------------------------------------


async def test_an_agreement_keeps_only_a_mask_of_the_account_number(
    api: Api, partner: Partner, capsys: pytest.CaptureFixture[str]
) -> None:
    body = await call(
        api,
        partner.token(),
        CREATE,
        {"input": {**agreement_input()["input"], "idempotencyKey": "agr-1"}},
    )
    agreement = body["data"]["createPaymentAgreement"]["agreement"]
    assert agreement["accountNumberMasked"] == "**** 0123"
    assert agreement["status"] == "PENDING_REVIEW"
    assert agreement["entrustedPartyType"] == "ENTERPRISE"
    listed = await call(api, partner.token(), AGREEMENTS)
    # Nowhere whole: responses, the finance table, idempotency records, audit, logs.
    stored = [str(r.attribute_values) for r in FinanceRecord.query(partner.partner_id)]
    stored += [str(r.attribute_values) for r in IdempotencyItem.query(partner.partner_id)]
    stored += [str(r.attribute_values) for r in AuditItem.query(partner.partner_id)]
    assert len(stored) >= 4
    logs = capsys.readouterr()
    for text in (str(body), str(listed), *stored, logs.out, logs.err):
        assert DIGITS not in text and DIGITS[:12] not in text
        assert "0212 3456" not in text


async def test_an_agreement_is_reviewed_then_revoked(api: Api, partner: Partner) -> None:
    admin, ops = partner.token(), ops_token()
    created = (await call(api, admin, CREATE, agreement_input()))["data"]["createPaymentAgreement"][
        "agreement"
    ]
    reject = await call(
        api, ops, REVIEW, {"input": {"agreementId": created["id"], "approve": False}}
    )
    assert reject["data"]["reviewPaymentAgreement"]["errors"][0]["field"] == "note"
    approved = await call(
        api, ops, REVIEW, {"input": {"agreementId": created["id"], "approve": True, "note": "ok"}}
    )
    assert approved["data"]["reviewPaymentAgreement"]["agreement"]["status"] == "ACTIVE"
    twice = await call(api, ops, REVIEW, {"input": {"agreementId": created["id"], "approve": True}})
    assert twice["data"]["reviewPaymentAgreement"]["errors"][0]["code"] == "INVALID_STATUS"
    active = await call(api, admin, AGREEMENTS, {"status": "ACTIVE"})
    assert [e["node"]["id"] for e in active["data"]["paymentAgreements"]["edges"]] == [
        created["id"]
    ]
    revoked = await call(api, admin, REVOKE, {"input": {"agreementId": created["id"]}})
    assert revoked["data"]["revokePaymentAgreement"]["agreement"]["status"] == "REVOKED"
    again = await call(api, admin, REVOKE, {"input": {"agreementId": created["id"]}})
    assert again["data"]["revokePaymentAgreement"]["errors"][0]["code"] == "INVALID_STATUS"


async def test_one_live_agreement_per_account(api: Api, partner: Partner) -> None:
    admin, ops = partner.token(), ops_token()
    first = (await call(api, admin, CREATE, agreement_input()))["data"]["createPaymentAgreement"][
        "agreement"
    ]
    # The same account written differently is the same account.
    duplicate = await call(api, admin, CREATE, agreement_input(account=DIGITS))
    error = duplicate["data"]["createPaymentAgreement"]["errors"][0]
    assert (error["code"], error["field"]) == ("DUPLICATE_AGREEMENT", "accountNumber")
    assert DIGITS not in str(duplicate)
    # Rejected: the account is free again.
    await call(
        api,
        ops,
        REVIEW,
        {
            "input": {
                "agreementId": first["id"],
                "approve": False,
                "note": "the account name does not match",
            }
        },
    )
    second = await call(api, admin, CREATE, agreement_input(account="6222-0212-3456-7890-123"))
    created = second["data"]["createPaymentAgreement"]["agreement"]
    assert created["status"] == "PENDING_REVIEW"
    # Another partner may register the same account for itself.
    other = new_partner("finance")
    assert (await call(api, other.token(), CREATE, agreement_input()))["data"][
        "createPaymentAgreement"
    ]["errors"] == []


async def test_an_agreement_expires_after_its_last_valid_day(
    api: Api, partner: Partner, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = partner.token()
    until = today() + timedelta(days=30)
    created = (await call(api, admin, CREATE, agreement_input(validUntil=until.isoformat())))[
        "data"
    ]["createPaymentAgreement"]["agreement"]
    later = datetime.combine(until + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    monkeypatch.setattr(finance_service, "now", lambda: later)
    expired = await call(api, admin, AGREEMENTS, {"status": "EXPIRED"})
    assert [e["node"]["id"] for e in expired["data"]["paymentAgreements"]["edges"]] == [
        created["id"]
    ]
    assert (await call(api, admin, AGREEMENTS, {"status": "PENDING_REVIEW"}))["data"][
        "paymentAgreements"
    ]["edges"] == []
    revoke = await call(api, admin, REVOKE, {"input": {"agreementId": created["id"]}})
    assert revoke["data"]["revokePaymentAgreement"]["errors"][0]["code"] == "INVALID_STATUS"
    # The expired agreement no longer holds the account.
    fresh = await call(
        api,
        admin,
        CREATE,
        agreement_input(
            validFrom=(until + timedelta(days=1)).isoformat(),
            validUntil=(until + timedelta(days=100)).isoformat(),
        ),
    )
    assert fresh["data"]["createPaymentAgreement"]["errors"] == []


def test_expiry_is_derived_from_the_beijing_date() -> None:
    day = date(2026, 12, 31)
    assert effective_status(AgreementStatus.ACTIVE, day, day) is AgreementStatus.ACTIVE
    assert (
        effective_status(AgreementStatus.ACTIVE, day, day + timedelta(days=1))
        is AgreementStatus.EXPIRED
    )
    assert (
        effective_status(AgreementStatus.PENDING_REVIEW, day, date(2027, 1, 1))
        is AgreementStatus.EXPIRED
    )
    assert (
        effective_status(AgreementStatus.REVOKED, day, date(2027, 1, 1)) is AgreementStatus.REVOKED
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"accountNumber": "1234"}, "accountNumber"),
        ({"accountNumber": "6222abc1234567890"}, "accountNumber"),
        ({"accountNumber": "６２２２０２１２３４５６７８９０"}, "accountNumber"),
        ({"payerAccountName": " "}, "payerAccountName"),
        ({"bank": "x" * 101}, "bank"),
        ({"entrustedParty": ""}, "entrustedParty"),
        ({"validFrom": "2020-01-01"}, "validFrom"),
        ({"validUntil": "2020-01-01"}, "validFrom"),
        ({"validUntil": "2099-01-01"}, "validUntil"),
    ],
)
async def test_bad_agreements_are_refused_without_echoing_them(
    api: Api, partner: Partner, overrides: dict[str, str], field: str
) -> None:
    body = await call(api, partner.token(), CREATE, agreement_input(**overrides))
    error = body["data"]["createPaymentAgreement"]["errors"][0]
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", field)
    for value in overrides.values():
        if len(value.strip()) >= 4:
            assert value not in error["message"]


async def test_who_may_touch_agreements(api: Api, partner: Partner) -> None:
    ops = ops_token()
    noperm = partner.token(Role.OPERATOR, frozenset())
    manager = partner.token(Role.CUSTOMER_MANAGER, frozenset({Menu.BILLING}))
    assert codes(await call(api, ops, CREATE, agreement_input())) == ["FORBIDDEN"]
    assert codes(await call(api, noperm, CREATE, agreement_input())) == ["FORBIDDEN"]
    assert codes(await call(api, manager, CREATE, agreement_input())) == ["FORBIDDEN"]
    assert codes(await call(api, noperm, AGREEMENTS)) == ["FORBIDDEN"]
    created = (await call(api, partner.token(), CREATE, agreement_input()))["data"][
        "createPaymentAgreement"
    ]["agreement"]
    assert codes(
        await call(
            api, partner.token(), REVIEW, {"input": {"agreementId": created["id"], "approve": True}}
        )
    ) == ["FORBIDDEN"]
    # The reviewer reads what it reviews, naming the partner.
    assert codes(await call(api, ops, AGREEMENTS)) == ["BAD_USER_INPUT"]
    listed = await call(api, ops, AGREEMENTS, {"partnerId": partner_gid(partner.partner_id)})
    assert [e["node"]["id"] for e in listed["data"]["paymentAgreements"]["edges"]] == [
        created["id"]
    ]
    # Another partner's agreement does not exist for this one.
    other = new_partner("finance")
    foreign = await call(api, other.token(), REVOKE, {"input": {"agreementId": created["id"]}})
    assert foreign["data"]["revokePaymentAgreement"]["errors"][0]["code"] == "NOT_FOUND"
    node = await call(
        api, other.token(), "query($id: ID!) { node(id: $id) { id } }", {"id": created["id"]}
    )
    assert node["data"]["node"] is None
    wrong = await call(
        api, partner.token(), REVOKE, {"input": {"agreementId": str(GlobalID("Job", "x"))}}
    )
    assert wrong["data"]["revokePaymentAgreement"]["errors"][0]["field"] == "agreementId"


async def test_r1_demo_users_without_billing_see_no_agreements(api: Api) -> None:
    for login in ("sp-operator-noperm", "sp-staff-1", "sp-manager-1"):
        assert codes(await api.gql(login, AGREEMENTS)) == ["FORBIDDEN"], login
    demo = await api.gql("sp-operator", AGREEMENTS, {"first": 10})
    statuses = {e["node"]["status"] for e in demo["data"]["paymentAgreements"]["edges"]}
    assert {"ACTIVE", "PENDING_REVIEW", "REVOKED"} <= statuses
    assert codes(await api.gql("sp-admin", AGREEMENTS, {"first": 101})) == ["BAD_USER_INPUT"]


# -- request-payment contracts ------------------------------------------------------------


async def test_a_contract_can_be_requested_for_a_reseller_customer(
    api: Api, partner: Partner
) -> None:
    customer = partner.customer("reseller", name="王小明")
    gid = str(GlobalID("Customer", customer))
    body = await call(
        api,
        partner.token(),
        REQUEST,
        {
            "input": {
                "customerId": gid,
                "amount": "20000.00",
                "purpose": "December prepayment",
                "idempotencyKey": "c-1",
            }
        },
    )
    contract = body["data"]["requestPaymentContract"]["contract"]
    assert contract["status"] == "SUBMITTED" and contract["customer"] == gid
    assert contract["amount"] == {"amount": "20000.00", "currency": "CNY"}
    assert contract["customerName"] == "王**"
    replay = await call(
        api,
        partner.token(),
        REQUEST,
        {
            "input": {
                "customerId": gid,
                "amount": "20000.00",
                "purpose": "December prepayment",
                "idempotencyKey": "c-1",
            }
        },
    )
    assert replay["data"]["requestPaymentContract"]["contract"]["id"] == contract["id"]
    listed = await call(api, partner.token(), CONTRACTS, {"customerId": gid})
    assert len(listed["data"]["paymentContracts"]["edges"]) == 1


async def test_an_advisory_customer_is_told_it_requests_its_own(api: Api, partner: Partner) -> None:
    customer = partner.customer("advisory")
    body = await call(
        api,
        partner.token(),
        REQUEST,
        {
            "input": {
                "customerId": str(GlobalID("Customer", customer)),
                "amount": "100.00",
                "purpose": "top-up",
            }
        },
    )
    payload = body["data"]["requestPaymentContract"]
    assert payload["contract"] is None
    error = payload["errors"][0]
    assert (error["code"], error["field"]) == ("ADVISORY_CUSTOMER", "customerId")
    assert "requests its own" in error["message"]


@pytest.mark.parametrize(
    ("amount", "purpose", "field"),
    [
        ("0", "x", "amount"),
        ("-1.00", "x", "amount"),
        ("1.001", "x", "amount"),
        ("abc", "x", "amount"),
        ("100000000.01", "x", "amount"),
        ("Infinity", "x", "amount"),
        ("10.00", " ", "purpose"),
        ("10.00", "p" * 201, "purpose"),
    ],
)
async def test_bad_contract_requests_are_refused(
    api: Api, partner: Partner, amount: str, purpose: str, field: str
) -> None:
    customer = partner.customer("reseller")
    body = await call(
        api,
        partner.token(),
        REQUEST,
        {
            "input": {
                "customerId": str(GlobalID("Customer", customer)),
                "amount": amount,
                "purpose": purpose,
            }
        },
    )
    error = body["data"]["requestPaymentContract"]["errors"][0]
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", field)


async def test_r2_a_manager_requests_for_its_own_customers_only(api: Api, partner: Partner) -> None:
    mine = partner.customer("reseller", manager_id="usr-mgr-1")
    theirs = partner.customer("reseller", manager_id="usr-mgr-2")
    manager = partner.token(Role.CUSTOMER_MANAGER, frozenset({Menu.BILLING}), user_id="usr-mgr-1")
    ok = await call(
        api,
        manager,
        REQUEST,
        {
            "input": {
                "customerId": str(GlobalID("Customer", mine)),
                "amount": "1.00",
                "purpose": "p",
            }
        },
    )
    assert ok["data"]["requestPaymentContract"]["errors"] == []
    other = await call(
        api,
        manager,
        REQUEST,
        {
            "input": {
                "customerId": str(GlobalID("Customer", theirs)),
                "amount": "1.00",
                "purpose": "p",
            }
        },
    )
    assert other["data"]["requestPaymentContract"]["errors"][0]["code"] == "NOT_FOUND"
    await call(
        api,
        partner.token(),
        REQUEST,
        {
            "input": {
                "customerId": str(GlobalID("Customer", theirs)),
                "amount": "2.00",
                "purpose": "p",
            }
        },
    )
    seen = await call(api, manager, CONTRACTS)
    customers = {e["node"]["customer"] for e in seen["data"]["paymentContracts"]["edges"]}
    assert customers == {str(GlobalID("Customer", mine))}
    everyone = await call(api, partner.token(), CONTRACTS)
    assert len(everyone["data"]["paymentContracts"]["edges"]) == 2
    # A manager without the billing menu has no billing pages at all (R1).
    bare = partner.token(Role.CUSTOMER_MANAGER, frozenset(), user_id="usr-mgr-1")
    assert codes(await call(api, bare, CONTRACTS)) == ["FORBIDDEN"]


async def test_contract_status_changes(api: Api, partner: Partner) -> None:
    admin, ops = partner.token(), ops_token()
    customer = str(GlobalID("Customer", partner.customer("reseller")))
    first, second = [
        (
            await call(
                api,
                admin,
                REQUEST,
                {"input": {"customerId": customer, "amount": amount, "purpose": "p"}},
            )
        )["data"]["requestPaymentContract"]["contract"]["id"]
        for amount in ("1.00", "2.00")
    ]
    cancelled = await call(api, admin, CANCEL, {"input": {"contractId": first}})
    assert cancelled["data"]["cancelPaymentContract"]["contract"]["status"] == "CANCELLED"
    late = await call(api, ops, REVIEW_CONTRACT, {"input": {"contractId": first, "approve": True}})
    assert late["data"]["reviewPaymentContract"]["errors"][0]["code"] == "INVALID_STATUS"
    assert codes(
        await call(api, admin, REVIEW_CONTRACT, {"input": {"contractId": second, "approve": True}})
    ) == ["FORBIDDEN"]
    approved = await call(
        api, ops, REVIEW_CONTRACT, {"input": {"contractId": second, "approve": True}}
    )
    assert approved["data"]["reviewPaymentContract"]["contract"]["status"] == "APPROVED"
    cancel_late = await call(api, admin, CANCEL, {"input": {"contractId": second}})
    assert cancel_late["data"]["cancelPaymentContract"]["errors"][0]["code"] == "INVALID_STATUS"
    submitted = await call(api, admin, CONTRACTS, {"status": "APPROVED"})
    assert [e["node"]["id"] for e in submitted["data"]["paymentContracts"]["edges"]] == [second]
    missing = await call(
        api,
        admin,
        CANCEL,
        {"input": {"contractId": str(GlobalID("PaymentContract", f"{partner.partner_id}:nope"))}},
    )
    assert missing["data"]["cancelPaymentContract"]["errors"][0]["code"] == "NOT_FOUND"


async def test_contracts_of_another_partners_customer_are_refused(
    api: Api, partner: Partner
) -> None:
    other = new_partner("finance")
    foreign = other.customer("reseller")
    body = await call(
        api,
        partner.token(),
        REQUEST,
        {
            "input": {
                "customerId": str(GlobalID("Customer", foreign)),
                "amount": "1.00",
                "purpose": "p",
            }
        },
    )
    assert body["data"]["requestPaymentContract"]["errors"][0]["code"] == "NOT_FOUND"
