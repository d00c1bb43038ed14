"""A partner's partner-program memberships, kept in the directory table (entity PROGRAM#).

Incentives belong to a program; R19 ties their validity to the day the partner's identity
in that program lapsed. One item per partner and program: when it began and, once the
partner has left, when it lapsed (Beijing dates).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from partner_center.storage.models import DirectoryItem

PROGRAM_PREFIX = "PROGRAM#"


class Program(enum.StrEnum):
    SOLUTION_PROVIDER = "solution_provider"  # 解决方案提供商计划
    DISTRIBUTION = "distribution"  # 分销计划


@dataclass(frozen=True)
class Membership:
    program: Program
    joined_on: date | None
    lapsed_on: date | None  # None while the partner is still in the program

    @classmethod
    def from_item(cls, item: DirectoryItem) -> Membership:
        return cls(
            program=Program(item.entity.removeprefix(PROGRAM_PREFIX)),
            joined_on=_date(item.joined_on),
            lapsed_on=_date(item.lapsed_on),
        )


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def memberships(partner_id: str) -> dict[Program, Membership]:
    found = {}
    for item in DirectoryItem.query(
        partner_id, DirectoryItem.entity.startswith(PROGRAM_PREFIX), consistent_read=True
    ):
        membership = Membership.from_item(item)
        found[membership.program] = membership
    return found


def record_membership(
    partner_id: str, program: Program, *, joined_on: date | None, lapsed_on: date | None = None
) -> Membership:
    """Write (or replace) one membership: the directory's owner records joins and lapses."""
    DirectoryItem(
        partner_id,
        PROGRAM_PREFIX + program.value,
        name=program.value,
        joined_on=joined_on.isoformat() if joined_on else None,
        lapsed_on=lapsed_on.isoformat() if lapsed_on else None,
    ).save()
    return Membership(program=program, joined_on=joined_on, lapsed_on=lapsed_on)


def lapsed_memberships(lapsed_on_or_before: date) -> Iterator[tuple[str, Membership]]:
    """(partner ID, membership) of every membership that lapsed on or before the date.

    Provider-side and cross-partner by nature (the scheduled expiry): a filtered scan of
    the directory, which holds partners, users and memberships only.
    """
    condition = (
        DirectoryItem.entity.startswith(PROGRAM_PREFIX)
        & DirectoryItem.lapsed_on.exists()
        & (DirectoryItem.lapsed_on <= lapsed_on_or_before.isoformat())
    )
    for item in DirectoryItem.scan(filter_condition=condition, consistent_read=True):
        yield item.partner_id, Membership.from_item(item)
