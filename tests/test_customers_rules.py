"""The customers area's plain rules: R3 availability, R5 counting, summary figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partner_center.consumption.availability import (
    available_from,
    is_available,
    last_available_day,
)
from partner_center.consumption.models import RollupItem
from partner_center.consumption.rollup import aggregate, due_days
from partner_center.consumption.scope import counting_from
from partner_center.consumption.summary import (
    Counted,
    Status,
    figure,
    months_between,
    parse_month,
    scoped_amount,
)
from partner_center.core.auth import AccountType, Principal, Role
from partner_center.core.errors import BadInput, Forbidden
from partner_center.core.permissions import (
    require_customer_assigner,
    require_manager_filter_in_scope,
)
from partner_center.customers.store import CustomerFilter
from tests.customer_data import beijing, lines

ONE_MICROSECOND = timedelta(microseconds=1)


# -- R3 ---------------------------------------------------------------------------------


def test_r3_day_is_available_from_2400_of_the_next_day_beijing() -> None:
    day = date(2026, 9, 10)
    assert available_from(day) == beijing(2026, 9, 12, 0, 0, 0).astimezone(UTC)
    assert not is_available(day, beijing(2026, 9, 11, 23, 59, 59, 999999))
    assert not is_available(day, beijing(2026, 9, 12, 0, 0, 0) - ONE_MICROSECOND)
    assert is_available(day, beijing(2026, 9, 12, 0, 0, 0))


def test_r3_uses_beijing_time_not_utc() -> None:
    # 16:00 UTC on 2026-09-11 is already 00:00 Beijing on the 12th.
    assert is_available(date(2026, 9, 10), datetime(2026, 9, 11, 16, 0, tzinfo=UTC))
    assert not is_available(date(2026, 9, 10), datetime(2026, 9, 11, 15, 59, 59, tzinfo=UTC))


@pytest.mark.parametrize(
    ("now", "last"),
    [
        (beijing(2026, 10, 1, 23, 59, 59), date(2026, 9, 29)),
        (beijing(2026, 10, 2, 0, 0, 0), date(2026, 9, 30)),  # September's last day, at once
        (beijing(2026, 3, 1, 0, 0, 0), date(2026, 2, 27)),
        (beijing(2026, 3, 2, 0, 0, 0), date(2026, 2, 28)),  # February's month end
    ],
)
def test_r3_last_available_day_at_month_ends(now: datetime, last: date) -> None:
    assert last_available_day(now) == last


# -- R5 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("assigned", "first_counted"),
    [
        (beijing(2026, 9, 10, 23, 59, 59, 999999), date(2026, 9, 11)),
        (beijing(2026, 9, 11, 0, 0, 0), date(2026, 9, 12)),
        (beijing(2026, 9, 30, 23, 59, 59), date(2026, 10, 1)),  # month end: next month
        (beijing(2026, 12, 31, 12, 0, 0), date(2027, 1, 1)),
    ],
)
def test_r5_counts_from_the_beijing_day_after_assignment(
    assigned: datetime, first_counted: date
) -> None:
    assert counting_from(assigned) == first_counted
    assert counting_from(assigned.astimezone(UTC)) == first_counted


def test_r5_no_assignment_instant_counts_everything() -> None:
    assert counting_from(None) == date.min


# -- figures ----------------------------------------------------------------------------


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def test_month_figure_is_partial_up_to_the_last_available_day() -> None:
    september = _days(date(2026, 9, 1), date(2026, 9, 30))
    rolled = set(september)
    now = beijing(2026, 9, 12, 0, 0, 0)
    result = figure("2026-09", september, now, rolled, lambda d: Decimal("1.01"))
    assert result.status is Status.PARTIAL
    assert result.through == date(2026, 9, 10)
    assert result.amount == Decimal("10.10")


def test_period_not_yet_available_has_no_amount_not_zero() -> None:
    days = [date(2026, 9, 11)]
    result = figure(
        "2026-09-11", days, beijing(2026, 9, 12, 23, 59, 59), set(days), lambda d: Decimal("5")
    )
    assert result.status is Status.NOT_YET_AVAILABLE and result.amount is None


def test_closed_day_without_roll_up_is_pending() -> None:
    days = [date(2026, 9, 11)]
    result = figure(
        "2026-09-11", days, beijing(2026, 9, 13, 0, 0, 0), set(), lambda d: Decimal("5")
    )
    assert result.status is Status.PENDING and result.amount is None


def test_a_gap_in_the_roll_up_stops_the_amount_there() -> None:
    days = _days(date(2026, 9, 1), date(2026, 9, 5))
    rolled = set(days) - {date(2026, 9, 3)}
    result = figure("x", days, beijing(2026, 10, 1, 0, 0, 0), rolled, lambda d: Decimal("1"))
    assert result.status is Status.PARTIAL and result.through == date(2026, 9, 2)
    assert result.amount == Decimal("2")


def test_r5_scoped_amount_skips_days_before_each_customers_first_day() -> None:
    item = RollupItem("p", "M#2026-09#C#c", month="2026-09", customer_id="c")
    item.d10, item.d11 = Decimal("1.10"), Decimal("2.20")  # type: ignore[attr-defined]
    counted = {"c": Counted(item, since=date(2026, 9, 11))}
    amount = scoped_amount(counted, ["c"], "2026-09", None)
    assert amount(date(2026, 9, 10)) == Decimal("0")
    assert amount(date(2026, 9, 11)) == Decimal("2.20")


def test_month_parsing() -> None:
    assert parse_month("2026-02", "month") == (date(2026, 2, 1), date(2026, 2, 28))
    assert parse_month("2028-02", "month")[1] == date(2028, 2, 29)
    for bad in ("2026-2", "2026-13", "202609", "2026-09-01", ""):
        with pytest.raises(BadInput):
            parse_month(bad, "month")
    assert [m for m, _ in months_between("2026-11", "2027-02")] == [
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
    ]
    with pytest.raises(BadInput):
        months_between("2026-10", "2026-09")
    with pytest.raises(BadInput):
        months_between("2024-01", "2026-01")


def test_aggregate_sums_decimals_exactly_by_beijing_bill_date() -> None:
    sums = aggregate(lines(), date(2026, 9, 1), date(2026, 9, 30))
    expected = sum(
        (line.amount for line in lines() if "2026-09-01" <= line.bill_date <= "2026-09-30"),
        Decimal("0"),
    )
    assert sum(sums.by_day.values(), Decimal("0")) == expected
    assert sum(sums.by_customer.values(), Decimal("0")) == expected
    assert all(isinstance(v, Decimal) for v in sums.by_day.values())
    # 23:59:59 on 09-10 and 00:00 on 09-11 Beijing land on their own days.
    assert date(2026, 9, 10) in sums.by_day and date(2026, 9, 11) in sums.by_day


def test_due_days_catch_up_what_is_not_rolled() -> None:
    now = beijing(2026, 9, 20, 0, 30, 0)
    assert due_days(now, set(), catch_up=3) == [
        date(2026, 9, 16),
        date(2026, 9, 17),
        date(2026, 9, 18),
    ]
    assert due_days(now, {date(2026, 9, 17)}, catch_up=3) == [date(2026, 9, 16), date(2026, 9, 18)]


# -- permissions and filters ------------------------------------------------------------


def _principal(
    role: Role, account: AccountType = AccountType.SOLUTION_PROVIDER, menus: frozenset = frozenset()
) -> Principal:  # type: ignore[type-arg]
    return Principal("p", "u", "l", role, account, menus)


def test_r2_only_administrators_and_operators_assign() -> None:
    from partner_center.core.auth import Menu

    require_customer_assigner(_principal(Role.ADMIN))
    require_customer_assigner(_principal(Role.OPERATOR, menus=frozenset({Menu.CUSTOMERS})))
    for principal in (
        _principal(Role.CUSTOMER_MANAGER),
        _principal(Role.OPERATOR),
        _principal(Role.ADMIN, AccountType.CHANNEL_MASTER_DISTRIBUTOR),
    ):
        with pytest.raises(Forbidden):
            require_customer_assigner(principal)


def test_r2_manager_cannot_widen_its_list() -> None:
    manager = _principal(Role.CUSTOMER_MANAGER)
    require_manager_filter_in_scope(manager, "u", False)
    with pytest.raises(Forbidden):
        require_manager_filter_in_scope(manager, "someone-else", False)
    with pytest.raises(Forbidden):
        require_manager_filter_in_scope(manager, None, True)
    require_manager_filter_in_scope(_principal(Role.ADMIN), "anyone", False)


@pytest.mark.parametrize(
    ("flt", "field"),
    [
        (CustomerFilter(search=" "), "search"),
        (CustomerFilter(search="x" * 101), "search"),
        (CustomerFilter(association="partner"), "association"),
        (CustomerFilter(manager_id="m", unassigned=True), "unassigned"),
        (CustomerFilter(created_from=date(2026, 2, 1), created_to=date(2026, 1, 1)), "createdFrom"),
    ],
)
def test_customer_filter_refuses_bad_input(flt: CustomerFilter, field: str) -> None:
    with pytest.raises(BadInput) as refused:
        flt.validate()
    assert refused.value.extensions["field"] == field


@given(
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    offset=st.integers(min_value=-4 * 86_400_000_000, max_value=4 * 86_400_000_000),
)
def test_r3_figures_compare_days_with_the_last_available_day_exactly_as_is_available(
    day: date, offset: int
) -> None:
    # figure() tests each day against last_available_day(now) once per period instead of
    # is_available(day, now) per day: the two must agree at every instant, boundaries too.
    now = available_from(day) + timedelta(microseconds=offset)
    assert is_available(day, now) == (day <= last_available_day(now))
