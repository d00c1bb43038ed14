"""Incentives over GraphQL: permissions, tenancy, global IDs, pages, filters, totals, the
application and review mutations, idempotency, audit, and the demo data."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from strawberry.relay import GlobalID

from partner_center.core.auth import Menu, Principal
from partner_center.incentives.programs import Program, record_membership
from partner_center.incentives.records import Incentive
from partner_center.incentives.statuses import Actor, Status, is_allowed
from partner_center.incentives.store import IncentiveQuery, IncentiveStore
from tests.conftest import Api
from tests.incentives_support import (
    admin,
    bearer,
    fresh_partner,
    incentive,
    operations,
    operator,
)

INCENTIVES = """query($first: Int, $after: String, $filter: IncentiveFilter) {
  incentives(first: $first, after: $after, filter: $filter) {
    edges { cursor node { id period status sign program amount { amount currency }
                          notifiedOn validFrom validUntil applicationId } }
    pageInfo { hasNextPage endCursor }
  }
}"""
TOTALS = """query($filter: IncentiveFilter) {
  incentiveTotals(filter: $filter) {
    count positiveTotal { amount } negativeTotal { amount } netAmount { amount }
    byStatus { status count amount { amount } }
  }
}"""
PREVIEW = """query($ids: [ID!]!) {
  incentiveApplicationPreview(positiveIncentiveIds: $ids) {
    positives { id } negatives { id } positiveTotal { amount } negativeTotal { amount }
    netAmount { amount currency } shortfall { amount } canApply errors { code field message }
  }
}"""
APPLY = """mutation($input: ApplyForIncentiveDisbursementInput!) {
  applyForIncentiveDisbursement(input: $input) {
    application { id status netAmount { amount } positiveTotal { amount }
                  negativeTotal { amount } appliedBy incentives { id status } }
    shortfall { amount currency }
    errors { code field message }
  }
}"""
APPROVE = """mutation($input: ApproveIncentiveApplicationInput!) {
  approveIncentiveApplication(input: $input) {
    application { id status approvedBy approvedAt incentives { id status } }
    errors { code field message }
  }
}"""
NOTIFY = """mutation($input: NotifyIncentiveDisbursementInput!) {
  notifyIncentiveDisbursement(input: $input) {
    results { incentiveId incentive { status notifiedOn } error { code field } }
    errors { code field }
  }
}"""
NODE = """query($id: ID!) {
  node(id: $id) {
    __typename
    ... on Incentive { status amount { amount }
                       history { fromStatus toStatus actor by applicationId } }
    ... on IncentiveApplication { applicationStatus: status netAmount { amount } }
  }
}"""
APPLICATIONS = """query($status: IncentiveApplicationStatus) {
  incentiveApplications(first: 50, status: $status) {
    edges { node { id status netAmount { amount } incentives { id status } } }
  }
}"""
PROGRAMS = "{ incentivePrograms { program joinedOn lapsedOn incentivesValidUntil } }"


def gid(item: Incentive | str, kind: str = "Incentive") -> str:
    return str(GlobalID(kind, item if isinstance(item, str) else item.incentive_id))


def codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


async def as_(
    api: Api, principal: Principal, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await api.post(None, query, variables, authorization=bearer(principal))
    assert response.status_code == 200, response.text
    return response.json()


async def all_nodes(
    api: Api, login: str, flt: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    nodes, after = [], None
    while True:
        body = await api.gql(login, INCENTIVES, {"first": 7, "after": after, "filter": flt})
        assert "errors" not in body, body
        page = body["data"]["incentives"]
        nodes += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


# -- R1: who may see and do what ---------------------------------------------------------------


@pytest.mark.parametrize(
    "login", ["sp-operator", "sp-operator-noperm", "sp-staff-1", "sp-manager-1"]
)
@pytest.mark.parametrize(
    "query",
    [
        INCENTIVES,
        TOTALS,
        PROGRAMS,
        '{ gmv(period: "2026-09") { dealCount } }',
        "{ opportunities { edges { node { id } } } }",
    ],
)
async def test_r1_incentives_without_the_menu_are_forbidden(
    api: Api, login: str, query: str
) -> None:
    body = await api.gql(login, query)
    assert body["data"] is None
    assert codes(body) == ["FORBIDDEN"]


@pytest.mark.parametrize("login", ["sp-admin", "md-admin", "provider-ops", "sp2-admin"])
async def test_r1_incentives_with_the_menu_are_readable(api: Api, login: str) -> None:
    body = await api.gql(login, INCENTIVES, {"first": 5})
    assert "errors" not in body and body["data"]["incentives"]["edges"]


async def test_r1_an_operator_granted_incentives_may_apply(api: Api, local_env: Any) -> None:
    partner = fresh_partner()
    item = incentive(partner, "10.00")
    body = await as_(
        api,
        operator(partner, Menu.INCENTIVES),
        APPLY,
        {"input": {"positiveIncentiveIds": [gid(item)], "negativeIncentiveIds": []}},
    )
    assert body["data"]["applyForIncentiveDisbursement"]["errors"] == []
    denied = await as_(
        api,
        operator(partner, Menu.BILLING),
        APPLY,
        {"input": {"positiveIncentiveIds": [gid(item)], "negativeIncentiveIds": []}},
    )
    assert codes(denied) == ["FORBIDDEN"]


async def test_r14_operations_review_but_never_apply(api: Api, demo: Any) -> None:
    pending = await all_nodes(
        api, "sp-admin", {"statuses": ["PENDING_CONFIRMATION"], "sign": "POSITIVE"}
    )
    body = await api.gql(
        "provider-ops",
        APPLY,
        {"input": {"positiveIncentiveIds": [pending[0]["id"]], "negativeIncentiveIds": []}},
    )
    assert codes(body) == ["FORBIDDEN"]
    assert "operations review" in body["errors"][0]["message"]


@pytest.mark.parametrize("mutation", [APPROVE, NOTIFY])
async def test_r14_only_operations_approve_and_issue(api: Api, mutation: str) -> None:
    variables = (
        {"input": {"applicationId": gid("x", "IncentiveApplication")}}
        if mutation is APPROVE
        else {"input": {"incentiveIds": [gid("x")]}}
    )
    for login in ("sp-admin", "sp-operator", "md-admin"):
        body = await api.gql(login, mutation, variables)
        assert codes(body) == ["FORBIDDEN"], login


# -- tenancy and global IDs --------------------------------------------------------------------


async def test_another_partners_incentive_is_invisible(api: Api, demo: Any) -> None:
    mine = (await all_nodes(api, "sp-admin"))[0]["id"]
    assert (await api.gql("sp-admin", NODE, {"id": mine}))["data"]["node"][
        "__typename"
    ] == "Incentive"
    assert (await api.gql("sp2-admin", NODE, {"id": mine}))["data"]["node"] is None
    # Without the menu, `node` does not confirm the ID exists either.
    assert (await api.gql("sp-operator", NODE, {"id": mine}))["data"]["node"] is None
    body = await api.gql(
        "sp2-admin", APPLY, {"input": {"positiveIncentiveIds": [mine], "negativeIncentiveIds": []}}
    )
    errors = body["data"]["applyForIncentiveDisbursement"]["errors"]
    assert (errors[0]["code"], errors[0]["field"]) == ("NOT_FOUND", "positiveIncentiveIds")
    assert body["data"]["applyForIncentiveDisbursement"]["application"] is None


async def test_operations_act_only_on_the_partner_their_token_names(api: Api, demo: Any) -> None:
    theirs = await api.gql("sp2-admin", APPLICATIONS)
    [app] = [e["node"] for e in theirs["data"]["incentiveApplications"]["edges"]][:1]
    assert (await api.gql("provider-ops", NODE, {"id": app["id"]}))["data"]["node"] is None
    body = await api.gql("provider-ops", APPROVE, {"input": {"applicationId": app["id"]}})
    assert [e["code"] for e in body["data"]["approveIncentiveApplication"]["errors"]] == [
        "NOT_FOUND"
    ]


async def test_an_id_of_another_type_is_refused(api: Api, demo: Any) -> None:
    job_id = gid("some-job", "Job")
    body = await api.gql(
        "sp-admin", APPLY, {"input": {"positiveIncentiveIds": [job_id], "negativeIncentiveIds": []}}
    )
    [error] = body["data"]["applyForIncentiveDisbursement"]["errors"]
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "positiveIncentiveIds")
    preview = await api.gql("sp-admin", PREVIEW, {"ids": [job_id]})
    assert codes(preview) == ["BAD_USER_INPUT"]
    approve = await api.gql("provider-ops", APPROVE, {"input": {"applicationId": job_id}})
    assert approve["data"]["approveIncentiveApplication"]["errors"][0]["field"] == "applicationId"


async def test_a_malformed_id_is_a_clear_error(api: Api, demo: Any) -> None:
    body = await api.gql("sp-admin", PREVIEW, {"ids": ["not-a-global-id"]})
    assert body["data"] is None and body["errors"][0]["message"] != "Unexpected error."


# -- pages, filters and totals -----------------------------------------------------------------


async def test_pages_cover_every_incentive_once_newest_first(api: Api, demo: Any) -> None:
    nodes = await all_nodes(api, "sp-admin")
    ids = [n["id"] for n in nodes]
    assert len(ids) == len(set(ids))
    raw = [GlobalID.from_id(i).node_id for i in ids]
    assert raw == sorted(raw, reverse=True)
    stored = list(IncentiveStore("ptn-sp-001").query(IncentiveQuery()))
    assert len(ids) == len(stored)


@pytest.mark.parametrize("first", [0, 101])
async def test_page_size_outside_1_to_100_is_refused(api: Api, first: int) -> None:
    body = await api.gql("sp-admin", INCENTIVES, {"first": first})
    assert codes(body) == ["BAD_USER_INPUT"]


async def test_a_cursor_from_another_connection_is_refused(api: Api, demo: Any) -> None:
    jobs = await api.gql("sp-admin", "{ jobs(first: 1) { pageInfo { endCursor } } }")
    cursor = jobs["data"]["jobs"]["pageInfo"]["endCursor"] or "Zm9vOmJhcg=="
    body = await api.gql("sp-admin", INCENTIVES, {"after": cursor})
    assert codes(body) == ["BAD_USER_INPUT"]


async def test_filters_by_status_sign_period_and_program(api: Api, demo: Any) -> None:
    everything = await all_nodes(api, "sp-admin")
    for flt, keep in [
        (
            {"statuses": ["ESTIMATED", "DISBURSED"]},
            lambda n: n["status"] in ("ESTIMATED", "DISBURSED"),
        ),
        ({"sign": "NEGATIVE"}, lambda n: n["sign"] == "NEGATIVE"),
        ({"period": "2026-10"}, lambda n: n["period"] == "2026-10"),
        (
            {"program": "SOLUTION_PROVIDER", "sign": "POSITIVE"},
            lambda n: n["program"] == "SOLUTION_PROVIDER" and n["sign"] == "POSITIVE",
        ),
    ]:
        found = await all_nodes(api, "sp-admin", flt)
        assert found and found == [n for n in everything if keep(n)], flt
    negatives = await all_nodes(api, "sp-admin", {"sign": "NEGATIVE"})
    assert all(Decimal(n["amount"]["amount"]) < 0 for n in negatives)


async def test_bad_period_is_refused(api: Api) -> None:
    body = await api.gql("sp-admin", INCENTIVES, {"filter": {"period": "2026-13"}})
    assert codes(body) == ["BAD_USER_INPUT"]


async def test_r19_filter_expiring_before(api: Api, demo: Any) -> None:
    # ptn-sp-002 left the distribution program on 2026-06-30: valid until 2027-06-30.
    expiring = await all_nodes(api, "sp2-admin", {"expiringBefore": "2027-07-01"})
    assert len(expiring) == 3
    assert {n["program"] for n in expiring} == {"DISTRIBUTION"}
    assert {n["status"] for n in expiring} == {"PENDING_CONFIRMATION"}
    assert {n["validUntil"] for n in expiring} == {"2027-06-30"}
    assert await all_nodes(api, "sp2-admin", {"expiringBefore": "2027-06-30"}) == []
    assert (
        await all_nodes(api, "sp2-admin", {"expiringBefore": "2027-07-01", "sign": "NEGATIVE"})
        == []
    )
    # Still a member: nothing of ptn-sp-001 is ever expiring.
    assert await all_nodes(api, "sp-admin", {"expiringBefore": "2099-01-01"}) == []


async def test_totals_sum_every_matching_incentive(api: Api, local_env: Any) -> None:
    partner = fresh_partner()
    for amount, status in [
        ("100.00", Status.PENDING_CONFIRMATION),
        ("250.50", Status.PENDING_CONFIRMATION),
        ("-30.25", Status.PENDING_CONFIRMATION),
        ("40.00", Status.DISBURSED),
        ("5.00", Status.ESTIMATED),
    ]:
        incentive(partner, amount, status=status)
    body = await as_(api, admin(partner), TOTALS)
    totals = body["data"]["incentiveTotals"]
    assert totals["count"] == 5
    assert totals["positiveTotal"]["amount"] == "395.50"
    assert totals["negativeTotal"]["amount"] == "-30.25"
    assert totals["netAmount"]["amount"] == "365.25"
    by_status = {s["status"]: (s["count"], s["amount"]["amount"]) for s in totals["byStatus"]}
    assert by_status == {
        "PENDING_CONFIRMATION": (3, "320.25"),
        "DISBURSED": (1, "40.00"),
        "ESTIMATED": (1, "5.00"),
    }
    pending = await as_(
        api,
        admin(partner),
        TOTALS,
        {"filter": {"statuses": ["PENDING_CONFIRMATION"], "sign": "POSITIVE"}},
    )
    assert pending["data"]["incentiveTotals"]["positiveTotal"]["amount"] == "350.50"


async def test_programs_show_when_validity_ends(api: Api, demo: Any) -> None:
    body = await api.gql("sp2-admin", PROGRAMS)
    assert body["data"]["incentivePrograms"] == [
        {
            "program": "DISTRIBUTION",
            "joinedOn": "2024-01-01",
            "lapsedOn": "2026-06-30",
            "incentivesValidUntil": "2027-06-30",
        },
        {
            "program": "SOLUTION_PROVIDER",
            "joinedOn": "2022-03-01",
            "lapsedOn": "2025-09-30",
            "incentivesValidUntil": "2026-09-30",
        },
    ]


# -- applying, reviewing, issuing --------------------------------------------------------------


async def test_r15_r16_preview_then_apply_then_approve(api: Api, local_env: Any) -> None:
    partner = fresh_partner()
    p1, p2 = incentive(partner, "500.00"), incentive(partner, "120.00")
    n1 = incentive(partner, "-80.00")
    preview = (await as_(api, admin(partner), PREVIEW, {"ids": [gid(p1)]}))["data"][
        "incentiveApplicationPreview"
    ]
    assert preview["canApply"] and preview["errors"] == []
    assert [n["id"] for n in preview["negatives"]] == [gid(n1)]
    assert preview["netAmount"] == {"amount": "420.00", "currency": "CNY"}

    applied = (
        await as_(
            api,
            admin(partner),
            APPLY,
            {
                "input": {
                    "positiveIncentiveIds": [gid(p1)],
                    "negativeIncentiveIds": [n["id"] for n in preview["negatives"]],
                }
            },
        )
    )["data"]["applyForIncentiveDisbursement"]
    assert applied["errors"] == [] and applied["shortfall"] is None
    application = applied["application"]
    assert application["status"] == "SUBMITTED"
    assert application["netAmount"]["amount"] == "420.00"
    assert {i["status"] for i in application["incentives"]} == {"DISBURSING"}

    approved = (
        await as_(
            api, operations(partner), APPROVE, {"input": {"applicationId": application["id"]}}
        )
    )["data"]["approveIncentiveApplication"]
    assert approved["errors"] == [] and approved["application"]["status"] == "APPROVED"
    assert {i["status"] for i in approved["application"]["incentives"]} == {"DISBURSED"}
    history = (await as_(api, admin(partner), NODE, {"id": gid(p1)}))["data"]["node"]["history"]
    assert [(h["fromStatus"], h["toStatus"], h["actor"]) for h in history] == [
        ("ESTIMATED", "PENDING_CONFIRMATION", "OPERATIONS"),
        ("PENDING_CONFIRMATION", "DISBURSING", "PARTNER"),
        ("DISBURSING", "DISBURSED", "OPERATIONS"),
    ]
    assert history[2]["by"] == str(GlobalID("User", operations(partner).user_id))
    untouched = (await as_(api, admin(partner), NODE, {"id": gid(p2)}))["data"]["node"]
    assert untouched["status"] == "PENDING_CONFIRMATION"


async def test_r15_deselecting_a_negative_comes_back_as_a_typed_error(
    api: Api, local_env: Any
) -> None:
    partner = fresh_partner()
    p1, _n1 = incentive(partner, "500.00"), incentive(partner, "-80.00")
    body = await as_(
        api,
        admin(partner),
        APPLY,
        {"input": {"positiveIncentiveIds": [gid(p1)], "negativeIncentiveIds": []}},
    )
    payload = body["data"]["applyForIncentiveDisbursement"]
    assert payload["application"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("NEGATIVE_INCENTIVE_DESELECTED", "negativeIncentiveIds")
    ]


async def test_r16_shortfall_is_in_the_payload(api: Api, local_env: Any) -> None:
    partner = fresh_partner()
    p1, n1 = incentive(partner, "50.00"), incentive(partner, "-80.00")
    body = await as_(
        api,
        admin(partner),
        APPLY,
        {"input": {"positiveIncentiveIds": [gid(p1)], "negativeIncentiveIds": [gid(n1)]}},
    )
    payload = body["data"]["applyForIncentiveDisbursement"]
    assert payload["shortfall"] == {"amount": "30.00", "currency": "CNY"}
    assert payload["errors"][0]["code"] == "NEGATIVE_EXCEEDS_POSITIVE"
    assert "30.00 CNY" in payload["errors"][0]["message"]
    preview = (await as_(api, admin(partner), PREVIEW, {"ids": [gid(p1)]}))["data"][
        "incentiveApplicationPreview"
    ]
    assert not preview["canApply"] and preview["shortfall"]["amount"] == "30.00"


async def test_same_idempotency_key_returns_the_same_application(api: Api, local_env: Any) -> None:
    partner = fresh_partner()
    p1, p2 = incentive(partner, "10.00"), incentive(partner, "20.00")
    request = {
        "input": {
            "positiveIncentiveIds": [gid(p1)],
            "negativeIncentiveIds": [],
            "idempotencyKey": "apply-1",
        }
    }
    first = (await as_(api, admin(partner), APPLY, request))["data"]
    again = (await as_(api, admin(partner), APPLY, request))["data"]
    one, two = first["applyForIncentiveDisbursement"], again["applyForIncentiveDisbursement"]
    assert one["errors"] == two["errors"] == []
    assert one["application"]["id"] == two["application"]["id"]
    other = {"input": {**request["input"], "positiveIncentiveIds": [gid(p2)]}}
    reused = (await as_(api, admin(partner), APPLY, other))["data"]["applyForIncentiveDisbursement"]
    assert [e["code"] for e in reused["errors"]] == ["IDEMPOTENCY_KEY_REUSED"]
    # Without the key, a repeat is a new request, refused since p1 is taken.
    repeat = (
        await as_(
            api,
            admin(partner),
            APPLY,
            {"input": {"positiveIncentiveIds": [gid(p1)], "negativeIncentiveIds": []}},
        )
    )["data"]
    assert repeat["applyForIncentiveDisbursement"]["errors"][0]["code"] == "ALREADY_APPLIED"


async def test_notify_reports_each_incentive(api: Api, local_env: Any) -> None:
    partner = fresh_partner()
    estimate = incentive(partner, "10.00", status=Status.ESTIMATED)
    pending = incentive(partner, "20.00")
    body = await as_(
        api,
        operations(partner),
        NOTIFY,
        {"input": {"incentiveIds": [gid(estimate), gid(pending), gid("missing")]}},
    )
    results = body["data"]["notifyIncentiveDisbursement"]["results"]
    assert [r["error"]["code"] if r["error"] else r["incentive"]["status"] for r in results] == [
        "PENDING_CONFIRMATION",
        "TRANSITION_NOT_ALLOWED",
        "NOT_FOUND",
    ]
    too_many = await as_(
        api,
        operations(partner),
        NOTIFY,
        {"input": {"incentiveIds": [gid(f"x{i}") for i in range(101)]}},
    )
    assert too_many["data"]["notifyIncentiveDisbursement"]["errors"][0]["code"] == "BAD_USER_INPUT"


async def test_applications_are_audited(api: Api, local_env: Any) -> None:
    partner = fresh_partner()
    p1 = incentive(partner, "10.00")
    applied = (
        await as_(
            api,
            admin(partner),
            APPLY,
            {"input": {"positiveIncentiveIds": [gid(p1)], "negativeIncentiveIds": []}},
        )
    )["data"]
    app_id = applied["applyForIncentiveDisbursement"]["application"]["id"]
    await as_(api, operations(partner), APPROVE, {"input": {"applicationId": app_id}})
    events = await as_(
        api,
        admin(partner),
        """{ auditEvents(first: 20) { edges { node {
        operation actorRole outcome targetIds } } } }""",
    )
    found = {
        (e["node"]["operation"], e["node"]["actorRole"]): e["node"]
        for e in events["data"]["auditEvents"]["edges"]
    }
    assert app_id in found[("applyForIncentiveDisbursement", "admin")]["targetIds"]
    assert gid(p1) in found[("applyForIncentiveDisbursement", "admin")]["targetIds"]
    assert found[("approveIncentiveApplication", "provider_operations")]["outcome"] == "SUCCEEDED"


async def test_r20_an_incentive_shows_its_validity(api: Api, local_env: Any) -> None:
    partner = fresh_partner()
    record_membership(
        partner, Program.SOLUTION_PROVIDER, joined_on=date(2020, 1, 1), lapsed_on=date(2024, 2, 29)
    )
    item = incentive(partner, "10.00", notified_on=date(2023, 6, 1))
    negative = incentive(partner, "-10.00", notified_on=date(2023, 6, 1))
    edges = (await as_(api, admin(partner), INCENTIVES))["data"]["incentives"]["edges"]
    nodes = {e["node"]["id"]: e["node"] for e in edges}
    assert nodes[gid(item)]["validFrom"] == "2023-06-01"
    assert nodes[gid(item)]["validUntil"] == "2025-02-28"
    assert nodes[gid(negative)]["validUntil"] is None  # R17


# -- the demo ----------------------------------------------------------------------------------


async def test_demo_covers_every_status_and_both_signs(api: Api, demo: Any) -> None:
    seen: set[tuple[str, str]] = set()
    for login in ("sp-admin", "sp2-admin", "md-admin"):
        seen |= {(n["status"], n["sign"]) for n in await all_nodes(api, login)}
    assert {status for status, _ in seen} == {s.name for s in Status}
    assert {sign for _, sign in seen} == {"POSITIVE", "NEGATIVE"}
    # Something for each actor to do: apply (sp-admin) and approve (provider-ops).
    assert ("PENDING_CONFIRMATION", "NEGATIVE") in seen
    submitted = await api.gql("provider-ops", APPLICATIONS, {"status": "SUBMITTED"})
    assert submitted["data"]["incentiveApplications"]["edges"]


async def test_demo_history_is_what_the_state_machine_allows(api: Api, demo: Any) -> None:
    nodes = await all_nodes(api, "sp-admin")
    for node in nodes:
        body = await api.gql("sp-admin", NODE, {"id": node["id"]})
        history = body["data"]["node"]["history"]
        assert (history[-1]["toStatus"] if history else "ESTIMATED") == node["status"]
        for before, after in itertools.pairwise(history):
            assert before["toStatus"] == after["fromStatus"]
        for step in history:
            assert is_allowed(
                Status[step["fromStatus"]], Status[step["toStatus"]], Actor[step["actor"]]
            )
