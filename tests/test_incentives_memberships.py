"""Operations record partners joining and leaving programs (`recordProgramMembership`):
the lapse day bounds the program's incentives (R19), the daily expiry ends them after a
year (R20), and no lapse recorded later restores an expired one."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from strawberry.relay import GlobalID

from partner_center.incentives.expiry import run_expiry
from partner_center.incentives.programs import Program, memberships, record_membership
from partner_center.incentives.service import today_in_beijing
from partner_center.storage.models import DirectoryItem
from tests.conftest import Api
from tests.incentives_support import admin, fresh_partner, incentive, operations
from tests.test_incentives_api import INCENTIVES, as_, codes, gid

RECORD = """mutation($input: RecordProgramMembershipInput!) {
  recordProgramMembership(input: $input) {
    membership { program joinedOn lapsedOn incentivesValidUntil }
    errors { code field message }
  }
}"""
PROGRAMS = "{ incentivePrograms { program joinedOn lapsedOn incentivesValidUntil } }"


def partner_with_directory_entry() -> str:
    partner = fresh_partner()
    DirectoryItem(partner, "PARTNER", name="测试伙伴", account_type="solution_provider").save()
    return partner


def record_input(partner: str, **fields: Any) -> dict[str, Any]:
    return {
        "input": {
            "partnerId": str(GlobalID("Partner", partner)),
            "program": "SOLUTION_PROVIDER",
            **fields,
        }
    }


async def record(api: Api, partner: str, **fields: Any) -> dict[str, Any]:
    body = await api.gql("ops-reviewer", RECORD, record_input(partner, **fields))
    assert "errors" not in body, body
    return body["data"]["recordProgramMembership"]


async def test_r19_r20_a_recorded_lapse_bounds_then_ends_the_programs_incentives(
    api: Api, local_env: Any
) -> None:
    partner = partner_with_directory_entry()
    record_membership(partner, Program.SOLUTION_PROVIDER, joined_on=date(2020, 1, 1))
    positive = incentive(partner, "10.00", notified_on=date(2023, 6, 1))
    negative = incentive(partner, "-10.00", notified_on=date(2023, 6, 1))

    done = await record(api, partner, lapsedOn="2024-02-29")  # joinedOn kept
    assert done["errors"] == []
    assert done["membership"] == {
        "program": "SOLUTION_PROVIDER",
        "joinedOn": "2020-01-01",
        "lapsedOn": "2024-02-29",
        "incentivesValidUntil": "2025-02-28",
    }
    # The partner sees its membership and its incentives' end (R19; R17 for negatives).
    seen = await as_(api, admin(partner), PROGRAMS)
    assert seen["data"]["incentivePrograms"] == [done["membership"]]
    edges = (await as_(api, admin(partner), INCENTIVES))["data"]["incentives"]["edges"]
    nodes = {e["node"]["id"]: e["node"] for e in edges}
    assert nodes[gid(positive)]["validUntil"] == "2025-02-28"
    assert nodes[gid(negative)]["validUntil"] is None

    # The daily expiry ends the positive one after that day (R20), not the negative (R17).
    run_expiry(date(2025, 3, 1), partners={partner})
    edges = (await as_(api, admin(partner), INCENTIVES))["data"]["incentives"]["edges"]
    statuses = {e["node"]["id"]: e["node"]["status"] for e in edges}
    assert statuses == {gid(positive): "EXPIRED", gid(negative): "PENDING_CONFIRMATION"}

    # Back in the program: the lapse is cleared, and nothing expired comes back (R20).
    back = await record(api, partner)
    assert back["membership"]["lapsedOn"] is None
    assert back["membership"]["incentivesValidUntil"] is None
    edges = (await as_(api, admin(partner), INCENTIVES))["data"]["incentives"]["edges"]
    assert {e["node"]["id"]: e["node"]["status"] for e in edges}[gid(positive)] == "EXPIRED"


async def test_a_partner_new_to_a_program_joins_with_its_day(api: Api, local_env: Any) -> None:
    partner = partner_with_directory_entry()
    missing = await record(api, partner)
    assert [(e["code"], e["field"]) for e in missing["errors"]] == [("BAD_USER_INPUT", "joinedOn")]
    joined = await record(api, partner, joinedOn="2025-07-01")
    assert joined["membership"]["joinedOn"] == "2025-07-01"
    assert memberships(partner)[Program.SOLUTION_PROVIDER].lapsed_on is None


async def test_impossible_days_are_refused_and_change_nothing(api: Api, local_env: Any) -> None:
    partner = partner_with_directory_entry()
    record_membership(partner, Program.SOLUTION_PROVIDER, joined_on=date(2022, 5, 1))
    tomorrow = (today_in_beijing() + timedelta(days=1)).isoformat()
    for fields, field in (
        ({"lapsedOn": "2022-04-30"}, "lapsedOn"),
        ({"lapsedOn": tomorrow}, "lapsedOn"),
        ({"joinedOn": tomorrow}, "joinedOn"),
    ):
        refused = await record(api, partner, **fields)
        assert [(e["code"], e["field"]) for e in refused["errors"]] == [
            ("BAD_USER_INPUT", field)
        ], fields
        assert refused["membership"] is None
    kept = memberships(partner)[Program.SOLUTION_PROVIDER]
    assert (kept.joined_on, kept.lapsed_on) == (date(2022, 5, 1), None)


async def test_unknown_partners_and_foreign_ids_are_refused(api: Api, local_env: Any) -> None:
    unknown = await record(api, "ptn-nobody", joinedOn="2025-01-01")
    assert [(e["code"], e["field"]) for e in unknown["errors"]] == [("NOT_FOUND", "partnerId")]
    wrong_type = await api.gql(
        "ops-reviewer",
        RECORD,
        {
            "input": {
                "partnerId": str(GlobalID("Customer", "ptn-sp-001")),
                "program": "DISTRIBUTION",
                "joinedOn": "2025-01-01",
            }
        },
    )
    payload = wrong_type["data"]["recordProgramMembership"]
    assert [e["code"] for e in payload["errors"]] == ["BAD_USER_INPUT"]
    assert memberships("ptn-nobody") == {}


async def test_only_the_providers_operations_record_memberships(api: Api, local_env: Any) -> None:
    partner = partner_with_directory_entry()
    record_membership(partner, Program.SOLUTION_PROVIDER, joined_on=date(2022, 5, 1))
    variables = record_input(partner, lapsedOn="2025-01-01")
    for principal in (admin(partner),):
        body = await as_(api, principal, RECORD, variables)
        assert codes(body) == ["FORBIDDEN"]
    for login in ("sp-admin", "sp-operator", "sp-staff-1"):
        body = await api.gql(login, RECORD, variables)
        assert codes(body) == ["FORBIDDEN"], login
    # Operations on a token that names one partner act for that partner only.
    other = await as_(api, operations("ptn-sp-002"), RECORD, variables)
    assert codes(other) == ["FORBIDDEN"]
    assert memberships(partner)[Program.SOLUTION_PROVIDER].lapsed_on is None


async def test_a_retry_with_its_key_records_once_and_a_reused_key_is_refused(
    api: Api, local_env: Any
) -> None:
    partner = partner_with_directory_entry()
    record_membership(partner, Program.SOLUTION_PROVIDER, joined_on=date(2022, 5, 1))
    first = await record(api, partner, lapsedOn="2025-01-01", idempotencyKey="lapse-1")
    # Changed meanwhile; the retry answers what the first call did and changes nothing.
    record_membership(partner, Program.SOLUTION_PROVIDER, joined_on=date(2022, 5, 1))
    again = await record(api, partner, lapsedOn="2025-01-01", idempotencyKey="lapse-1")
    assert again == first
    assert memberships(partner)[Program.SOLUTION_PROVIDER].lapsed_on is None
    reused = await record(api, partner, lapsedOn="2025-02-01", idempotencyKey="lapse-1")
    assert [e["code"] for e in reused["errors"]] == ["IDEMPOTENCY_KEY_REUSED"]


PROGRAMS_OF = """query($partner: ID) {
  incentivePrograms(partnerId: $partner) { program joinedOn lapsedOn }
}"""


async def test_operations_read_back_the_memberships_of_the_partner_they_name(
    api: Api, local_env: Any
) -> None:
    partner = partner_with_directory_entry()
    await record(api, partner, joinedOn="2024-03-01", lapsedOn="2025-03-01")
    named = {"partner": str(GlobalID("Partner", partner))}
    body = await api.gql("ops-reviewer", PROGRAMS_OF, named)
    assert body["data"]["incentivePrograms"] == [
        {"program": "SOLUTION_PROVIDER", "joinedOn": "2024-03-01", "lapsedOn": "2025-03-01"}
    ]
    # On their platform token they must name the partner; a partner's users may name only
    # their own.
    assert codes(await api.gql("ops-reviewer", PROGRAMS_OF, {})) == ["BAD_USER_INPUT"]
    assert codes(await api.gql("sp-admin", PROGRAMS_OF, named)) == ["FORBIDDEN"]
    own = await api.gql(
        "sp-admin", PROGRAMS_OF, {"partner": str(GlobalID("Partner", "ptn-sp-001"))}
    )
    assert (
        own["data"]["incentivePrograms"]
        == (await api.gql("sp-admin", PROGRAMS_OF, {}))["data"]["incentivePrograms"]
    )
