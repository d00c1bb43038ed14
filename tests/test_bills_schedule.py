"""R11 in serverless.yml: the bill run's cron (UTC) lands after the month ended and
before 12:00 Beijing time on the 5th, every month of every year."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from partner_center.bills.months import Month
from partner_center.bills.timing import due_at, month_has_ended, month_to_generate
from partner_center.local.infra import load_cfn_yaml

ROOT = Path(__file__).resolve().parents[1]
CRON = re.compile(r"^cron\((\d+) (\d+) (\d+) \* \? \*\)$")


@pytest.fixture(scope="module")
def function() -> dict[str, Any]:
    config = load_cfn_yaml((ROOT / "serverless.yml").read_text(encoding="utf-8"))
    return config["functions"]["billGeneration"]


def fire_times(rate: str, month: Month) -> datetime:
    """When `cron(minute hour day-of-month * ? *)` fires in the given UTC month."""
    found = CRON.match(rate)
    assert found, f"{rate} is not a monthly cron on a fixed day"
    minute, hour, day = (int(g) for g in found.groups())
    return datetime(month.year, month.month, day, hour, minute, tzinfo=UTC)


def test_the_bill_run_is_scheduled_and_its_handler_is_the_thin_entry(
    function: dict[str, Any],
) -> None:
    assert function["handler"] == "functions/bill_generation.handler"
    schedules = [e["schedule"] for e in function["events"] if "schedule" in e]
    assert len(schedules) == 2
    assert function["timeout"] <= 900


def test_r11_every_run_lands_before_noon_beijing_on_the_fifth(function: dict[str, Any]) -> None:
    rates = [e["schedule"]["rate"] for e in function["events"] if "schedule" in e]
    month = Month(2026, 1)
    while month <= Month(2032, 12):
        for rate in rates:
            fired = fire_times(rate, month)
            billed = month_to_generate(fired)
            # It bills the month before the one it runs in (Beijing time) ...
            assert billed.next() == Month.containing(fired), (rate, month)
            # ... that month is over, and its bill is due later the same morning.
            assert month_has_ended(billed, fired)
            assert fired < due_at(billed), (rate, month, fired)
        month = month.next()


def test_the_first_run_is_0200_beijing_on_the_fifth(function: dict[str, Any]) -> None:
    first = function["events"][0]["schedule"]["rate"]
    fired = fire_times(first, Month(2026, 11))
    assert fired == datetime(2026, 11, 4, 18, 0, tzinfo=UTC)  # 02:00 on 5 Nov in Beijing
