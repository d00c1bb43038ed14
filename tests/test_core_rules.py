"""Plain business rules: permissions (R1, R2), time (R10), money, messages, columns."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from partner_center.consumption.filters import ConsumptionFilter
from partner_center.core.anonymize import ColumnKind
from partner_center.core.auth import AccountType, Menu, Principal, Role
from partner_center.core.clock import beijing_date, beijing_day_range, from_iso, to_iso
from partner_center.core.errors import BadInput, Forbidden
from partner_center.core.money import MoneyError, format_amount, parse_amount
from partner_center.core.permissions import (
    has_menu,
    managed_customer_scope,
    require_menu,
)
from partner_center.exports.columns import Anonymizer, Column
from partner_center.jobs.messages import JobMessage, PoisonMessage
from partner_center.storage.attributes import DecimalAttribute


def who(
    role: Role,
    account: AccountType = AccountType.SOLUTION_PROVIDER,
    perms: frozenset[Menu] = frozenset(),
) -> Principal:
    return Principal("p", "u", "login", role, account, perms)


@pytest.mark.parametrize("menu", list(Menu))
def test_r1_admin_holds_every_menu(menu: Menu) -> None:
    assert has_menu(who(Role.ADMIN), menu)


def test_r1_operator_holds_only_granted_menus() -> None:
    operator = who(Role.OPERATOR, perms=frozenset({Menu.BILLING}))
    assert has_menu(operator, Menu.BILLING)
    assert not has_menu(operator, Menu.CUSTOMERS)
    with pytest.raises(Forbidden) as refused:
        require_menu(operator, Menu.CUSTOMERS)
    assert refused.value.extensions["code"] == "FORBIDDEN"


@pytest.mark.parametrize("role", list(Role))
def test_r1_channel_master_distributor_has_no_customer_expansion_menu(role: Role) -> None:
    everyone = who(role, AccountType.CHANNEL_MASTER_DISTRIBUTOR, frozenset(Menu))
    assert not has_menu(everyone, Menu.CUSTOMERS)
    assert not has_menu(everyone, Menu.LEADS)


def test_r2_only_managers_are_scoped_to_their_customers() -> None:
    assert managed_customer_scope(who(Role.CUSTOMER_MANAGER)) == "u"
    assert managed_customer_scope(who(Role.ADMIN)) is None
    assert has_menu(who(Role.CUSTOMER_MANAGER), Menu.CUSTOMERS)


def test_r10_beijing_day_boundaries() -> None:
    # 23:59 and 00:00 Beijing time are 15:59 and 16:00 UTC of the day before.
    assert beijing_date(datetime(2026, 8, 31, 15, 59, tzinfo=UTC)) == date(2026, 8, 31)
    assert beijing_date(datetime(2026, 8, 31, 16, 0, tzinfo=UTC)) == date(2026, 9, 1)
    start, end = beijing_day_range(date(2026, 9, 1), date(2026, 9, 30))
    assert start == datetime(2026, 8, 31, 16, tzinfo=UTC)
    assert end == datetime(2026, 9, 30, 16, tzinfo=UTC)


def test_iso_timestamps_sort_as_time() -> None:
    a = datetime(2026, 9, 1, 9, 5, tzinfo=UTC)
    b = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)
    assert to_iso(a) < to_iso(b) and from_iso(to_iso(a)) == a


def test_money_never_from_float() -> None:
    assert parse_amount("0.10") + parse_amount("0.20") == Decimal("0.30")
    with pytest.raises(MoneyError):
        parse_amount(0.1)  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        parse_amount("NaN")
    assert format_amount(Decimal("5")) == "5.00"
    assert format_amount(Decimal("0.0001")) == "0.0001"


def test_decimal_attribute_keeps_every_digit() -> None:
    attribute = DecimalAttribute()
    value = Decimal("12345678901234567890.123456")
    assert attribute.deserialize(attribute.serialize(value)) == value
    with pytest.raises(TypeError):
        attribute.serialize(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "body",
    [
        "",
        "null",
        "[]",
        '{"v": 2}',
        '{"v": 1, "job_id": "x"}',
        '{"v": 1, "partner_id": "p", "job_id": "../../etc"}',
    ],
)
def test_poison_job_messages_are_refused_without_echo(body: str) -> None:
    with pytest.raises(PoisonMessage) as refused:
        JobMessage.decode(body)
    assert body not in str(refused.value) or body == ""


def test_job_message_round_trip() -> None:
    message = JobMessage("ptn-1", "job-1")
    assert JobMessage.decode(message.encode()) == message


def test_r22_every_export_column_declares_its_kind() -> None:
    with pytest.raises(TypeError):
        Column("name", None, lambda r: r)  # type: ignore[arg-type]
    anonymizer = Anonymizer(
        [
            Column("n", ColumnKind.NAME, lambda r: r["n"]),
            Column("p", ColumnKind.PHONE, lambda r: r["p"]),
        ]
    )
    assert anonymizer.row({"n": "张三丰", "p": "13812345678"}) == ["张**", "138****5678"]


def test_consumption_filter_round_trips_through_job_json() -> None:
    flt = ConsumptionFilter(
        customer_id="c",
        date_from=date(2026, 8, 1),
        date_to=date(2026, 8, 31),
        min_amount=Decimal("0.01"),
    ).validate()
    assert ConsumptionFilter.from_json(flt.to_json()) == flt
    with pytest.raises(BadInput):
        ConsumptionFilter(product="x" * 101).validate()
