"""The local scheduler runs serverless.yml's scheduled functions when EventBridge would.

Expressions are EventBridge's (six fields, UTC, `?`, Sunday = 1, `L` and `#`), checked
here against calendar dates worked out by hand; the scheduler is driven by a fake clock.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from partner_center.local.functions import ScheduledFunction, scheduled_functions
from partner_center.local.scheduler import Schedule, Scheduler, invoke, scheduled_event
from partner_center.local.schedules import UnsupportedSchedule, trigger

# Thursday 26 November 2026, 23:07 UTC.
NOW = datetime(2026, 11, 26, 23, 7, tzinfo=UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "expression,expected",
    [
        ("cron(30 16 * * ? *)", "2026-11-27T16:30"),  # the daily roll-up, 00:30 Beijing
        ("cron(0 18 4 * ? *)", "2026-12-04T18:00"),  # the bill run, 02:00 Beijing on the 5th
        ("cron(0 12 ? * MON-FRI *)", "2026-11-27T12:00"),  # Friday
        ("cron(0 12 ? * 2-6 *)", "2026-11-27T12:00"),  # the same days, numbered from Sunday
        ("cron(0 12 ? * 1 *)", "2026-11-29T12:00"),  # 1 is Sunday
        ("cron(0 12 ? * SAT,SUN *)", "2026-11-28T12:00"),
        ("cron(15 10 ? * 6L 2026-2027)", "2026-11-27T10:15"),  # the last Friday of November
        ("cron(0 8 ? * 2#1 *)", "2026-12-07T08:00"),  # the first Monday of December
        ("cron(0 0 L * ? *)", "2026-11-30T00:00"),  # the last day of the month
        ("cron(0/15 * * * ? *)", "2026-11-26T23:15"),
        ("cron(0 9 1 JAN,JUL ? *)", "2027-01-01T09:00"),
        ("cron(0 9 1 * ? 2030)", "2030-01-01T09:00"),
        ("rate(5 minutes)", "2026-11-26T23:12"),  # one period after the rule is created
        ("rate(1 day)", "2026-11-27T23:07"),
    ],
)
def test_eventbridge_expressions_fire_when_eventbridge_would(
    expression: str, expected: str
) -> None:
    rule = trigger(expression, NOW)
    assert rule.get_next_fire_time(None, NOW) == at(expected)


@pytest.mark.parametrize(
    "expression,complaint",
    [
        ("cron(0 12 * * * *)", "exactly one of day-of-month and day-of-week"),
        ("cron(0 12 ? * ? *)", "exactly one of day-of-month and day-of-week"),
        ("cron(0 12 15W * ? *)", "'W' (nearest weekday) is not supported"),
        ("cron(0 12 * * ?)", "needs 6 fields"),
        ("cron(0 25 * * ? *)", "cron(0 25 * * ? *)"),  # no 25th hour
        ("cron(0 12 ? * FUNDAY *)", "is not a day of the week"),
        ("cron(0 12 ? * 8 *)", "is not a day of the week"),
        ("cron(0 12 ? * 2#6 *)", "'#' takes 1 to 5"),
        ("rate(0 minutes)", "positive whole number"),
        ("rate(2 weeks)", "minute(s), hour(s) or day(s)"),
        ("every day at noon", "not a cron(...) or rate(...)"),
    ],
)
def test_what_eventbridge_refuses_or_cannot_run_locally_is_refused_by_name(
    expression: str, complaint: str
) -> None:
    with pytest.raises(UnsupportedSchedule) as refused:
        trigger(expression, NOW)
    assert complaint in str(refused.value)


def test_every_scheduled_function_of_serverless_yml_is_found_with_its_rules() -> None:
    found = {f.name: f for f in scheduled_functions()}
    assert set(found) == {"consumptionRollup", "incentiveExpiry", "billGeneration"}
    assert found["billGeneration"].expressions == ("cron(0 18 4 * ? *)", "cron(0 1 5 * ? *)")
    assert found["billGeneration"].timeout_seconds == 900
    for function in found.values():
        assert callable(function.load_handler())  # the deployed handler string resolves


def test_the_schedule_hands_out_each_time_once_then_plans_the_next_rule() -> None:
    bills = next(f for f in scheduled_functions() if f.name == "billGeneration")
    schedule = Schedule([bills], NOW)
    assert schedule.due(at("2026-12-04T17:59:59")) == []
    (first,) = schedule.due(at("2026-12-04T18:00"))
    assert (first.at, first.index) == (at("2026-12-04T18:00"), 0)
    assert schedule.due(at("2026-12-04T18:00")) == []  # not twice
    (catch_up,) = schedule.due(at("2026-12-05T01:00:30"))
    assert (catch_up.at, catch_up.index) == (at("2026-12-05T01:00"), 1)
    assert [d.at for d in schedule.next_runs()] == [at("2027-01-04T18:00")]


def test_after_a_pause_a_function_runs_once_for_the_latest_time_it_missed() -> None:
    rollup = next(f for f in scheduled_functions() if f.name == "consumptionRollup")
    schedule = Schedule([rollup], NOW)
    (due,) = schedule.due(at("2026-11-30T09:00"))  # asleep through three roll-up times
    assert due.at == at("2026-11-29T16:30")
    assert [d.at for d in schedule.next_runs()] == [at("2026-11-30T16:30")]


RECEIVED: list[tuple[dict[str, Any], Any]] = []


def record(event: dict[str, Any], context: Any) -> dict[str, Any]:
    RECEIVED.append((event, context))
    return {"ok": True}


RECORDER = ScheduledFunction(
    name="recorder",
    handler="tests/test_local_scheduler.record",
    expressions=("cron(0 18 4 * ? *)",),
    timeout_seconds=900,
)


def test_a_run_gets_the_event_eventbridge_sends_and_a_lambda_context() -> None:
    RECEIVED.clear()
    assert invoke(RECORDER, at("2026-12-04T18:00"), 0, "us-east-1") == {"ok": True}
    ((event, context),) = RECEIVED
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    # The bill run reads `time` to choose its month: the scheduled minute, in UTC.
    assert event["time"] == "2026-12-04T18:00:00Z"
    assert event["resources"] == ["arn:aws:events:us-east-1:000000000000:rule/recorder-schedule-1"]
    assert context.function_name == "recorder"
    assert 0 < context.get_remaining_time_in_millis() <= 900_000


def test_the_bill_run_reads_the_month_from_the_scheduled_event() -> None:
    from partner_center.bills.scheduled import _instant
    from partner_center.bills.timing import month_to_generate

    event = scheduled_event(RECORDER, at("2026-12-04T18:00"), 0, "us-east-1")
    assert str(month_to_generate(_instant(event))) == "2026-11"


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_due_functions_run_on_their_own_threads_and_never_overlap_themselves() -> None:
    clock = FakeClock(NOW)
    release = threading.Event()
    runs: list[tuple[str, datetime]] = []

    def run(function: ScheduledFunction, when: datetime, index: int, region: str) -> None:
        runs.append((function.name, when))
        if function.name == "billGeneration":
            release.wait(10)  # a long bill run

    scheduler = Scheduler(scheduled_functions(), "us-east-1", clock=clock, run=run)
    clock.now = at("2026-12-04T18:00")
    started = scheduler.tick()
    clock.now = at("2026-12-05T01:00")  # the catch-up rule, while the first run goes on
    assert scheduler.tick() == []  # its catch-up is skipped: the first run is still going
    release.set()
    for thread in started:
        thread.join(5)
    names = [name for name, _ in runs]
    assert names.count("billGeneration") == 1
    assert ("billGeneration", at("2026-12-04T18:00")) in runs
    assert ("consumptionRollup", at("2026-12-04T16:30")) in runs
    assert ("incentiveExpiry", at("2026-12-04T17:00")) in runs


def test_a_failing_run_is_logged_and_the_next_time_still_comes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock(NOW)
    calls: list[datetime] = []

    def run(function: ScheduledFunction, when: datetime, index: int, region: str) -> None:
        calls.append(when)
        raise RuntimeError("the store is down")

    rollup = next(f for f in scheduled_functions() if f.name == "consumptionRollup")
    scheduler = Scheduler([rollup], "us-east-1", clock=clock, run=run)
    for day in (27, 28):
        clock.now = at(f"2026-11-{day}T16:30")
        for thread in scheduler.tick():
            thread.join(5)
    assert calls == [at("2026-11-27T16:30"), at("2026-11-28T16:30")]
    assert "scheduled run failed" in caplog.text
    assert scheduler.seconds_to_next() == 30.0  # the next day is far: look again in 30 s
    clock.now = at("2026-11-29T16:29:50")
    assert scheduler.seconds_to_next() == pytest.approx(10.0)


def test_the_command_line_lists_the_schedule_and_runs_one_function_as_scheduled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typer.testing import CliRunner

    from partner_center.cli import scheduled
    from partner_center.cli.main import app

    runner = CliRunner(env={"COLUMNS": "200"})  # error boxes on one line
    listed = runner.invoke(app, ["scheduled", "list"])
    assert listed.exit_code == 0, listed.output
    for name in ("consumptionRollup", "incentiveExpiry", "billGeneration"):
        assert name in listed.output

    monkeypatch.setattr(scheduled, "scheduled_functions", lambda: [RECORDER])
    RECEIVED.clear()
    ran = runner.invoke(app, ["scheduled", "run", "recorder", "--at", "2026-12-05T02:00+08:00"])
    assert ran.exit_code == 0, ran.output
    assert ran.stdout.strip() == '{"ok": true}'
    ((event, _),) = RECEIVED
    assert event["time"] == "2026-12-04T18:00:00Z"  # given in Beijing time, sent in UTC

    unknown = runner.invoke(app, ["scheduled", "run", "billGeneration"])
    assert unknown.exit_code == 2
    assert "no scheduled function 'billGeneration'; one of: recorder" in unknown.output
    naive = runner.invoke(app, ["scheduled", "run", "recorder", "--at", "2026-12-04T18:00"])
    assert naive.exit_code == 2
    assert "give the time zone" in naive.output
