"""The daily consumption roll-up against the embedded AWS: it reads the details, agrees
with them to the cent (R4), refuses days not closed yet (R3), is safe to run again, and
catches up the days a failed run missed. Also its Lambda handler and its CLI command."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from typer.testing import CliRunner

from partner_center.cli.main import app
from partner_center.consumption import rollup as rollups
from partner_center.consumption import rollup_handler
from partner_center.consumption.models import RollupItem
from partner_center.consumption.summary import day_value
from partner_center.core.clock import beijing_date, to_iso
from partner_center.core.errors import BadInput
from partner_center.storage.models import ConsumptionLine
from tests import customer_data as td
from tests.customer_data import beijing

runner = CliRunner()
FRESH = "ptn-cus-rollup"  # lines only, rolled up by these tests alone


@pytest.fixture(scope="module")
def fresh(demo: Any) -> list[ConsumptionLine]:
    """Three lines a day, 2026-09-01..09-20, for two customers."""
    lines = []
    for offset in range(20):
        day = date(2026, 9, 1) + timedelta(days=offset)
        for n, (hour, customer) in enumerate([(0, "c-1"), (12, "c-2"), (23, "c-1")]):
            at = beijing(day.year, day.month, day.day, hour, 59 if hour == 23 else 0, 0)
            line_id = f"ln-r-{offset:02d}-{n}"
            lines.append(
                ConsumptionLine(
                    FRESH,
                    f"{to_iso(at)}#{line_id}",
                    line_id=line_id,
                    customer_id=customer,
                    customer_name="某某",
                    product="ECS",
                    resource_id="vm-1",
                    billing_mode="on_demand",
                    usage=Decimal("1"),
                    usage_unit="hour",
                    amount=Decimal(f"{offset + 1}.{n}7"),
                    charged_at=to_iso(at),
                    bill_date=beijing_date(at).isoformat(),
                )
            )
    with ConsumptionLine.batch_write() as batch:
        for line in lines:
            batch.save(line)
    return lines


def stored(partner: str, customer: str | None, day: date) -> Decimal | None:
    key = (
        rollups.partner_key(rollups.month_of(day))
        if customer is None
        else rollups.customer_key(rollups.month_of(day), customer)
    )
    try:
        item = RollupItem.get(partner, key)
    except RollupItem.DoesNotExist:
        return None
    return day_value(item, day)


def test_r4_roll_up_of_the_table_equals_the_details(demo: Any) -> None:
    td.seed()
    rollups.rollup(
        td.PARTNER, date(2026, 8, 1), date(2026, 10, 31), now=beijing(2026, 11, 2, 0, 30)
    )
    for customer in td.CUSTOMERS:
        for day in (
            date(2026, 9, 10),
            date(2026, 9, 11),
            date(2026, 9, 30),
            date(2026, 10, 1),
            date(2026, 8, 31),
        ):
            assert stored(td.PARTNER, customer, day) == td.expected(
                {customer}, first=day, last=day
            ), (customer, day)
    assert stored(td.PARTNER, None, date(2026, 9, 30)) == td.expected(
        first=date(2026, 9, 30), last=date(2026, 9, 30)
    )
    assert stored(td.PARTNER, None, date(2026, 9, 2)) == Decimal("0")  # rolled, nothing used


def test_rolling_a_day_again_changes_nothing(demo: Any) -> None:
    td.seed()
    day = date(2026, 9, 11)
    before = stored(td.PARTNER, "cus-t-01", day)
    report = rollups.rollup(td.PARTNER, day, day, now=beijing(2026, 9, 13, 0, 0))
    assert report.lines == 2 * len(td.CUSTOMERS)  # 00:00:00 and 23:59:59 of the day
    assert stored(td.PARTNER, "cus-t-01", day) == before


def test_r3_a_day_is_rolled_up_only_once_closed(fresh: list[ConsumptionLine]) -> None:
    with pytest.raises(BadInput):
        rollups.rollup(
            FRESH,
            date(2026, 9, 11),
            date(2026, 9, 11),
            now=beijing(2026, 9, 12, 23, 59, 59, 999999),
        )
    assert rollups.rolled_days(FRESH, [date(2026, 9, 11)]) == set()


def test_the_schedule_catches_up_the_last_week(fresh: list[ConsumptionLine]) -> None:
    now = beijing(2026, 9, 14, 0, 30)  # 09-12 closed at 00:00 today
    reports = rollups.run_scheduled(now, [FRESH])
    assert [r.first for r in reports] == [date(2026, 9, 6) + timedelta(days=n) for n in range(7)]
    assert rollups.run_scheduled(now, [FRESH]) == []  # nothing left to do
    day = date(2026, 9, 12)
    expected = sum(
        (line.amount for line in fresh if line.bill_date == day.isoformat()), Decimal("0")
    )
    assert stored(FRESH, None, day) == expected
    assert stored(FRESH, "c-2", day) == Decimal("12.17")
    # Beyond the catch-up window: not rolled up.
    assert rollups.rolled_days(FRESH, [date(2026, 9, 5)]) == set()
    # A day later only the newly closed day is due.
    later = rollups.run_scheduled(now + timedelta(days=1), [FRESH])
    assert [r.first for r in later] == [date(2026, 9, 13)]


def test_backfill_does_not_overwrite_a_month_already_rolled(fresh: list[ConsumptionLine]) -> None:
    rollups.run_scheduled(beijing(2026, 9, 14, 0, 30), [FRESH])
    report = rollups.backfill(
        FRESH, date(2026, 9, 1), date(2026, 9, 20), now=beijing(2026, 9, 30, 0, 0)
    )
    assert report.lines == 60
    for day in (date(2026, 9, 1), date(2026, 9, 12), date(2026, 9, 20)):
        assert stored(FRESH, None, day) == sum(
            (line.amount for line in fresh if line.bill_date == day.isoformat()), Decimal("0")
        )


def test_the_lambda_handler_runs_the_schedule(
    fresh: list[ConsumptionLine], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rollups, "partners", lambda: [FRESH])
    result = rollup_handler.handle({"source": "aws.events"}, None)
    assert isinstance(result["rolled"], list)
    assert all(r["partner_id"] == FRESH for r in result["rolled"])


def test_partners_are_read_from_the_directory(demo: Any) -> None:
    td.seed()
    assert {"ptn-sp-001", "ptn-sp-002", "ptn-md-001", td.PARTNER} <= set(rollups.partners())


def test_cli_rolls_up_a_day_and_refuses_an_open_one(
    fresh: list[ConsumptionLine], local_env: Any
) -> None:
    result = runner.invoke(
        app,
        [
            "rollup",
            "--date",
            "2026-09-19",
            "--partner",
            FRESH,
            "--aws-endpoint",
            local_env.aws.endpoint_url,
        ],
    )
    assert result.exit_code == 0, result.output
    assert rollups.rolled_days(FRESH, [date(2026, 9, 19)]) == {date(2026, 9, 19)}
    refused = runner.invoke(app, ["rollup", "--date", "2099-01-01", "--partner", FRESH])
    assert refused.exit_code == 1 and "not closed" in refused.output
    bad = runner.invoke(app, ["rollup", "--date", "19-09-2026"])
    assert bad.exit_code == 2
