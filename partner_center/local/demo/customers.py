"""Demo data of the customers area: assignment history, alerts, adjustment records, and
the consumption roll-up of the demo months. Deterministic: its own seeded generator,
IDs derived from the data."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from partner_center.consumption.availability import last_available_day
from partner_center.consumption.rollup import backfill, rollup
from partner_center.core.clock import beijing_date, to_iso, utcnow
from partner_center.core.money import CURRENCY
from partner_center.customers.adjustments import REASONS, AdjustmentType
from partner_center.customers.alerts import AlertType, Severity
from partner_center.customers.models import AdjustmentItem, AlertItem, AssignmentItem
from partner_center.local import demo_data
from partner_center.storage.models import CustomerItem

SEED = demo_data.SEED + 7
ALERTS = {"ptn-sp-001": 180, "ptn-sp-002": 24}
ADJUSTMENTS = {"ptn-sp-001": 240, "ptn-sp-002": 30}
ASSIGNER = {"ptn-sp-001": "usr-sp-admin", "ptn-sp-002": "usr-sp2-admin"}
OPERATORS = {"ptn-sp-001": ["usr-sp-admin", "usr-sp-operator"], "ptn-sp-002": ["usr-sp2-admin"]}


def _time_id(at: datetime, rng: random.Random) -> str:
    """The shape of core.ids.new_id (time-ordered), from the demo's own clock."""
    return f"{int(at.timestamp() * 1000):012x}{rng.getrandbits(64):016x}"


def _instant(rng: random.Random) -> datetime:
    start = datetime.combine(demo_data.FIRST_DAY, datetime.min.time(), tzinfo=UTC)
    span = (demo_data.LAST_DAY - demo_data.FIRST_DAY).days + 1
    return start - timedelta(hours=8) + timedelta(seconds=rng.randrange(span * 86400))


def _history(customers: list[CustomerItem]) -> list[AssignmentItem]:
    items = []
    for customer in customers:
        if customer.manager_id and customer.assigned_at:
            stamp = to_iso(customer.assigned_at)
            items.append(
                AssignmentItem(
                    customer.partner_id,
                    f"{customer.customer_id}#{stamp}#demo",
                    customer_id=customer.customer_id,
                    action="assign",
                    from_manager=None,
                    to_manager=customer.manager_id,
                    by_user=ASSIGNER[customer.partner_id],
                    at=stamp,
                )
            )
    return items


def _title(kind: AlertType, rng: random.Random, resource: str, at: datetime) -> str:
    if kind is AlertType.BALANCE_LOW:
        return f"账户余额低于 {rng.choice((100, 500, 1000))}.00 {CURRENCY} / Balance is low"
    if kind is AlertType.ARREARS:
        return f"已欠费 {rng.randrange(1, 5000)}.{rng.randrange(100):02d} {CURRENCY} / In arrears"
    expires = beijing_date(at) + timedelta(days=rng.randrange(3, 15))
    return f"资源 {resource} 将于 {expires.isoformat()} 到期 / Resource expires"


def _alerts(rng: random.Random, partner_id: str, customers: list[CustomerItem]) -> list[AlertItem]:
    items = []
    handlers = OPERATORS[partner_id]
    for _ in range(ALERTS.get(partner_id, 0)):
        customer = rng.choice(customers)
        kind = rng.choice(list(AlertType))
        at = _instant(rng)
        resource = f"vm-{rng.randrange(16**8):08x}"
        item = AlertItem(
            partner_id,
            _time_id(at, rng),
            partner_customer=f"{partner_id}#{customer.customer_id}",
            customer_id=customer.customer_id,
            alert_type=kind.value,
            severity=rng.choice(list(Severity)).value,
            title=_title(kind, rng, resource, at),
            resource_id=resource if kind is AlertType.RESOURCE_EXPIRING else None,
            raised_at=to_iso(at),
        )
        if rng.random() < 0.35:
            item.handled_at = to_iso(at + timedelta(hours=rng.randrange(1, 72)))
            item.handled_by = rng.choice(handlers)
            item.remark = rng.choice(
                ("已联系客户充值 / customer topped up", "已续费 / renewed", None)
            )
        items.append(item)
    return items


