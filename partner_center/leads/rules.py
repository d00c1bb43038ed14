"""The lead dispatch rules (R6, R7) as plain functions: which transition a lead may take.

A lead is `undispatched` when it arrives, `dispatched` to one staff member, `recalled`
from them (and may then be dispatched again), or finished as `converted` or `closed`.
"""

from __future__ import annotations

import enum


class LeadStatus(enum.StrEnum):
    UNDISPATCHED = "undispatched"
    DISPATCHED = "dispatched"
    RECALLED = "recalled"
    CONVERTED = "converted"
    CLOSED = "closed"


class DispatchAction(enum.StrEnum):
    DISPATCH = "dispatch"
    RECALL = "recall"


class Reason(enum.StrEnum):
    """Why one lead of a batch was not changed: stable codes for the per-lead report."""

    LEAD_NOT_FOUND = "LEAD_NOT_FOUND"
    ALREADY_DISPATCHED = "ALREADY_DISPATCHED"  # to someone else
    ALREADY_DISPATCHED_TO_STAFF = "ALREADY_DISPATCHED_TO_STAFF"  # to this very staff
    NOT_DISPATCHABLE = "NOT_DISPATCHABLE"  # converted or closed
    ALREADY_RECALLED = "ALREADY_RECALLED"
    NOT_DISPATCHED = "NOT_DISPATCHED"  # never dispatched: nothing to recall
    NOT_RECALLABLE = "NOT_RECALLABLE"  # converted or closed
    STAFF_NOT_IN_PARTNER = "STAFF_NOT_IN_PARTNER"


FINISHED = frozenset({LeadStatus.CONVERTED, LeadStatus.CLOSED})


def dispatch_refusal(
    status: LeadStatus | None, assignee_id: str | None, staff_id: str
) -> Reason | None:
    """Why a lead in `status` cannot be dispatched to `staff_id`, or None if it can.

    A dispatched lead is never silently re-dispatched (R7), not even to the staff that
    already holds it: the caller learns it was already there.
    """
    if status is None:
        return Reason.LEAD_NOT_FOUND
    if status is LeadStatus.DISPATCHED:
        return (
            Reason.ALREADY_DISPATCHED_TO_STAFF
            if assignee_id == staff_id
            else Reason.ALREADY_DISPATCHED
        )
    if status in FINISHED:
        return Reason.NOT_DISPATCHABLE
    return None


def recall_refusal(status: LeadStatus | None) -> Reason | None:
    """Why a lead in `status` cannot be recalled, or None if it can (R7: a recalled lead
    cannot be recalled again)."""
    if status is None:
        return Reason.LEAD_NOT_FOUND
    if status is LeadStatus.RECALLED:
        return Reason.ALREADY_RECALLED
    if status is LeadStatus.UNDISPATCHED:
        return Reason.NOT_DISPATCHED
    if status in FINISHED:
        return Reason.NOT_RECALLABLE
    return None


def refusal(
    action: DispatchAction, status: LeadStatus | None, assignee_id: str | None, staff_id: str | None
) -> Reason | None:
    if action is DispatchAction.DISPATCH:
        return dispatch_refusal(status, assignee_id, staff_id or "")
    return recall_refusal(status)


def target_status(action: DispatchAction) -> LeadStatus:
    return LeadStatus.DISPATCHED if action is DispatchAction.DISPATCH else LeadStatus.RECALLED
