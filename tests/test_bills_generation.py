"""Generating partner bills against the embedded AWS (R4, R10–R13).

Every test bills a fresh partner of its own (tests/bills_support.py)."""

from __future__ import annotations

import random
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pytest

from partner_center.bills import scheduled
from partner_center.bills.bandwidth import BandwidthStore, UnregisteredResource
from partner_center.bills.bill import BillStatus
from partner_center.bills.generation import MonthNotEnded, generate
from partner_center.bills.models import BillRecord
from partner_center.bills.months import SLOTS_PER_DAY, Month
from partner_center.bills.peak95 import billing_peak
from partner_center.bills.rollup import BillingDataError
from partner_center.bills.store import BillStore
from partner_center.core.clock import BEIJING, beijing_day_start, from_iso
from partner_center.core.errors import BadInput
from partner_center.storage.models import ConsumptionLine
from tests.bills_support import Partner, new_partner

SEPTEMBER, OCTOBER = Month(2026, 9), Month(2026, 10)
AFTER_OCTOBER = datetime(2026, 11, 4, 18, tzinfo=UTC)  # 02:00 Beijing on 5 November


def bj(*args: int) -> datetime:
    return datetime(*args, tzinfo=BEIJING)


@pytest.fixture
def partner(local_env: Any) -> Partner:
    return new_partner()


def reseller_sum(partner: Partner, month: Month) -> Decimal:
    return sum(
        (
            line.amount
            for line in partner.lines
            if partner.customers[line.customer_id].association == "reseller"
            and Month.parse(line.bill_date[:7]) == month
        ),
        Decimal(0),
    )


def item_records(partner: Partner, month: Month) -> list[BillRecord]:
    return list(
        BillRecord.query(
            partner.partner_id,
            BillRecord.record_key.startswith(f"ITEM#{month}#"),
            consistent_read=True,
        )
    )


# -- R4 / R10: the bill is the sum of its details, in Beijing months ----------------------


def test_r4_bill_agrees_to_the_cent_with_the_details_it_covers(partner: Partner) -> None:
    rng = random.Random(7)
    resellers = [partner.customer("reseller") for _ in range(6)]
    advisory = [partner.customer("advisory", name="李雷") for _ in range(3)]
    for n in range(300):
        customer = rng.choice(resellers + advisory)
        instant = SEPTEMBER.start + timedelta(seconds=rng.randrange(30 * 86400))
        # Sub-cent unit-priced amounts too: the sum must still be exact.
        amount = (
            f"{rng.randrange(1, 10**7)}.{rng.randrange(10000):04d}"
            if n % 10 == 0
            else f"{rng.randrange(1, 10**6)}.{rng.randrange(100):02d}"
        )
        partner.charge(
            customer,
            instant,
            amount,
            product=rng.choice(["ECS", "OBS", "RDS"]),
            mode=rng.choice(["on_demand", "yearly_monthly"]),
        )
    generated = generate(partner.partner_id, SEPTEMBER, AFTER_OCTOBER)
    bill = generated.bill
    assert generated.created
    expected = reseller_sum(partner, SEPTEMBER)
    assert bill.consumption_total == expected and bill.amount_due == expected
    assert bill.detail_count == sum(1 for line in partner.lines if line.customer_id in resellers)
    assert generated.advisory_details == 300 - bill.detail_count
    items = [i for page in BillStore(partner.partner_id).item_pages(bill) for i in page]
    assert len(items) == bill.item_count
    assert sum(i.amount for i in items) == expected
    assert {i.customer_id for i in items} <= set(resellers)
    assert bill.status is BillStatus.GENERATED
    assert from_iso(bill.data_as_of) == bj(2026, 11, 5, 0, 0)  # R12


def test_r10_month_boundaries_are_beijing_time(partner: Partner) -> None:
    customer = partner.customer("reseller")
    # 23:30 Beijing on 30 September = 15:30 UTC the same day: on September's bill.
    partner.charge(customer, bj(2026, 9, 30, 23, 30), "10.00")
    # 00:30 Beijing on 1 October = 16:30 UTC on 30 September: October's, not September's.
    partner.charge(customer, bj(2026, 10, 1, 0, 30), "20.00")
    # 00:00:00 Beijing on 1 September (16:00 UTC on 31 August): September.
    partner.charge(customer, bj(2026, 9, 1, 0, 0), "0.01")
    # 23:59:59.999999 Beijing on 31 August: August.
    partner.charge(customer, bj(2026, 8, 31, 23, 59, 59, 999999), "40.00")
    september = generate(partner.partner_id, SEPTEMBER, AFTER_OCTOBER).bill
    october = generate(partner.partner_id, OCTOBER, AFTER_OCTOBER).bill
    august = generate(partner.partner_id, Month(2026, 8), AFTER_OCTOBER).bill
    assert september.consumption_total == Decimal("10.01")
    assert october.consumption_total == Decimal("20.00")
    assert august.consumption_total == Decimal("40.00")


