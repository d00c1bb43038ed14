"""Demo leads: a few hundred per solution provider, in every status, with the history
that led there. Deterministic (own seed), like the rest of the demo data."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from faker import Faker

from partner_center.core.clock import to_iso
from partner_center.leads.models import LeadHistoryItem, LeadItem, history_key, lead_key
from partner_center.leads.rules import DispatchAction, LeadStatus

SEED = 20260802
SOURCES = ["website", "trade_show", "marketplace", "referral", "campaign"]
REGIONS = ["north", "east", "south", "central", "southwest", "northwest", "northeast"]
INDUSTRIES = [
    "internet",
    "finance",
    "manufacturing",
    "retail",
    "education",
    "healthcare",
    "government",
    "gaming",
]
# Leads per partner, and how their statuses are spread.
COUNTS = {"ptn-sp-001": 400, "ptn-sp-002": 40}
STATUS_WEIGHTS = {
    LeadStatus.UNDISPATCHED: 35,
    LeadStatus.DISPATCHED: 25,
    LeadStatus.RECALLED: 15,
    LeadStatus.CONVERTED: 15,
    LeadStatus.CLOSED: 10,
}
STAFF = {"ptn-sp-001": ["usr-sp-staff-1", "usr-sp-staff-2"], "ptn-sp-002": []}
ACTORS = {"ptn-sp-001": ["usr-sp-admin", "usr-sp-operator"], "ptn-sp-002": ["usr-sp2-admin"]}
START = datetime(2026, 6, 1, tzinfo=UTC)


@dataclass(frozen=True)
class DemoLeads:
    leads: list[LeadItem]
    history: list[LeadHistoryItem]


def _id(rng: random.Random, instant: datetime) -> str:
    # The shape of core.ids.new_id: creation order is key order.
    return f"{int(instant.timestamp() * 1000):012x}{rng.getrandbits(64):016x}"


def generate() -> DemoLeads:
    fake = Faker("zh_CN")
    fake.seed_instance(SEED)
    rng = random.Random(SEED)
    leads: list[LeadItem] = []
    history: list[LeadHistoryItem] = []
    statuses, weights = zip(*STATUS_WEIGHTS.items(), strict=True)
    for partner_id, count in COUNTS.items():
        staff = STAFF[partner_id]
        for _ in range(count):
            created = START + timedelta(seconds=rng.randrange(0, 120 * 86400))
            lead_id = _id(rng, created)
            status = rng.choices(statuses, weights)[0] if staff else LeadStatus.UNDISPATCHED
            lead = LeadItem(
                partner_id,
                lead_key(lead_id),
                lead_id=lead_id,
                name=fake.company() if rng.random() < 0.7 else fake.name(),
                contact_name=fake.name(),
                contact_phone=fake.phone_number(),
                source=rng.choice(SOURCES),
                region=rng.choice(REGIONS),
                industry=rng.choice(INDUSTRIES),
                status=LeadStatus.UNDISPATCHED.value,
                created_at=to_iso(created),
                updated_at=to_iso(created),
            )
            if status is not LeadStatus.UNDISPATCHED:
                history += _dispatch_story(rng, lead, status, staff, ACTORS[partner_id])
            leads.append(lead)
    return DemoLeads(leads=leads, history=history)


def _dispatch_story(
    rng: random.Random, lead: LeadItem, status: LeadStatus, staff: list[str], actors: list[str]
) -> list[LeadHistoryItem]:
    """Dispatch it (and recall it, for a recalled lead); converted and closed leads end
    with the staff that worked them."""
    at = datetime.strptime(lead.created_at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    holder = rng.choice(staff)
    entries = []
    steps: list[DispatchAction] = [DispatchAction.DISPATCH]
    if status is LeadStatus.RECALLED:
        steps.append(DispatchAction.RECALL)
    current = LeadStatus.UNDISPATCHED
    for action in steps:
        at += timedelta(hours=rng.randrange(1, 240))
        job_id = _id(rng, at)
        to = LeadStatus.DISPATCHED if action is DispatchAction.DISPATCH else LeadStatus.RECALLED
        entries.append(
            LeadHistoryItem(
                lead.partner_id,
                history_key(lead.lead_id, job_id),
                lead_id=lead.lead_id,
                job_id=job_id,
                action=action.value,
                actor_id=rng.choice(actors),
                staff_id=holder,
                from_status=current.value,
                to_status=to.value,
                occurred_at=to_iso(at),
            )
        )
        current = to
        if action is DispatchAction.DISPATCH:
            lead.dispatched_at = to_iso(at)
            lead.assignee_id = holder
        else:
            lead.recalled_at = to_iso(at)
            lead.assignee_id = None
        lead.last_job_id = job_id
    lead.status = status.value
    lead.updated_at = to_iso(
        at + timedelta(hours=1) if status in (LeadStatus.CONVERTED, LeadStatus.CLOSED) else at
    )
    return entries


def seed(data: Any) -> None:
    demo = generate()
    for model, items in ((LeadItem, demo.leads), (LeadHistoryItem, demo.history)):
        with model.batch_write() as batch:
            for item in items:
                batch.save(item)
