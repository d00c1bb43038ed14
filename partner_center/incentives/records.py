"""Incentives and applications as the rest of the code sees them (plain, immutable)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from partner_center.incentives.models import ApplicationItem, IncentiveItem, TransitionEntry
from partner_center.incentives.programs import Program
from partner_center.incentives.statuses import Actor, Status


class Sign(enum.StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"


class ApplicationStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # its incentives are disbursing, awaiting operations' review
    APPROVED = "approved"  # its incentives are disbursed


@dataclass(frozen=True)
class Transition:
    from_status: Status
    to_status: Status
    actor: Actor
    user_id: str | None
    at: str  # UTC ISO
    application_id: str | None = None

    @classmethod
    def from_entry(cls, entry: TransitionEntry) -> Transition:
        return cls(
            from_status=Status(entry.from_status),
            to_status=Status(entry.to_status),
            actor=Actor(entry.actor),
            user_id=entry.user_id,
            at=entry.at,
            application_id=entry.application_id,
        )

    def to_entry(self) -> TransitionEntry:
        return TransitionEntry(
            from_status=self.from_status.value,
            to_status=self.to_status.value,
            actor=self.actor.value,
            user_id=self.user_id,
            at=self.at,
            application_id=self.application_id,
        )


@dataclass(frozen=True)
class Incentive:
    partner_id: str
    incentive_id: str
    program: Program
    period: str  # YYYY-MM
    incentive_type: str
    amount: Decimal  # signed
    currency: str
    status: Status
    notified_on: date | None
    application_id: str | None
    created_at: str
    history: tuple[Transition, ...] = field(default=())

    @property
    def sign(self) -> Sign:
        return Sign.NEGATIVE if self.amount < 0 else Sign.POSITIVE

    @classmethod
    def from_item(cls, item: IncentiveItem) -> Incentive:
        return cls(
            partner_id=item.partner_id,
            incentive_id=item.incentive_id,
            program=Program(item.program),
            period=item.period,
            incentive_type=item.incentive_type,
            amount=item.amount,
            currency=item.currency,
            status=Status(item.status),
            notified_on=date.fromisoformat(item.notified_on) if item.notified_on else None,
            application_id=item.application_id,
            created_at=item.created_at,
            history=tuple(Transition.from_entry(e) for e in item.history or []),
        )


@dataclass(frozen=True)
class Application:
    partner_id: str
    application_id: str
    status: ApplicationStatus
    positive_ids: tuple[str, ...]
    negative_ids: tuple[str, ...]
    positive_total: Decimal
    negative_total: Decimal
    net_amount: Decimal
    currency: str
    applied_by: str
    applied_at: str
    approved_by: str | None = None
    approved_at: str | None = None

    @property
    def incentive_ids(self) -> tuple[str, ...]:
        return self.positive_ids + self.negative_ids

    @classmethod
    def from_item(cls, item: ApplicationItem) -> Application:
        return cls(
            partner_id=item.partner_id,
            application_id=item.application_id,
            status=ApplicationStatus(item.status),
            positive_ids=tuple(item.positive_ids or []),
            negative_ids=tuple(item.negative_ids or []),
            positive_total=item.positive_total,
            negative_total=item.negative_total,
            net_amount=item.net_amount,
            currency=item.currency,
            applied_by=item.applied_by,
            applied_at=item.applied_at,
            approved_by=item.approved_by,
            approved_at=item.approved_at,
        )
