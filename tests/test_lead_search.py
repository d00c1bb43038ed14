"""Searching leads and reading one with its history (R1, R6, R7's selection by conditions).

Reads only: the demo leads are as seeded, whatever the dispatch tests do to their own.
"""

from __future__ import annotations

from typing import Any

import pytest
from strawberry.relay import GlobalID

from partner_center.local.demo import leads as leads_demo
from tests.conftest import Api
from tests.leads_helpers import STAFF_1, gid, raw

LEADS = """
query($first: Int, $after: String, $filter: LeadFilterInput, $orderBy: LeadOrder) {
  leads(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    edges { cursor node { id name status assigneeId source region industry createdAt
                          dispatchedAt contactPhone } }
    pageInfo { hasNextPage endCursor }
  }
}"""

LEAD = """
query($id: ID!) {
  lead(id: $id) {
    id status assigneeId contactName contactPhone
    history { action actorId staffId fromStatus toStatus jobId occurredAt }
  }
}"""


@pytest.fixture(scope="module")
def seeded() -> leads_demo.DemoLeads:
    return leads_demo.generate()


def demo_leads(seeded: leads_demo.DemoLeads, partner_id: str = "ptn-sp-001") -> list[Any]:
    return [lead for lead in seeded.leads if lead.partner_id == partner_id]


async def all_leads(
    api: Api, login: str, flt: dict[str, Any] | None = None, order: str = "CREATED_AT_DESC"
) -> list[dict[str, Any]]:
    found, after = [], None
    while True:
        body = await api.gql(
            login, LEADS, {"first": 100, "after": after, "filter": flt, "orderBy": order}
        )
        assert "errors" not in body, body
        page = body["data"]["leads"]
        found += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


def ids(nodes: list[dict[str, Any]]) -> set[str]:
    return {raw(n["id"]) for n in nodes}


async def test_demo_has_leads_in_every_status(api: Api, seeded: leads_demo.DemoLeads) -> None:
    for status in ("UNDISPATCHED", "DISPATCHED", "RECALLED", "CONVERTED", "CLOSED"):
        expected = {lead.lead_id for lead in demo_leads(seeded) if lead.status == status.lower()}
        assert len(expected) >= 20, status
        found = await all_leads(api, "sp-admin", {"statuses": [status]})
        # The dispatch tests add leads of their own (created now, not in the demo months).
        assert expected <= ids(found)
        assert {n["status"] for n in found} == {status}


async def test_filters_combine_with_and(api: Api, seeded: leads_demo.DemoLeads) -> None:
    flt = {
        "statuses": ["DISPATCHED", "CONVERTED"],
        "assignedTo": gid("User", STAFF_1),
        "region": "east",
        "createdFrom": "2026-06-15",
        "createdTo": "2026-08-31",
    }
    expected = {
        lead.lead_id
        for lead in demo_leads(seeded)
        if lead.status in ("dispatched", "converted")
        and lead.assignee_id == STAFF_1
        and lead.region == "east"
        and "2026-06-14T16:00" <= lead.created_at < "2026-08-31T16:00"
    }
    assert expected
    assert ids(await all_leads(api, "sp-operator", flt)) == expected


async def test_dispatched_date_range_source_and_industry(
    api: Api, seeded: leads_demo.DemoLeads
) -> None:
    flt = {
        "dispatchedFrom": "2026-07-01",
        "dispatchedTo": "2026-07-31",
        "source": "website",
        "industry": "finance",
    }
    expected = {
        lead.lead_id
        for lead in demo_leads(seeded)
        if lead.dispatched_at
        and "2026-06-30T16:00" <= lead.dispatched_at < "2026-07-31T16:00"
        and lead.source == "website"
        and lead.industry == "finance"
    }
    assert ids(await all_leads(api, "sp-admin", flt)) == expected


async def test_name_contains(api: Api, seeded: leads_demo.DemoLeads) -> None:
    name = demo_leads(seeded)[7].name
    part = name[1:3]
    expected = {lead.lead_id for lead in demo_leads(seeded) if part in lead.name}
    assert (
        ids(await all_leads(api, "sp-admin", {"nameContains": part, "createdTo": "2026-10-31"}))
        == expected
    )


