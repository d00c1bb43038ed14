"""Bills and R13 as plain rules: months in Beijing time, when a bill is due, the roll-up,
and the 95th percentile, with `now` passed in (no clock, no AWS)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, FloatOperation

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partner_center.bills.bandwidth import CorruptSamples, pack_day, unpack_day
from partner_center.bills.exact import sums, to_cent
from partner_center.bills.months import Month
from partner_center.bills.peak95 import (
    MISSING,
    billed_rank,
    billing_peak,
    billing_peaks,
    drop_count,
    peak_charge,
    slot_window,
    window_peaks,
)
from partner_center.bills.rollup import BillingDataError, roll_up
from partner_center.bills.timing import (
    Availability,
    data_cutoff,
    due_at,
    month_has_ended,
    month_to_generate,
    state_of,
)
from partner_center.core.clock import BEIJING
from partner_center.core.errors import BadInput


def bj(*args: int) -> datetime:
    """A Beijing wall-clock time as an aware instant."""
    return datetime(*args, tzinfo=BEIJING)


# -- months (R10) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "slots"), [("2026-09", 8640), ("2026-10", 8928), ("2026-02", 8064), ("2028-02", 8352)]
)
def test_r13_month_slots_count_every_five_minutes_of_the_beijing_month(
    text: str, slots: int
) -> None:
    assert Month.parse(text).slots == slots


@pytest.mark.parametrize(
    "text",
    ["2026-9", "2026-13", "2026-00", "26-09", "2026/09", "", "1999-12", "2026-09-01", " 2026-09x"],
)
def test_malformed_months_are_bad_input(text: str) -> None:
    with pytest.raises(BadInput):
        Month.parse(text)


def test_r10_month_starts_and_ends_at_beijing_midnight() -> None:
    september = Month(2026, 9)
    assert september.start == datetime(2026, 8, 31, 16, tzinfo=UTC)
    assert september.end == datetime(2026, 9, 30, 16, tzinfo=UTC)
    assert Month(2026, 12).next() == Month(2027, 1)
    assert Month(2027, 1).previous() == Month(2026, 12)
    leap = Month(2028, 2)
    assert leap.last_day == date(2028, 2, 29)
    assert leap.end == datetime(2028, 2, 29, 16, tzinfo=UTC)


def test_r10_a_charge_at_2330_beijing_on_the_last_day_belongs_to_that_month() -> None:
    # 23:30 Beijing on 30 September is 15:30 UTC the same day: still September.
    late = bj(2026, 9, 30, 23, 30)
    assert Month.containing(late) == Month(2026, 9)
    # 00:30 Beijing on 1 October is 16:30 UTC on 30 September: October, not September.
    early = bj(2026, 10, 1, 0, 30)
    assert early.astimezone(UTC).date() == date(2026, 9, 30)
    assert Month.containing(early) == Month(2026, 10)
    assert Month.containing(bj(2028, 2, 29, 23, 59)) == Month(2028, 2)


# -- when a bill is due (R11, R12) -------------------------------------------------------


def test_r11_the_bill_of_a_month_is_due_by_noon_beijing_on_the_fifth() -> None:
    assert due_at(Month(2026, 9)) == bj(2026, 10, 5, 12, 0).astimezone(UTC)
    assert due_at(Month(2026, 12)) == bj(2027, 1, 5, 12, 0).astimezone(UTC)
    assert due_at(Month(2028, 2)) == bj(2028, 3, 5, 12, 0).astimezone(UTC)


def test_r12_data_covers_up_to_midnight_before_today_beijing() -> None:
    assert data_cutoff(bj(2026, 10, 5, 2, 0)) == bj(2026, 10, 5, 0, 0)
    # 20:00 UTC on the 4th is already the 5th in Beijing.
    assert data_cutoff(datetime(2026, 10, 4, 20, tzinfo=UTC)) == bj(2026, 10, 5, 0, 0)


def test_r10_a_month_has_ended_only_at_beijing_midnight() -> None:
    september = Month(2026, 9)
    assert not month_has_ended(september, bj(2026, 9, 30, 23, 59, 59))
    assert month_has_ended(september, bj(2026, 10, 1, 0, 0))
    # Leap February ends at 24:00 on the 29th.
    assert not month_has_ended(Month(2028, 2), bj(2028, 2, 29, 12, 0))
    assert month_has_ended(Month(2028, 2), bj(2028, 3, 1, 0, 0))


@pytest.mark.parametrize(
    ("now", "generated", "expected"),
    [
        (bj(2026, 9, 15, 9, 0), False, Availability.MONTH_NOT_ENDED),
        (bj(2026, 9, 30, 23, 59, 59), False, Availability.MONTH_NOT_ENDED),
        (bj(2026, 10, 1, 0, 0), False, Availability.PENDING),
        (bj(2026, 10, 5, 11, 59, 59), False, Availability.PENDING),  # the 5th, before 12:00
        (bj(2026, 10, 5, 12, 0), False, Availability.OVERDUE),
        (bj(2026, 10, 5, 2, 0), True, Availability.AVAILABLE),
        (bj(2027, 3, 1, 0, 0), True, Availability.AVAILABLE),
    ],
)
def test_r11_a_month_whose_fifth_has_not_reached_noon_says_not_generated_yet(
    now: datetime, generated: bool, expected: Availability
) -> None:
    state = state_of(Month(2026, 9), now, generated=generated)
    assert state.availability is expected
    if expected is not Availability.AVAILABLE:
        assert "not" in state.message and "2026-10-05 12:00" in state.message


def test_r11_the_scheduled_run_bills_the_previous_beijing_month() -> None:
    # 18:00 UTC on 4 November is 02:00 Beijing on the 5th: October's run.
    assert month_to_generate(datetime(2026, 11, 4, 18, tzinfo=UTC)) == Month(2026, 10)
    assert month_to_generate(datetime(2027, 1, 4, 18, tzinfo=UTC)) == Month(2026, 12)
    assert month_to_generate(datetime(2028, 3, 4, 18, tzinfo=UTC)) == Month(2028, 2)


# -- the roll-up (R4, R10) ---------------------------------------------------------------


@dataclass
class Line:
    line_id: str
    customer_id: str
    customer_name: str
    product: str
    billing_mode: str
    usage: Decimal
    usage_unit: str
    amount: Decimal
    charged_at: str


def line(
    n: int,
    customer: str,
    amount: str,
    product: str = "ECS",
    mode: str = "on_demand",
    unit: str = "hour",
    name: str = "某某科技有限公司",
) -> Line:
    return Line(
        f"ln-{n}",
        customer,
        name,
        product,
        mode,
        Decimal("1.5"),
        unit,
        Decimal(amount),
        f"2026-09-0{1 + n % 9}T00:00:00.000000Z",
    )


def test_r4_rollup_is_the_exact_sum_and_leaves_advisory_customers_out() -> None:
    associations = {"c1": "reseller", "c2": "advisory", "c3": "reseller"}
    lines = [
        line(1, "c1", "0.10"),
        line(2, "c1", "0.20"),
        line(3, "c2", "1000.00"),
        line(4, "c3", "99.99", product="CDN", mode="peak_95", unit="Mbps"),
        line(5, "c1", "0.0001"),
    ]
    rollup = roll_up(lines, associations)
    assert rollup.total == Decimal("100.2901")  # no float rounding: 0.1 + 0.2 is 0.3
    assert rollup.detail_count == 4 and rollup.advisory_detail_count == 1
    assert rollup.customer_count == 2
    assert [(i.customer_id, i.product, i.amount) for i in rollup.items] == [
        ("c1", "ECS", Decimal("0.3001")),
        ("c3", "CDN", Decimal("99.99")),
    ]
    assert sum(i.amount for i in rollup.items) == rollup.total


def test_rollup_item_usage_is_null_when_units_differ() -> None:
    rollup = roll_up(
        [line(1, "c1", "1.00", unit="hour"), line(2, "c1", "1.00", unit="GB")], {"c1": "reseller"}
    )
    assert rollup.items[0].usage is None and rollup.items[0].usage_unit is None


def test_rollup_refuses_a_detail_of_an_unknown_customer() -> None:
    with pytest.raises(BillingDataError, match="ln-1"):
        roll_up([line(1, "ghost", "1.00")], {"c1": "reseller"})


def test_money_never_passes_through_float_in_the_rollup() -> None:
    bad = line(1, "c1", "1.00")
    bad.amount = 0.1  # type: ignore[assignment]
    with pytest.raises(BillingDataError):
        roll_up([bad], {"c1": "reseller"})
    with sums(), pytest.raises(FloatOperation):
        Decimal(0.1)  # noqa: RUF032 - the float is the point: it must be refused
    with pytest.raises(TypeError):
        to_cent(1.005)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        peak_charge(1000, 21.0, 10, 10)  # type: ignore[arg-type]


# -- the 95th percentile (R13) -----------------------------------------------------------


def reference_peak(values: list[int]) -> int:
    """R13 literally: sort high to low, drop floor(5 %), bill the highest remaining."""
    ordered = sorted((max(v, 0) for v in values), reverse=True)
    return ordered[len(ordered) * 5 // 100]


@pytest.mark.parametrize(
    ("n", "dropped"), [(8640, 432), (8928, 446), (8064, 403), (8352, 417), (20, 1), (19, 0), (1, 0)]
)
def test_r13_top_five_percent_rounds_down(n: int, dropped: int) -> None:
    assert drop_count(n) == dropped
    assert billed_rank(n) == dropped + 1


def test_r13_a_month_of_exactly_8640_samples_bills_the_433rd_highest() -> None:
    samples = np.arange(1, 8641, dtype=np.int64)
    np.random.default_rng(1).shuffle(samples)
    assert billing_peak(samples) == 8640 - 432  # 8,208: the 433rd highest


def test_r13_a_month_of_exactly_8928_samples_bills_the_447th_highest() -> None:
    samples = np.arange(1, 8929, dtype=np.int64)
    np.random.default_rng(2).shuffle(samples)
    assert billing_peak(samples) == 8928 - 446  # 8,482: 446.4 rounds down to 446 dropped


def test_r13_gaps_count_as_zero_and_do_not_shrink_the_month() -> None:
    samples = np.arange(1, 8641, dtype=np.int64)
    samples[:1000] = MISSING  # 1,000 slots without a sample: 1..1000 are gone
    # Still 8,640 slots: 432 dropped, the 433rd highest of the whole month is billed.
    assert billing_peak(samples) == 8208
    # Gaps reaching into the top: fewer real samples, same rank, a lower (never higher) bill.
    samples = np.arange(1, 8641, dtype=np.int64)
    samples[-500:] = MISSING
    assert billing_peak(samples) == 8140 - 432
    assert billing_peak(np.full(8640, MISSING, dtype=np.int64)) == 0


def test_r13_samples_are_checked_where_they_enter() -> None:
    day = [1] * 288
    assert list(unpack_day(pack_day(day))) == day
    assert list(unpack_day(pack_day([None] * 288))) == [MISSING] * 288
    corrupt = np.full(288, 7, dtype=np.int64)
    corrupt[3] = -2
    with pytest.raises(CorruptSamples):
        unpack_day(corrupt.tobytes())
    with pytest.raises(CorruptSamples):
        unpack_day(b"\0" * 100)
    with pytest.raises(TypeError):
        billing_peak(np.array([5.0, 1.0]))
    with pytest.raises(TypeError):
        billing_peaks(np.array([[5.0, 1.0]]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=-1, max_value=10**12), min_size=1, max_size=400))
def test_r13_matches_the_rule_read_literally(values: list[int]) -> None:
    assert billing_peak(np.array(values, dtype=np.int64)) == reference_peak(values)


def test_r13_rows_are_computed_like_single_windows() -> None:
    rng = np.random.default_rng(3)
    matrix = rng.integers(-1, 10**9, size=(7, 8928), dtype=np.int64)
    original = matrix.copy()
    assert list(billing_peaks(matrix)) == [billing_peak(row) for row in matrix]
    assert np.array_equal(matrix, original), "the caller's samples must not be reordered"


def test_r13_resources_that_lived_part_of_the_month_use_their_own_window() -> None:
    month = Month(2026, 9)
    rng = np.random.default_rng(4)
    matrix = rng.integers(0, 10**6, size=(3, month.slots), dtype=np.int64)
    windows = [(0, month.slots), (100, 2000), (0, 288)]
    peaks = window_peaks(matrix, windows)
    assert peaks[0] == billing_peak(matrix[0])
    assert peaks[1] == reference_peak(list(matrix[1, 100:2000]))
    assert peaks[2] == reference_peak(list(matrix[2, :288]))


def test_r13_lifetime_window_in_slots() -> None:
    month = Month(2026, 9)
    # Created at 10:02 on 16 September: its window starts with the 10:00 slot.
    created = bj(2026, 9, 16, 10, 2)
    first, last = slot_window(month, created, None)
    assert first == 15 * 288 + 10 * 12 and last == month.slots
    # Deleted exactly at 15:00 on 10 October: the 15:00 slot is not in its life.
    october = Month(2026, 10)
    assert slot_window(october, october.start, bj(2026, 10, 10, 15, 0)) == (0, 9 * 288 + 15 * 12)
    # Deleted at 15:01: the slot it died in counts.
    assert slot_window(october, october.start, bj(2026, 10, 10, 15, 1)) == (
        0,
        9 * 288 + 15 * 12 + 1,
    )
    # Not alive in the month at all, and alive beyond both ends.
    assert slot_window(month, bj(2026, 10, 2, 0, 0), None) == (0, 0)
    assert slot_window(month, bj(2026, 1, 1, 0, 0), bj(2027, 1, 1, 0, 0)) == (0, month.slots)


def test_r13_price_is_decimal_mbps_times_price_prorated_half_up() -> None:
    charge = peak_charge(850_123, Decimal("21.00"), 8640, 8640)
    assert charge.billed_mbps == Decimal("850.123")
    assert charge.amount == Decimal("17852.58")  # 17,852.583
    half = peak_charge(1000, Decimal("21.00"), 4320, 8640)
    assert half.amount == Decimal("10.50")
    # 0.005 exactly rounds up: 1 kbps × 5 CNY = 0.005.
    assert peak_charge(1, Decimal("5.00"), 10, 10).amount == Decimal("0.01")
    assert peak_charge(0, Decimal("65.00"), 1, 8928).amount == Decimal("0.00")
    with pytest.raises(ValueError):
        peak_charge(1, Decimal("1"), 0, 10)


def test_r13_random_months_agree_with_the_literal_rule() -> None:
    rng = random.Random(5)
    for slots in (8640, 8928, 8064, 8352):
        values = [rng.choice([MISSING, rng.randrange(10**7)]) for _ in range(slots)]
        assert billing_peak(np.array(values, dtype=np.int64)) == reference_peak(values)


def test_month_arithmetic_is_consistent_for_many_years() -> None:
    month = Month(2000, 1)
    while month < Month(2040, 1):
        assert month.end - month.start == timedelta(days=month.days)
        assert month.next().start == month.end
        month = month.next()


def test_whose_bills_a_caller_reaches() -> None:
    from partner_center.core.auth import AccountType, Principal, Role
    from partner_center.core.errors import Forbidden
    from partner_center.core.permissions import may_act_for, target_partner

    def who(role: Role, partner: str, account: AccountType) -> Principal:
        return Principal(
            partner_id=partner, user_id="u", login="u", role=role, account_type=account
        )

    admin = who(Role.ADMIN, "ptn-a", AccountType.SOLUTION_PROVIDER)
    scoped_ops = who(Role.PROVIDER_OPERATIONS, "ptn-a", AccountType.SOLUTION_PROVIDER)
    platform_ops = who(Role.PROVIDER_OPERATIONS, "platform", AccountType.PLATFORM)
    assert may_act_for(admin, "ptn-a") and not may_act_for(admin, "ptn-b")
    assert may_act_for(scoped_ops, "ptn-a") and not may_act_for(scoped_ops, "ptn-b")
    assert may_act_for(platform_ops, "ptn-b")
    assert target_partner(admin, None) == "ptn-a" == target_partner(scoped_ops, None)
    assert target_partner(platform_ops, "ptn-b") == "ptn-b"
    with pytest.raises(BadInput):
        target_partner(platform_ops, None)
    with pytest.raises(Forbidden):
        target_partner(admin, "ptn-b")
    with pytest.raises(Forbidden):
        target_partner(scoped_ops, "ptn-b")