def test_r10_leap_february_holds_the_29th(partner: Partner) -> None:
    customer = partner.customer("reseller")
    partner.charge(customer, bj(2028, 2, 29, 23, 59), "29.00")
    partner.charge(customer, bj(2028, 3, 1, 0, 0), "1.00")
    partner.charge(customer, bj(2028, 2, 1, 0, 0), "2.00")
    run = datetime(2028, 3, 4, 18, tzinfo=UTC)
    assert generate(partner.partner_id, Month(2028, 2), run).bill.consumption_total == Decimal(
        "31.00"
    )
    assert generate(
        partner.partner_id, Month(2028, 3), datetime(2028, 4, 4, 18, tzinfo=UTC)
    ).bill.consumption_total == Decimal("1.00")


def test_r4_a_detail_dated_outside_its_charge_month_stops_the_bill(partner: Partner) -> None:
    customer = partner.customer("reseller")
    line = partner.charge(customer, bj(2026, 9, 10, 12, 0), "5.00")
    line.update(actions=[ConsumptionLine.bill_date.set("2026-10-01")])
    with pytest.raises(BillingDataError):
        generate(partner.partner_id, SEPTEMBER, AFTER_OCTOBER)
    assert BillStore(partner.partner_id).get(SEPTEMBER) is None


def test_a_detail_of_an_unknown_customer_stops_the_bill(partner: Partner) -> None:
    customer = partner.customer("reseller")
    partner.charge(customer, bj(2026, 9, 10, 12, 0), "5.00")
    partner.customers["cus-ghost"] = partner.customers[customer]
    partner.charge("cus-ghost", bj(2026, 9, 11, 12, 0), "6.00")
    with pytest.raises(BillingDataError):
        generate(partner.partner_id, SEPTEMBER, AFTER_OCTOBER)
    assert BillStore(partner.partner_id).get(SEPTEMBER) is None


def test_a_partner_without_reseller_consumption_gets_a_zero_bill(partner: Partner) -> None:
    advisory = partner.customer("advisory")
    partner.charge(advisory, bj(2026, 9, 3, 8, 0), "500.00")
    bill = generate(partner.partner_id, SEPTEMBER, AFTER_OCTOBER).bill
    assert bill.consumption_total == Decimal(0) and bill.item_count == 0
    assert bill.detail_count == 0


# -- R11 / R12: once per month, only after it ended ----------------------------------------


def test_r11_generating_the_same_month_twice_yields_the_same_bill(partner: Partner) -> None:
    customer = partner.customer("reseller")
    partner.charge(customer, bj(2026, 9, 5, 9, 0), "12.34")
    first = generate(partner.partner_id, SEPTEMBER, AFTER_OCTOBER)
    # A late detail: the bill stays what it was (the details keep their own record).
    partner.charge(customer, bj(2026, 9, 6, 9, 0), "1.00")
    again = generate(partner.partner_id, SEPTEMBER, AFTER_OCTOBER + timedelta(hours=7))
    assert first.created and not again.created
    assert again.bill == first.bill
    assert len(item_records(partner, SEPTEMBER)) == first.bill.item_count
    assert (
        len(list(BillRecord.query(partner.partner_id, BillRecord.record_key.startswith("BILL#"))))
        == 1
    )


def test_r11_racing_generations_write_one_bill_and_no_stray_items(partner: Partner) -> None:
    for n in range(5):
        customer = partner.customer("reseller")
        partner.charge(
            customer, bj(2026, 9, 5 + n, 9, 0), f"{n + 1}.00", product=["ECS", "OBS"][n % 2]
        )
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(generate(partner.partner_id, SEPTEMBER, AFTER_OCTOBER))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(1 for r in results if r.created) == 1
    assert len({r.bill.generation_id for r in results}) == 1
    bill = results[0].bill
    records = item_records(partner, SEPTEMBER)
    assert len(records) == bill.item_count == 5
    assert {r.record_key.split("#")[2] for r in records} == {bill.generation_id}


def test_r12_a_month_still_running_in_beijing_is_not_billed(partner: Partner) -> None:
    customer = partner.customer("reseller")
    partner.charge(customer, bj(2026, 9, 30, 23, 0), "3.00")
    with pytest.raises(MonthNotEnded):
        generate(partner.partner_id, SEPTEMBER, bj(2026, 9, 30, 23, 59, 59))
    # 16:00 UTC on 30 September is 00:00 Beijing on 1 October: the month is over.
    bill = generate(partner.partner_id, SEPTEMBER, datetime(2026, 9, 30, 16, tzinfo=UTC)).bill
    assert bill.consumption_total == Decimal("3.00")
    assert from_iso(bill.data_as_of) == bj(2026, 10, 1, 0, 0)


