"""Recording and reading audit events. Events hold IDs and codes, never personal data."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from pynamodb.expressions.condition import Condition

from partner_center.audit.models import AuditItem
from partner_center.core.auth import Principal
from partner_center.core.clock import to_iso, utcnow
from partner_center.core.ids import new_id

# Kept well beyond the 180 days an audit must cover.
RETENTION = timedelta(days=400)


class Outcome(enum.StrEnum):
    SUCCEEDED = "succeeded"
    REFUSED = "refused"  # a business rule said no (payload errors)
    FORBIDDEN = "forbidden"  # R1 and friends
    FAILED = "failed"  # bad input or an unexpected error


@dataclass(frozen=True)
class AuditEvent:
    event_id: str
    actor_id: str
    actor_role: str
    operation: str
    target_ids: list[str]
    outcome: Outcome
    error_codes: list[str]
    request_id: str
    occurred_at: str

    @property
    def key(self) -> str:
        return event_key(self.occurred_at, self.event_id)


def event_key(occurred_at: str, event_id: str) -> str:
    """An event's key in the table (and in its node ID): time-ordered, then unique."""
    return f"{occurred_at}#{event_id}"


def record(
    principal: Principal,
    *,
    operation: str,
    target_ids: list[str],
    outcome: Outcome,
    error_codes: list[str],
    request_id: str,
) -> AuditEvent:
    return _write(
        principal.partner_id,
        principal.user_id,
        principal.role.value,
        operation=operation,
        target_ids=target_ids,
        outcome=outcome,
        error_codes=error_codes,
        request_id=request_id,
    )


SYSTEM_ACTOR = "system"


def record_system(
    partner_id: str,
    *,
    operation: str,
    target_ids: list[str],
    error_codes: list[str],
    request_id: str,
) -> AuditEvent:
    """An event the product itself caused, with no caller (actor and role "system"):
    e.g. a webhook subscription switched off after a run of failed deliveries."""
    return _write(
        partner_id,
        SYSTEM_ACTOR,
        SYSTEM_ACTOR,
        operation=operation,
        target_ids=target_ids,
        outcome=Outcome.SUCCEEDED,
        error_codes=error_codes,
        request_id=request_id,
    )


def _write(
    partner_id: str,
    actor_id: str,
    actor_role: str,
    *,
    operation: str,
    target_ids: list[str],
    outcome: Outcome,
    error_codes: list[str],
    request_id: str,
) -> AuditEvent:
    now = utcnow()
    event_id = new_id()
    item = AuditItem(
        partner_id,
        event_key(to_iso(now), event_id),
        event_id=event_id,
        actor_id=actor_id,
        actor_role=actor_role,
        operation=operation,
        target_ids=sorted(set(target_ids))[:100],
        outcome=outcome.value,
        error_codes=sorted(set(error_codes)),
        request_id=request_id,
        occurred_at=to_iso(now),
        expires_at=int((now + RETENTION).timestamp()),
    )
    item.save()
    return _event(item)


EVENT_KEY = re.compile(r"\d{4}-\d{2}-\d{2}T[0-9:.]+Z#[0-9a-f]{28}")


def get(partner_id: str, event_key: str) -> AuditEvent | None:
    """One event of the partner by its key (`<occurred_at>#<event_id>`, what its node ID
    carries); None for a key of another shape or no such event."""
    if not EVENT_KEY.fullmatch(event_key):
        return None
    try:
        return _event(AuditItem.get(partner_id, event_key))
    except AuditItem.DoesNotExist:
        return None


def _event(item: AuditItem) -> AuditEvent:
    return AuditEvent(
        event_id=item.event_id,
        actor_id=item.actor_id,
        actor_role=item.actor_role,
        operation=item.operation,
        target_ids=list(item.target_ids or []),
        outcome=Outcome(item.outcome),
        error_codes=list(item.error_codes or []),
        request_id=item.request_id,
        occurred_at=item.occurred_at,
    )


@dataclass(frozen=True)
class AuditFilter:
    actor_id: str | None = None
    operation: str | None = None
    outcome: Outcome | None = None
    since: datetime | None = None
    until: datetime | None = None


def page(
    partner_id: str, flt: AuditFilter, *, after_key: str | None, limit: int
) -> tuple[list[AuditEvent], bool]:
    """Newest first: up to `limit` events and whether more follow."""
    key_condition = None
    if flt.since or flt.until:
        low = to_iso(flt.since) if flt.since else ""
        high = to_iso(flt.until) + "~" if flt.until else "~"
        key_condition = AuditItem.event_key.between(low, high)
    conditions: list[Condition] = []
    if flt.actor_id:
        conditions.append(AuditItem.actor_id == flt.actor_id)
    if flt.operation:
        conditions.append(AuditItem.operation == flt.operation)
    if flt.outcome:
        conditions.append(AuditItem.outcome == flt.outcome.value)
    # moto never applies the TTL, and the cloud applies it late: expiry is checked here.
    condition: Condition = AuditItem.expires_at > int(utcnow().timestamp())
    for part in conditions:
        condition = condition & part
    start = {"partner_id": {"S": partner_id}, "event_key": {"S": after_key}} if after_key else None
    items = list(
        AuditItem.query(
            partner_id,
            key_condition,
            filter_condition=condition,
            scan_index_forward=False,
            last_evaluated_key=start,
            limit=limit + 1,
            page_size=max(limit + 1, 50),
        )
    )
    return [_event(i) for i in items[:limit]], len(items) > limit
