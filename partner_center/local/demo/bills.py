"""Demo bills: peak-billed resources with a month of samples each, and the bills of the
three demo months for every demo partner, as the scheduled run would have made them.

Deterministic (its own seeded generator, integer arithmetic only). The peak-billing
details the generation records are added to the shared demo lines, so `DemoData.lines`
stays the whole consumption table.
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from partner_center.bills.bandwidth import BandwidthStore
from partner_center.bills.bill import BillStatus
from partner_center.bills.generation import generate
from partner_center.bills.months import SLOTS_PER_DAY, Month
from partner_center.bills.peak_charges import charged_at, line_id
from partner_center.bills.store import BillStore
from partner_center.core.clock import beijing_day_start, to_iso
from partner_center.storage.models import ConsumptionLine

SEED = 20261105
PARTNER = "ptn-sp-001"
MONTHS = [Month(2026, 8), Month(2026, 9), Month(2026, 10)]


def run_at(month: Month) -> datetime:
    """The scheduled run that bills `month`: 02:00 Beijing on the 5th (18:00 UTC the 4th)."""
    return datetime.combine(month.next().first_day.replace(day=4), time(18), tzinfo=UTC)


# Share of the daily peak by hour, in percent: quiet nights, busy evenings.
HOURLY_PERCENT = [
    30,
    25,
    20,
    18,
    18,
    20,
    30,
    45,
    60,
    70,
    75,
    80,
    82,
    80,
    78,
    80,
    85,
    90,
    95,
    100,
    98,
    85,
    60,
    40,
]


def _day(rng: random.Random, peak_kbps: int, gaps: bool) -> list[int | None]:
    samples: list[int | None] = []
    for slot in range(SLOTS_PER_DAY):
        base = peak_kbps * HOURLY_PERCENT[slot // 12] // 100
        value = base + rng.randrange(peak_kbps // 20 + 1)
        if rng.randrange(100) < 3:  # short bursts: what the top 5 % is there to forgive
            value *= 3
        samples.append(value)
    if gaps:
        start = rng.randrange(SLOTS_PER_DAY - 24)
        for slot in range(start, start + 24):  # two hours without monitoring
            samples[slot] = None
    return samples


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _resources(data: Any) -> None:
    rng = random.Random(SEED)
    resellers = sorted(
        c.customer_id
        for c in data.customers
        if c.partner_id == PARTNER and c.association == "reseller"
    )
    store = BandwidthStore(PARTNER)
    september, october = MONTHS[1], MONTHS[2]
    plans = [
        # resource, product, customer, from, until, peak kbps, gaps, missing days
        ("cdn-demo-0001", "CDN", resellers[0], september.start, None, 850_000, False, ()),
        (
            "ddos-demo-0001",
            "Anti-DDoS",
            resellers[1],
            september.start,
            None,
            2_400_000,
            True,
            (date(2026, 10, 7),),
        ),
        (
            "obs-demo-0001",
            "OBS",
            resellers[2],
            beijing_day_start(date(2026, 9, 16)) + timedelta(hours=10, minutes=2),
            None,
            120_000,
            False,
            (),
        ),
        (
            "elb-demo-0001",
            "ELB",
            resellers[3],
            september.start,
            beijing_day_start(date(2026, 10, 10)) + timedelta(hours=15),
            300_000,
            False,
            (),
        ),
    ]
    for resource_id, product, customer, start, until, peak, gaps, missing in plans:
        store.register(
            resource_id,
            customer_id=customer,
            product=product,
            active_from=start,
            active_until=until,
        )
        last = (until - timedelta(seconds=1)) if until else october.end - timedelta(seconds=1)
        first_day = max(start, september.start)
        days = [
            d
            for d in _days(Month.of(first_day.date()).first_day, october.last_day)
            if beijing_day_start(d) <= last and d not in missing
        ]
        store.put_days(resource_id, {d: _day(rng, peak, gaps) for d in days})


def _statuses() -> None:
    """August paid, September confirmed, October adjusted and waiting (as of the demo)."""
    store = BillStore(PARTNER)
    august, september, october = MONTHS
    bill = store.get(august)
    if bill is not None and bill.status is BillStatus.GENERATED:
        store.confirm(august, user_id="usr-sp-admin", now=datetime(2026, 9, 8, 2, tzinfo=UTC))
        store.mark_paid(
            august,
            user_id="usr-ops-reviewer",
            reference="CMB-20260920-0001",
            now=datetime(2026, 9, 20, 3, tzinfo=UTC),
        )
    bill = store.get(september)
    if bill is not None and bill.status is BillStatus.GENERATED:
        store.confirm(september, user_id="usr-sp-admin", now=datetime(2026, 10, 9, 1, tzinfo=UTC))
    bill = store.get(october)
    if bill is not None and bill.status is BillStatus.GENERATED and bill.version == 1:
        store.adjust(
            bill,
            amount=Decimal("-100.00"),
            reason="Service credit: CDN incident of 2026-10-12",
            user_id="usr-ops-reviewer",
            now=datetime(2026, 11, 5, 6, tzinfo=UTC),
        )


def peak_details(partner_id: str, month: Month) -> list[ConsumptionLine]:
    """The month's peak-billing details: all charged at its last second."""
    prefix = f"{to_iso(charged_at(month))}#{line_id(month, '')}"
    return list(
        ConsumptionLine.query(
            partner_id, ConsumptionLine.line_key.startswith(prefix), consistent_read=True
        )
    )


def seed(data: Any) -> None:
    from partner_center.local.demo_data import PARTNERS

    _resources(data)
    runs = [(partner.partner_id, month) for partner in PARTNERS for month in MONTHS]
    # Independent partner-months: run them side by side, as racing runs would (safe:
    # generation is idempotent and conditional), so seeding stays quick.
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda run: generate(run[0], run[1], run_at(run[1])), runs))
    known = {line.line_id for line in data.lines}
    for partner_id, month in runs:
        # The peak details the runs recorded belong with the other demo lines.
        data.lines.extend(
            line for line in peak_details(partner_id, month) if line.line_id not in known
        )
    _statuses()