# -- R13 onto the bill ----------------------------------------------------------------------


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def day_samples(rng: random.Random, peak: int) -> list[int | None]:
    return [rng.randrange(peak) for _ in range(SLOTS_PER_DAY)]


def month_days(month: Month) -> list[date]:
    return [month.first_day + timedelta(days=n) for n in range(month.days)]


def test_r13_peak_resources_become_details_on_the_bill(partner: Partner) -> None:
    rng = random.Random(11)
    cdn_customer = partner.customer("reseller")
    ddos_customer = partner.customer("reseller")
    advisory = partner.customer("advisory")
    store = BandwidthStore(partner.partner_id)
    # A full 31-day month (8,928 samples), one with gaps, one that lived part of it, one
    # of an advisory customer (its charge is a detail, but not on the partner's bill).
    full = {d: day_samples(rng, 900_000) for d in month_days(OCTOBER)}
    gaps = {d: day_samples(rng, 2_000_000) for d in month_days(OCTOBER) if d != date(2026, 10, 7)}
    for samples in gaps.values():
        samples[100:130] = [None] * 30
    start = bj(2026, 10, 16, 10, 2)
    partial = {d: day_samples(rng, 150_000) for d in month_days(OCTOBER) if d.day >= 16}
    store.register(
        "cdn-full", customer_id=cdn_customer, product="CDN", active_from=bj(2026, 1, 1, 0, 0)
    )
    store.register(
        "ddos-gaps",
        customer_id=ddos_customer,
        product="Anti-DDoS",
        active_from=bj(2026, 1, 1, 0, 0),
    )
    store.register("obs-partial", customer_id=cdn_customer, product="OBS", active_from=start)
    store.register(
        "cdn-advisory", customer_id=advisory, product="CDN", active_from=bj(2026, 1, 1, 0, 0)
    )
    store.register(
        "elb-gone",
        customer_id=cdn_customer,
        product="ELB",
        active_from=bj(2026, 1, 1, 0, 0),
        active_until=bj(2026, 9, 1, 0, 0),
    )
    store.put_days("cdn-full", full)
    store.put_days("ddos-gaps", gaps)
    store.put_days("obs-partial", partial)
    store.put_days("cdn-advisory", {date(2026, 10, 1): day_samples(rng, 1000)})
    partner.charge(cdn_customer, bj(2026, 10, 2, 9, 0), "100.00")

    generated = generate(partner.partner_id, OCTOBER, AFTER_OCTOBER)
    assert generated.peak_resources == 4 and generated.peak_details_written == 4
    details = {
        line.line_id: line
        for line in ConsumptionLine.query(
            partner.partner_id, ConsumptionLine.line_key.startswith("2026-10-31T15:59:59")
        )
    }
    assert set(details) == {
        "p95-202610-cdn-full",
        "p95-202610-ddos-gaps",
        "p95-202610-obs-partial",
        "p95-202610-cdn-advisory",
    }

    def flat(days: dict[date, list[int | None]], first_day: int = 1) -> np.ndarray:
        values = np.full(OCTOBER.slots, -1, dtype=np.int64)
        for day, samples in days.items():
            offset = (day.day - 1) * SLOTS_PER_DAY
            values[offset : offset + SLOTS_PER_DAY] = [-1 if v is None else v for v in samples]
        return values

    cdn = details["p95-202610-cdn-full"]
    kbps = billing_peak(flat(full))  # 8,928 samples: the 447th highest
    assert cdn.usage == Decimal(kbps) / 1000 and cdn.usage_unit == "Mbps"
    assert cdn.amount == cents(Decimal(kbps) / 1000 * Decimal("21.00"))
    assert cdn.billing_mode == "peak_95" and cdn.bill_date == "2026-10-31"
    assert from_iso(cdn.charged_at) == bj(2026, 10, 31, 23, 59, 59)
    ddos = details["p95-202610-ddos-gaps"]
    assert ddos.usage == Decimal(billing_peak(flat(gaps))) / 1000
    obs = details["p95-202610-obs-partial"]
    window = flat(partial)[15 * SLOTS_PER_DAY + 120 :]  # from the 10:00 slot of the 16th
    partial_kbps = billing_peak(window)
    assert obs.usage == Decimal(partial_kbps) / 1000
    assert obs.amount == cents(
        Decimal(partial_kbps)
        / 1000
        * Decimal("18.50")
        * Decimal(len(window))
        / Decimal(OCTOBER.slots)
    )

    bill = generated.bill
    expected = Decimal("100.00") + cdn.amount + ddos.amount + obs.amount
    assert bill.consumption_total == expected  # the advisory customer's charge is not on it
    # Running again neither re-charges nor changes the bill.
    assert not generate(partner.partner_id, OCTOBER, AFTER_OCTOBER).created
    assert (
        sum(
            1
            for _ in ConsumptionLine.query(
                partner.partner_id, ConsumptionLine.line_key.startswith("2026-10-31T15:59:59")
            )
        )
        == 4
    )


