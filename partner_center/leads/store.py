"""Leads and their history in DynamoDB, scoped to one partner by construction.

Each dispatch or recall of one lead is one transaction: the lead's update, conditional
on the status (and holder) just read, and its history entry, conditional on there being
none yet for this job. Two jobs racing for a lead cannot both win; a job redelivered after
a crash finds its own entry and does not write a second one.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from partner_center.core.clock import to_iso, utcnow
from partner_center.leads.filters import LeadFilter, instant_bounds
from partner_center.leads.models import (
    HISTORY_PREFIX,
    LEAD_PREFIX,
    LeadHistoryItem,
    LeadItem,
    history_key,
    lead_key,
)
from partner_center.leads.rules import (
    DispatchAction,
    LeadStatus,
    Reason,
    refusal,
    target_status,
)
from partner_center.storage.transactions import transaction_connection

# A lead that keeps changing under us (or transactions that keep conflicting) is given
# up after this many tries; the job's attempt fails and its redelivery goes on.
MAX_TRIES = 5

# Leads per transaction: each lead is two of DynamoDB's 100 actions per TransactWriteItems
# (its update and its history entry).
CHUNK_LEADS = 50

# Cancellation reasons that are about a lead's state (or a concurrent transaction), not
# about the request: the lead is read again and decided afresh.
RETRYABLE = frozenset({"ConditionalCheckFailed", "TransactionConflict"})


class LeadContention(Exception):
    """A lead could not be settled within MAX_TRIES: retry the job later."""


@dataclass(frozen=True)
class Outcome:
    """What one job did to one lead, and the lead as the report shows it."""

    lead_id: str
    succeeded: bool
    reason: Reason | None
    lead: LeadItem | None  # the lead as read (None when it does not exist)
    from_status: str | None
    to_status: str | None
    staff_id: str | None  # dispatched to / recalled from
    occurred_at: str | None


@dataclass(frozen=True)
class Transition:
    action: DispatchAction
    job_id: str
    actor_id: str
    staff_id: str | None  # the target of a dispatch; None for a recall


class LeadStore:
    def __init__(self, partner_id: str) -> None:
        if not partner_id:
            raise ValueError("a partner ID is required")
        self.partner_id = partner_id

    # -- reads --------------------------------------------------------------------------

    def get(self, lead_id: str, *, consistent: bool = False) -> LeadItem | None:
        try:
            return LeadItem.get(self.partner_id, lead_key(lead_id), consistent_read=consistent)
        except LeadItem.DoesNotExist:
            return None

    def get_many(self, lead_ids: list[str]) -> dict[str, LeadItem]:
        """Strongly consistent reads of up to any number of leads, 100 per request."""
        found: dict[str, LeadItem] = {}
        for start in range(0, len(lead_ids), 100):
            keys = [(self.partner_id, lead_key(i)) for i in lead_ids[start : start + 100]]
            for item in LeadItem.batch_get(keys, consistent_read=True):
                found[item.lead_id] = item
        return found

    def history(self, lead_id: str) -> list[LeadHistoryItem]:
        """Oldest first (job IDs are time-ordered)."""
        return list(
            LeadHistoryItem.query(
                self.partner_id, LeadHistoryItem.lead_key.startswith(f"{HISTORY_PREFIX}{lead_id}#")
            )
        )

    def history_entry(self, lead_id: str, job_id: str) -> LeadHistoryItem | None:
        try:
            return LeadHistoryItem.get(
                self.partner_id, history_key(lead_id, job_id), consistent_read=True
            )
        except LeadHistoryItem.DoesNotExist:
            return None

    def page(
        self,
        flt: LeadFilter,
        *,
        owner_id: str | None,
        after_lead_id: str | None,
        limit: int,
        newest_first: bool = True,
    ) -> tuple[list[LeadItem], bool]:
        """Up to `limit` leads matching `flt` (and held by `owner_id`, when given), in
        creation order, and whether more follow."""
        condition = _conditions(flt, owner_id)
        start = None
        if after_lead_id:
            start = {
                "partner_id": {"S": self.partner_id},
                "lead_key": {"S": lead_key(after_lead_id)},
            }
        items: Iterator[LeadItem] = LeadItem.query(
            self.partner_id,
            LeadItem.lead_key.startswith(LEAD_PREFIX),
            filter_condition=condition,
            scan_index_forward=not newest_first,
            last_evaluated_key=start,
            limit=limit + 1,
            page_size=100,
        )
        found = list(items)
        return found[:limit], len(found) > limit

    # -- the one write path of dispatch and recall --------------------------------------

    def connection(self) -> Connection:
        return transaction_connection(LeadItem)

    def apply(
        self,
        lead_id: str,
        change: Transition,
        *,
        read: LeadItem | None = None,
        was_read: bool = False,
    ) -> Outcome:
        """Dispatch or recall one lead for one job; idempotent per (job, lead).

        The happy path is one read (or `read`, when the caller read the lead already, in
        a batch; `was_read` with `read=None` means it does not exist) and one transaction.
        Only when the lead cannot take the transition, or the transaction is cancelled,
        is this job's history entry looked up: finding it means an earlier delivery of
        the job already did the work.
        """
        for attempt in range(MAX_TRIES):
            lead = read if attempt == 0 and was_read else self.get(lead_id, consistent=True)
            status = LeadStatus(lead.status) if lead is not None else None
            reason = refusal(
                change.action, status, lead.assignee_id if lead else None, change.staff_id
            )
            if lead is None or reason is not None:
                return self._done_before(lead_id, lead, change) or Outcome(
                    lead_id,
                    False,
                    reason,
                    lead,
                    lead.status if lead else None,
                    None,
                    lead.assignee_id if lead else None,
                    None,
                )
            outcome = self._write(lead, change)
            if outcome is not None:
                return outcome
            done = self._done_before(lead_id, lead, change)
            if done is not None:
                return done
            # The lead changed between the read and the write, or the transaction met
            # another one: read again and decide afresh, after a short random pause.
            time.sleep(random.uniform(0, 0.01 * (2**attempt)))
        raise LeadContention(lead_id)

    def _done_before(
        self, lead_id: str, lead: LeadItem | None, change: Transition
    ) -> Outcome | None:
        """This job's own earlier write, found on a redelivery."""
        if lead is None:
            return None
        entry = self.history_entry(lead_id, change.job_id)
        if entry is None:
            return None
        return Outcome(
            lead_id,
            True,
            None,
            lead,
            entry.from_status,
            entry.to_status,
            entry.staff_id,
            entry.occurred_at,
        )

    def apply_chunk(self, leads: list[LeadItem], change: Transition) -> list[Outcome]:
        """Dispatch or recall up to CHUNK_LEADS leads, as read, in one transaction.

        Each lead keeps its own condition (the status, and for a recall the holder, just
        read) and its own history entry (conditional on there being none for this job):
        a transaction is all or nothing, so when it is cancelled the leads that failed
        their conditions (per CancellationReasons) are settled one by one through
        `apply` (which reads them again and gives each its reason, or finds this job's
        own earlier write) and the transaction is sent again without them.
        """
        if len(leads) > CHUNK_LEADS:
            raise ValueError(f"at most {CHUNK_LEADS} leads per transaction")
        outcomes: dict[str, Outcome] = {}
        pending = list(leads)
        while pending:
            now = to_iso(utcnow())
            plans = [self.plan_write(lead, change, now) for lead in pending]
            try:
                with TransactWrite(connection=self.connection()) as transaction:
                    for plan in plans:
                        transaction.update(
                            LeadItem(self.partner_id, plan.lead.lead_key),
                            actions=plan.actions,
                            condition=plan.expected,
                        )
                        transaction.save(
                            plan.entry, condition=LeadHistoryItem.lead_key.does_not_exist()
                        )
            except TransactWriteError as exc:
                failed = _failed_leads(exc, len(pending))
                for index in failed:
                    lead = pending[index]
                    outcomes[lead.lead_id] = self.apply(lead.lead_id, change)
                pending = [lead for i, lead in enumerate(pending) if i not in failed]
                continue
            for plan in plans:
                outcomes[plan.lead.lead_id] = plan.outcome()
            break
        return [outcomes[lead.lead_id] for lead in leads]

    def plan_write(self, lead: LeadItem, change: Transition, now: str) -> PlannedWrite:
        """The conditional update that takes `lead`, as read, through `change`, and its
        history entry: what a transaction sends for this lead."""
        to = target_status(change.action)
        expected: Condition = LeadItem.status == lead.status
        actions: list[Action]
        if change.action is DispatchAction.DISPATCH:
            staff_id = change.staff_id or ""
            actions = [
                LeadItem.status.set(to.value),
                LeadItem.assignee_id.set(staff_id),
                LeadItem.dispatched_at.set(now),
            ]
        else:
            staff_id = lead.assignee_id or ""
            expected &= LeadItem.assignee_id == staff_id
            actions = [
                LeadItem.status.set(to.value),
                LeadItem.assignee_id.remove(),
                LeadItem.recalled_at.set(now),
            ]
        actions += [LeadItem.updated_at.set(now), LeadItem.last_job_id.set(change.job_id)]
        entry = LeadHistoryItem(
            self.partner_id,
            history_key(lead.lead_id, change.job_id),
            lead_id=lead.lead_id,
            job_id=change.job_id,
            action=change.action.value,
            actor_id=change.actor_id,
            staff_id=staff_id,
            from_status=lead.status,
            to_status=to.value,
            occurred_at=now,
        )
        return PlannedWrite(lead, actions, expected, entry, staff_id, to.value, now)

    def _write(self, lead: LeadItem, change: Transition) -> Outcome | None:
        plan = self.plan_write(lead, change, to_iso(utcnow()))
        try:
            with TransactWrite(connection=self.connection()) as transaction:
                transaction.update(
                    LeadItem(self.partner_id, lead.lead_key),
                    actions=plan.actions,
                    condition=plan.expected,
                )
                transaction.save(plan.entry, condition=LeadHistoryItem.lead_key.does_not_exist())
        except TransactWriteError as exc:
            codes = {r.code for r in exc.cancellation_reasons or [] if r is not None}
            if not codes & RETRYABLE:
                raise
            return None
        return plan.outcome()