async def test_order_and_pages_follow_cursors_without_overlap(api: Api) -> None:
    newest = await all_leads(api, "sp-admin", {"createdTo": "2026-10-31"})
    oldest = await all_leads(api, "sp-admin", {"createdTo": "2026-10-31"}, "CREATED_AT_ASC")
    assert [n["id"] for n in oldest] == [n["id"] for n in reversed(newest)]
    assert len(ids(newest)) == len(newest) == 400
    stamps = [n["createdAt"] for n in oldest]
    assert stamps == sorted(stamps)


async def test_a_cursor_of_another_order_or_connection_is_refused(api: Api) -> None:
    body = await api.gql("sp-admin", LEADS, {"first": 2})
    cursor = body["data"]["leads"]["pageInfo"]["endCursor"]
    other = await api.gql(
        "sp-admin", LEADS, {"first": 2, "after": cursor, "orderBy": "CREATED_AT_ASC"}
    )
    assert other["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("first", [0, 101])
async def test_page_size_outside_1_to_100_is_refused(api: Api, first: int) -> None:
    body = await api.gql("sp-admin", LEADS, {"first": first})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    "flt",
    [
        {"createdFrom": "2026-09-02", "createdTo": "2026-09-01"},
        {"nameContains": ""},
        {"assignedTo": str(GlobalID("Job", "x"))},
    ],
)
async def test_bad_filters_are_clear_errors(api: Api, flt: dict[str, Any]) -> None:
    body = await api.gql("sp-admin", LEADS, {"filter": flt})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("login", ["md-admin", "md-operator", "sp-operator-noperm", "sp-manager-1"])
async def test_r1_without_the_leads_menu_reads_are_forbidden_not_empty(
    api: Api, login: str, seeded: leads_demo.DemoLeads
) -> None:
    body = await api.gql(login, LEADS, {"first": 5})
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    lead_id = gid("Lead", demo_leads(seeded)[0].lead_id)
    body = await api.gql(login, LEAD, {"id": lead_id})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    node = await api.gql(login, "query($id: ID!) { node(id: $id) { id } }", {"id": lead_id})
    assert node["data"]["node"] is None


async def test_staff_see_only_the_leads_dispatched_to_them(
    api: Api, seeded: leads_demo.DemoLeads
) -> None:
    mine = await all_leads(api, "sp-staff-1")
    assert mine and {n["assigneeId"] for n in mine} == {gid("User", STAFF_1)}
    expected = {lead.lead_id for lead in demo_leads(seeded) if lead.assignee_id == STAFF_1}
    assert expected <= ids(mine)
    theirs = next(lead for lead in demo_leads(seeded) if lead.assignee_id == "usr-sp-staff-2")
    body = await api.gql("sp-staff-1", LEAD, {"id": gid("Lead", theirs.lead_id)})
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    node = await api.gql(
        "sp-staff-1",
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": gid("Lead", theirs.lead_id)},
    )
    assert node["data"]["node"] is None


async def test_another_partners_lead_is_not_found(api: Api, seeded: leads_demo.DemoLeads) -> None:
    foreign = demo_leads(seeded, "ptn-sp-002")[0]
    body = await api.gql("sp-admin", LEAD, {"id": gid("Lead", foreign.lead_id)})
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    theirs = await all_leads(api, "sp2-admin", {"createdTo": "2026-10-31"})
    assert ids(theirs) == {lead.lead_id for lead in demo_leads(seeded, "ptn-sp-002")}


async def test_a_lead_shows_its_full_dispatch_history(
    api: Api, seeded: leads_demo.DemoLeads
) -> None:
    lead = next(lead for lead in demo_leads(seeded) if lead.status == "recalled")
    body = await api.gql("sp-operator", LEAD, {"id": gid("Lead", lead.lead_id)})
    assert "errors" not in body, body
    shown = body["data"]["lead"]
    assert (shown["status"], shown["assigneeId"]) == ("RECALLED", None)
    assert shown["contactPhone"] == lead.contact_phone  # the sales team calls the lead
    history = shown["history"]
    assert [(h["action"], h["fromStatus"], h["toStatus"]) for h in history] == [
        ("DISPATCH", "UNDISPATCHED", "DISPATCHED"),
        ("RECALL", "DISPATCHED", "RECALLED"),
    ]
    assert history[0]["staffId"] == history[1]["staffId"]
    assert history[0]["occurredAt"] < history[1]["occurredAt"]
    assert all(raw(h["actorId"]) in ("usr-sp-admin", "usr-sp-operator") for h in history)
    assert GlobalID.from_id(history[0]["jobId"]).type_name == "Job"