def _adjustments(
    rng: random.Random, partner_id: str, customers: list[CustomerItem], names: dict[str, str]
) -> list[AdjustmentItem]:
    items = []
    for _ in range(ADJUSTMENTS.get(partner_id, 0)):
        customer = rng.choice(customers)
        at = _instant(rng)
        operator = rng.choice(OPERATORS[partner_id])
        kind = AdjustmentType.CREDIT if rng.random() < 0.6 else AdjustmentType.DEBIT
        billed = beijing_date(at).replace(day=1) - timedelta(days=1)
        adjustment_id = _time_id(at, rng)
        items.append(
            AdjustmentItem(
                partner_id,
                f"{to_iso(at)}#{adjustment_id}",
                adjustment_id=adjustment_id,
                customer_id=customer.customer_id,
                customer_name=customer.name,
                adjustment_type=kind.value,
                amount=Decimal(rng.randrange(100, 500_000)) / Decimal(100),
                currency=CURRENCY,
                bill_month=f"{billed.year:04d}-{billed.month:02d}",
                reason=rng.choice(REASONS),
                operator_id=operator,
                operator_name=names.get(operator, operator),
                applied_at=to_iso(at),
                bill_date=beijing_date(at).isoformat(),
            )
        )
    return items


def rolled_through(now: datetime) -> date:
    """The last day the demo's roll-up holds at `now`: the last closed one, at most a
    year after the demo months began."""
    return min(last_available_day(now), demo_data.FIRST_DAY + timedelta(days=365))


def catch_up(seeded_at: datetime, now: datetime, partners: list[str] | None = None) -> None:
    """The demo seeded at `seeded_at` (a snapshot of it), brought to `now`: the days
    closed since are rolled up, as the daily schedule would have done (they sum to zero:
    the demo months are long closed). Everything else in the demo has fixed dates."""
    first = max(rolled_through(seeded_at) + timedelta(days=1), demo_data.FIRST_DAY)
    last = rolled_through(now)
    if first > last:
        return
    for partner_id in (
        partners
        if partners is not None
        else [p.partner_id for p in demo_data.PARTNERS if p.customers]
    ):
        rollup(partner_id, first, last, now=now)


def _write(items: list[Any]) -> None:
    if not items:
        return
    with type(items[0]).batch_write() as batch:
        for item in items:
            batch.save(item)


def seed(data: demo_data.DemoData) -> None:
    rng = random.Random(SEED)
    names = {
        item.entity.removeprefix("USER#"): item.name
        for item in data.directory
        if item.entity.startswith("USER#")
    }
    _write(_history(data.customers))
    for partner in demo_data.PARTNERS:
        customers = [c for c in data.customers if c.partner_id == partner.partner_id]
        if not customers:
            continue
        alerts = _alerts(rng, partner.partner_id, customers)
        _write(alerts)
        open_counts = Counter(a.customer_id for a in alerts if a.handled_at is None)
        # The customers were written moments ago from these very items: writing them
        # again with their counts is one batch, not an update per customer.
        counted = [c for c in customers if c.customer_id in open_counts]
        for customer in counted:
            customer.open_alerts = open_counts[customer.customer_id]
        _write(counted)
        _write(_adjustments(rng, partner.partner_id, customers, names))
        # Every closed day up to now, as the daily schedule would have left it (the days
        # after the demo months sum to zero).
        now = utcnow()
        last = rolled_through(now)
        if last >= demo_data.FIRST_DAY:
            backfill(
                partner.partner_id,
                demo_data.FIRST_DAY,
                last,
                now=now,
                lines=[line for line in data.lines if line.partner_id == partner.partner_id],
            )