@dataclass(frozen=True)
class PlannedWrite:
    """One lead's part of a transaction: its conditional update and its history entry."""

    lead: LeadItem
    actions: list[Action]
    expected: Condition
    entry: LeadHistoryItem
    staff_id: str
    to_status: str
    now: str

    def outcome(self) -> Outcome:
        return Outcome(
            self.lead.lead_id,
            True,
            None,
            self.lead,
            self.lead.status,
            self.to_status,
            self.staff_id,
            self.now,
        )


def _failed_leads(exc: TransactWriteError, lead_count: int) -> set[int]:
    """Positions (in the transaction's lead order) of the leads whose update or history
    entry failed its condition or met another transaction. Anything else (or a
    cancellation that names no item) is raised: it is not about a lead's state."""
    failed: set[int] = set()
    for index, reason in enumerate(exc.cancellation_reasons or []):
        if reason is None:
            continue
        if reason.code not in RETRYABLE:
            raise exc
        # pynamodb sends a transaction's puts before its updates, each kind in the order
        # added: the history entries of leads 0..n-1, then the leads' updates.
        failed.add(index % lead_count)
    if not failed:
        raise exc
    return failed


def _conditions(flt: LeadFilter, owner_id: str | None) -> Condition | None:
    parts: list[Condition] = []
    if flt.statuses:
        parts.append(LeadItem.status.is_in(*sorted(s.value for s in flt.statuses)))
    if owner_id is not None:
        parts.append(LeadItem.assignee_id == owner_id)
    if flt.assignee_id is not None:
        parts.append(LeadItem.assignee_id == flt.assignee_id)
    for attribute, value in (
        (LeadItem.source, flt.source),
        (LeadItem.region, flt.region),
        (LeadItem.industry, flt.industry),
    ):
        if value is not None:
            parts.append(attribute == value)
    for attribute, (low, high) in (
        (LeadItem.created_at, instant_bounds(flt.created_from, flt.created_to)),
        (LeadItem.dispatched_at, instant_bounds(flt.dispatched_from, flt.dispatched_to)),
    ):
        if low is not None:
            parts.append(attribute >= low)
        if high is not None:
            parts.append(attribute < high)
    if flt.name_contains:
        parts.append(LeadItem.name.contains(flt.name_contains))
    if not parts:
        return None
    condition = parts[0]
    for part in parts[1:]:
        condition &= part
    return condition
