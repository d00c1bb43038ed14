"""One transaction per chunk of leads: every lead keeps its own condition and reason."""

from __future__ import annotations

from typing import Any

from partner_center.core.ids import new_id
from partner_center.leads.rules import DispatchAction, Reason
from partner_center.leads.store import LeadStore, Transition
from tests.leads_helpers import history_of, lead_now, make_leads

PARTNER = "ptn-sp-001"


def test_leads_changed_since_read_fail_alone_and_a_redelivery_writes_no_second_entry(
    local_env: Any,
) -> None:
    leads = make_leads(50)
    store = LeadStore(PARTNER)
    read = store.get_many([lead.lead_id for lead in leads])
    as_read = [read[lead.lead_id] for lead in leads]
    # After the read, one lead is taken by another job and one is closed.
    taken, closed = leads[5].lead_id, leads[40].lead_id
    assert store.apply(
        taken, Transition(DispatchAction.DISPATCH, new_id(), "a", "usr-other")
    ).succeeded
    now = lead_now(PARTNER, closed)
    now.status = "closed"
    now.save()

    change = Transition(DispatchAction.DISPATCH, new_id(), "a", "usr-staff")
    outcomes = store.apply_chunk(as_read, change)
    assert [o.lead_id for o in outcomes] == [lead.lead_id for lead in leads]
    reasons = {o.lead_id: o.reason for o in outcomes if not o.succeeded}
    assert reasons == {taken: Reason.ALREADY_DISPATCHED, closed: Reason.NOT_DISPATCHABLE}
    for lead in leads:
        if lead.lead_id not in reasons:
            assert lead_now(PARTNER, lead.lead_id).assignee_id == "usr-staff"
            (entry,) = history_of(PARTNER, lead.lead_id)
            assert entry.job_id == change.job_id

    # The same job again, from the same stale read (a redelivery): every lead it changed
    # is found done by it, with no second history entry.
    again = store.apply_chunk(as_read, change)
    assert {o.lead_id: o.reason for o in again if not o.succeeded} == reasons
    for lead in leads:
        if lead.lead_id not in reasons:
            assert len(history_of(PARTNER, lead.lead_id)) == 1
