"""Builders the incentives tests share: a fresh partner per test, its users, its items.

Every test that changes incentives works on a partner of its own, so tests neither see
nor disturb each other's (or the demo's) data, whatever order they run in.
"""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal

from partner_center.config import get_settings
from partner_center.core.auth import AccountType, Menu, Principal, Role, issue_token
from partner_center.core.clock import to_iso, utcnow
from partner_center.core.ids import new_id
from partner_center.incentives.programs import Program
from partner_center.incentives.records import Incentive, Transition
from partner_center.incentives.statuses import Status, path_to
from partner_center.incentives.store import IncentiveStore


def fresh_partner() -> str:
    return f"ptn-test-{secrets.token_hex(5)}"


def admin(partner_id: str) -> Principal:
    return Principal(
        partner_id=partner_id,
        user_id=f"usr-admin-{partner_id}",
        login="admin",
        role=Role.ADMIN,
        account_type=AccountType.SOLUTION_PROVIDER,
        permissions=frozenset(Menu),
    )


def operator(partner_id: str, *menus: Menu) -> Principal:
    return Principal(
        partner_id=partner_id,
        user_id=f"usr-op-{partner_id}",
        login="operator",
        role=Role.OPERATOR,
        account_type=AccountType.SOLUTION_PROVIDER,
        permissions=frozenset(menus),
    )


def operations(partner_id: str) -> Principal:
    return Principal(
        partner_id=partner_id,
        user_id="usr-ops-reviewer",
        login="ops",
        role=Role.PROVIDER_OPERATIONS,
        account_type=AccountType.SOLUTION_PROVIDER,
    )


def bearer(principal: Principal) -> str:
    return f"Bearer {issue_token(principal, get_settings())}"


def history_to(target: Status, notified: bool) -> tuple[Transition, ...]:
    """The transitions from ESTIMATED to `target`, as the state machine allows them."""
    path = path_to(target)
    if notified and target is Status.EXPIRED:
        path = path_to(Status.PENDING_CONFIRMATION) + path_to(
            target, start=Status.PENDING_CONFIRMATION
        )
    return tuple(
        Transition(
            from_status=current, to_status=following, actor=actor, user_id=None, at=to_iso(utcnow())
        )
        for current, following, actor in path
    )


def incentive(
    partner_id: str,
    amount: str,
    *,
    status: Status = Status.PENDING_CONFIRMATION,
    notified_on: date | None = date(2026, 1, 10),
    program: Program = Program.SOLUTION_PROVIDER,
    period: str = "2025-12",
    application_id: str | None = None,
    save: bool = True,
) -> Incentive:
    if status is Status.ESTIMATED:
        notified_on = None
    item = Incentive(
        partner_id=partner_id,
        incentive_id=new_id(),
        program=program,
        period=period,
        incentive_type="rebate" if Decimal(amount) > 0 else "deduction",
        amount=Decimal(amount),
        currency="CNY",
        status=status,
        notified_on=notified_on,
        application_id=application_id,
        created_at=to_iso(utcnow()),
        history=history_to(status, notified_on is not None),
    )
    return IncentiveStore(partner_id).add(item) if save else item
