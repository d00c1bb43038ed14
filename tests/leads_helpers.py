"""What the lead dispatch tests share: fresh leads, requests, jobs, reports."""

from __future__ import annotations

from typing import Any

import httpx
from faker import Faker
from strawberry.relay import GlobalID

from partner_center.core.clock import to_iso, utcnow
from partner_center.core.ids import new_id
from partner_center.leads.models import LeadHistoryItem, LeadItem, lead_key
from partner_center.leads.store import LeadStore
from tests.conftest import Api
from tests.helpers import parse_csv

STAFF_1, STAFF_2 = "usr-sp-staff-1", "usr-sp-staff-2"
_fake = Faker("zh_CN")
_fake.seed_instance(7)

DISPATCH = """
mutation($input: DispatchLeadsInput!) {
  dispatchLeads(input: $input) {
    job { id status kind parameters }
    errors { code field message }
  }
}"""

RECALL = """
mutation($input: RecallLeadsInput!) {
  recallLeads(input: $input) {
    job { id status kind parameters }
    errors { code field message }
  }
}"""

DISPATCH_JOB = """
query($id: ID!) {
  job(id: $id) {
    id kind status progress rowCount succeededCount failedCount errorCode lastAttemptError
    attempts fileName byteSize sha256 downloadUrl
  }
}"""


def gid(kind: str, raw: str) -> str:
    return str(GlobalID(kind, raw))


def raw(global_id: str) -> str:
    return GlobalID.from_id(global_id).node_id


def make_leads(
    count: int,
    *,
    partner_id: str = "ptn-sp-001",
    status: str = "undispatched",
    assignee: str | None = None,
) -> list[LeadItem]:
    """Fresh leads of their own (the demo leads stay as seeded for the read tests)."""
    now = to_iso(utcnow())
    items = []
    for _ in range(count):
        lead_id = new_id()
        items.append(
            LeadItem(
                partner_id,
                lead_key(lead_id),
                lead_id=lead_id,
                name=_fake.company(),
                contact_name=_fake.name(),
                contact_phone=_fake.phone_number(),
                source="website",
                region="east",
                industry="retail",
                status=status,
                assignee_id=assignee,
                created_at=now,
                updated_at=now,
            )
        )
    with LeadItem.batch_write() as batch:
        for item in items:
            batch.save(item)
    return items


def personal(leads: list[LeadItem]) -> set[str]:
    return {
        v
        for lead in leads
        for v in (lead.name, lead.contact_name, lead.contact_phone)
        if v and len(v) >= 2
    }


async def dispatch(
    api: Api, login: str, lead_ids: list[str], staff: str = STAFF_1, key: str | None = None
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "leadIds": [gid("Lead", i) for i in lead_ids],
        "staffId": gid("User", staff),
    }
    if key:
        value["idempotencyKey"] = key
    body = await api.gql(login, DISPATCH, {"input": value})
    assert "errors" not in body, body
    return body["data"]["dispatchLeads"]


async def recall(api: Api, login: str, lead_ids: list[str]) -> dict[str, Any]:
    body = await api.gql(login, RECALL, {"input": {"leadIds": [gid("Lead", i) for i in lead_ids]}})
    assert "errors" not in body, body
    return body["data"]["recallLeads"]


async def job(api: Api, login: str, job_gid: str) -> dict[str, Any]:
    body = await api.gql(login, DISPATCH_JOB, {"id": job_gid})
    assert "errors" not in body, body
    return body["data"]["job"]


def report_rows(url: str) -> list[dict[str, str]]:
    rows = parse_csv(httpx.get(url).content)
    header, data = rows[0], rows[1:]
    short = [h.split("/", 1)[1] for h in header]
    return [dict(zip(short, row, strict=True)) for row in data]


def history_of(partner_id: str, lead_id: str) -> list[LeadHistoryItem]:
    return LeadStore(partner_id).history(lead_id)


def lead_now(partner_id: str, lead_id: str) -> LeadItem:
    found = LeadStore(partner_id).get(lead_id, consistent=True)
    assert found is not None
    return found