def test_r13_samples_of_an_unregistered_resource_stop_the_bill(partner: Partner) -> None:
    partner.customer("reseller")
    BandwidthStore(partner.partner_id).put_day(
        "cdn-unknown", date(2026, 10, 3), [1] * SLOTS_PER_DAY
    )
    with pytest.raises(UnregisteredResource):
        generate(partner.partner_id, OCTOBER, AFTER_OCTOBER)
    assert BillStore(partner.partner_id).get(OCTOBER) is None


@pytest.mark.parametrize(
    ("samples", "field"),
    [
        ([1] * 287, "samples"),
        ([-5] + [1] * 287, "samples"),
        ([1.5] + [1] * 287, "samples"),
        ([True] + [1] * 287, "samples"),
    ],
)
def test_r13_malformed_samples_are_refused(local_env: Any, samples: list[Any], field: str) -> None:
    with pytest.raises(BadInput) as refused:
        BandwidthStore("ptn-t-samples").put_day("cdn-1", date(2026, 10, 3), samples)
    assert refused.value.extensions["field"] == field


def test_r13_only_listed_products_can_be_registered(local_env: Any) -> None:
    store = BandwidthStore("ptn-t-register")
    with pytest.raises(BadInput):
        store.register("vm-1", customer_id="c", product="ECS", active_from=OCTOBER.start)
    with pytest.raises(BadInput):
        store.register("bad id", customer_id="c", product="CDN", active_from=OCTOBER.start)
    with pytest.raises(BadInput):
        store.register(
            "cdn-1",
            customer_id="c",
            product="CDN",
            active_from=OCTOBER.start,
            active_until=OCTOBER.start,
        )


# -- the scheduled function ----------------------------------------------------------------


def test_r11_the_scheduled_event_bills_last_month_for_the_partners(local_env: Any) -> None:
    first, second = new_partner(), new_partner()
    for partner in (first, second):
        partner.charge(partner.customer("reseller"), bj(2026, 10, 20, 8, 0), "7.00")
    event = {"time": "2026-11-04T18:00:00Z", "partners": [first.partner_id, second.partner_id]}
    report = scheduled.handle(event, None)
    assert report["month"] == "2026-10"
    assert sorted(report["created"]) == sorted([first.partner_id, second.partner_id])
    again = scheduled.handle(event, None)  # the 09:00 catch-up run
    assert again["created"] == [] and len(again["existing"]) == 2


def test_r11_one_failing_partner_does_not_stop_the_others(local_env: Any) -> None:
    good, bad = new_partner(), new_partner()
    good.charge(good.customer("reseller"), bj(2026, 10, 20, 8, 0), "7.00")
    BandwidthStore(bad.partner_id).put_day("cdn-x", date(2026, 10, 3), [1] * SLOTS_PER_DAY)
    with pytest.raises(scheduled.BillRunFailed) as failed:
        scheduled.run(
            {"month": "2026-10", "partners": [bad.partner_id, good.partner_id]}, now=AFTER_OCTOBER
        )
    assert failed.value.report.failed == [bad.partner_id]
    assert failed.value.report.created == [good.partner_id]
    assert BillStore(good.partner_id).get(OCTOBER) is not None


def test_r12_the_scheduled_function_refuses_a_month_not_over(local_env: Any) -> None:
    with pytest.raises(MonthNotEnded):
        scheduled.run({"month": "2026-11", "partners": ["ptn-t-none"]}, now=bj(2026, 11, 30, 12, 0))


def test_the_scheduled_run_finds_every_partner(demo: Any) -> None:
    found = scheduled.partner_ids()
    assert {"ptn-sp-001", "ptn-md-001", "ptn-sp-002"} <= set(found)


def test_demo_bills_exist_for_every_demo_month(demo: Any) -> None:
    from partner_center.local.demo.bills import MONTHS

    for partner_id in ("ptn-sp-001", "ptn-sp-002", "ptn-md-001"):
        for month in MONTHS:
            assert BillStore(partner_id).get(month) is not None, (partner_id, month)
    assert beijing_day_start(date(2026, 11, 1)) == OCTOBER.end
