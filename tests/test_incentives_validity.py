"""R18–R20: valid from the notification date; one year past the program lapse; then
expired by the daily function, for good."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from partner_center.cli.main import app
from partner_center.incentives import service
from partner_center.incentives.expiry import run_expiry
from partner_center.incentives.programs import Membership, Program, record_membership
from partner_center.incentives.statuses import Actor, Status
from partner_center.incentives.store import IncentiveStore
from partner_center.incentives.validity import add_years, last_valid_day, validity
from partner_center.local.infra import load_cfn_yaml
from tests.incentives_support import admin, fresh_partner, incentive, operations

ROOT = Path(__file__).resolve().parents[1]
SP, DIST = Program.SOLUTION_PROVIDER, Program.DISTRIBUTION
LAPSED = date(2026, 3, 15)
LAST_VALID = date(2027, 3, 15)  # the lapse date plus one year
runner = CliRunner()


def status_of(partner: str, incentive_id: str) -> Status:
    found = IncentiveStore(partner).get(incentive_id)
    assert found is not None
    return found.status


def left_program(program: Program = SP, lapsed_on: date = LAPSED) -> str:
    partner = fresh_partner()
    record_membership(partner, program, joined_on=date(2022, 1, 1), lapsed_on=lapsed_on)
    return partner


# -- the dates (pure) -------------------------------------------------------------------------


def test_r19_last_valid_day_is_the_lapse_date_plus_one_year() -> None:
    assert last_valid_day(LAPSED) == LAST_VALID
    assert last_valid_day(date(2024, 2, 29)) == date(2025, 2, 28)  # no 29 February
    assert last_valid_day(date(2026, 12, 31)) == date(2027, 12, 31)
    assert last_valid_day(None) is None
    assert add_years(date(2028, 2, 29), -1) == date(2027, 2, 28)


def test_r18_valid_from_the_notification_date() -> None:
    member = Membership(SP, date(2022, 1, 1), None)
    valid = validity(Decimal("10.00"), date(2026, 3, 10), member)
    assert not valid.is_valid_on(date(2026, 3, 9))
    assert valid.is_valid_on(date(2026, 3, 10))
    assert valid.is_valid_on(date(2099, 1, 1))  # still a member: no end
    assert not validity(Decimal("10.00"), None, member).is_valid_on(date(2026, 3, 10))


def test_r19_boundary_valid_through_the_last_day_expired_the_next() -> None:
    lapsed = Membership(SP, date(2022, 1, 1), LAPSED)
    valid = validity(Decimal("10.00"), date(2025, 12, 1), lapsed)
    assert valid.valid_until == LAST_VALID
    assert valid.is_valid_on(LAST_VALID)
    assert not valid.is_valid_on(LAST_VALID + timedelta(days=1))
    assert valid.expires_on == date(2027, 3, 16)


def test_r19_notified_after_the_partner_left_is_valid_from_then_to_the_same_end() -> None:
    lapsed = Membership(DIST, date(2024, 1, 1), date(2026, 6, 30))
    late = validity(Decimal("10.00"), date(2026, 8, 10), lapsed)
    assert (late.valid_from, late.valid_until) == (date(2026, 8, 10), date(2027, 6, 30))
    assert not late.is_valid_on(date(2026, 8, 9))
    assert late.is_valid_on(date(2027, 6, 30))
    assert not late.is_valid_on(date(2027, 7, 1))


# -- R18 against the store ---------------------------------------------------------------------


def test_r18_an_incentive_is_applied_for_from_its_notification_date(local_env: Any) -> None:
    partner = fresh_partner()
    notified = date(2026, 4, 1)
    item = incentive(partner, "100.00", notified_on=notified)
    before = service.apply(
        admin(partner), [item.incentive_id], [], today=notified - timedelta(days=1)
    )
    assert [r.code for r in before.refusals] == ["INCENTIVE_NOT_YET_VALID"]
    on_the_day = service.apply(admin(partner), [item.incentive_id], [], today=notified)
    assert on_the_day.refusals == () and on_the_day.application is not None


def test_r18_a_negative_not_yet_valid_is_not_deducted_yet(local_env: Any) -> None:
    partner = fresh_partner()
    positive = incentive(partner, "100.00")
    later = incentive(partner, "-30.00", notified_on=date(2026, 5, 1))
    early = service.preview(
        admin(partner), [positive.incentive_id], today=date(2026, 4, 30)
    ).decision
    assert early.negatives == () and early.net_amount == Decimal("100.00")
    due = service.preview(admin(partner), [positive.incentive_id], today=date(2026, 5, 1)).decision
    assert [n.incentive_id for n in due.negatives] == [later.incentive_id]


def test_r18_issuing_a_bill_starts_validity_that_day(local_env: Any) -> None:
    partner = fresh_partner()
    estimate = incentive(partner, "100.00", status=Status.ESTIMATED)
    [issued] = service.notify(operations(partner), [estimate.incentive_id], today=date(2026, 6, 2))
    assert issued.incentive is not None and issued.incentive.notified_on == date(2026, 6, 2)
    view = service.get_incentive(admin(partner), estimate.incentive_id)
    assert view is not None and view.validity.valid_from == date(2026, 6, 2)


# -- R19: one year past the lapse of the incentive's program ----------------------------------


def test_r19_applicable_on_the_last_valid_day_refused_the_day_after(local_env: Any) -> None:
    partner = left_program()
    first, second = incentive(partner, "100.00"), incentive(partner, "100.00")
    late = service.apply(
        admin(partner), [second.incentive_id], [], today=LAST_VALID + timedelta(days=1)
    )
    assert [r.code for r in late.refusals] == ["INCENTIVE_EXPIRED"]
    last_day = service.apply(admin(partner), [first.incentive_id], [], today=LAST_VALID)
    assert last_day.refusals == ()


def test_r19_an_incentive_notified_after_the_partner_left(local_env: Any) -> None:
    partner = left_program()
    estimate = incentive(partner, "100.00", status=Status.ESTIMATED)
    after_leaving = date(2026, 8, 10)
    [issued] = service.notify(operations(partner), [estimate.incentive_id], today=after_leaving)
    assert issued.refusal is None
    view = service.get_incentive(admin(partner), estimate.incentive_id)
    assert view is not None
    assert (view.validity.valid_from, view.validity.valid_until) == (after_leaving, LAST_VALID)
    run_expiry(LAST_VALID, partners={partner})
    assert status_of(partner, estimate.incentive_id) is Status.PENDING_CONFIRMATION
    run_expiry(LAST_VALID + timedelta(days=1), partners={partner})
    assert status_of(partner, estimate.incentive_id) is Status.EXPIRED


def test_r19_an_incentive_cannot_be_issued_after_its_validity_ended(local_env: Any) -> None:
    partner = left_program()
    estimate = incentive(partner, "100.00", status=Status.ESTIMATED)
    negative = incentive(partner, "-10.00", status=Status.ESTIMATED)
    results = service.notify(
        operations(partner),
        [estimate.incentive_id, negative.incentive_id],
        today=LAST_VALID + timedelta(days=1),
    )
    outcome = {r.incentive_id: r.refusal.code if r.refusal else "OK" for r in results}
    # A deduction never expires (R17), so it can still be issued.
    assert outcome == {estimate.incentive_id: "VALIDITY_ENDED", negative.incentive_id: "OK"}


def test_r19_only_the_program_the_partner_left_is_affected(local_env: Any) -> None:
    partner = left_program(SP)
    record_membership(partner, DIST, joined_on=date(2023, 1, 1))
    left, stayed = (
        incentive(partner, "100.00", program=SP),
        incentive(partner, "100.00", program=DIST),
    )
    run_expiry(date(2030, 1, 1), partners={partner})
    assert status_of(partner, left.incentive_id) is Status.EXPIRED
    assert status_of(partner, stayed.incentive_id) is Status.PENDING_CONFIRMATION


# -- R20: expiry, automatic and for good --------------------------------------------------------


def test_r20_expiry_exactly_one_year_after_the_lapse_date(local_env: Any) -> None:
    partner = left_program()
    pending = incentive(partner, "100.00")
    estimate = incentive(partner, "50.00", status=Status.ESTIMATED)
    on_last_day = run_expiry(LAST_VALID, partners={partner})
    assert on_last_day.expired == 0
    assert status_of(partner, pending.incentive_id) is Status.PENDING_CONFIRMATION
    next_day = run_expiry(LAST_VALID + timedelta(days=1), partners={partner})
    assert (next_day.memberships, next_day.expired) == (1, 2)
    for item in (pending, estimate):
        expired = IncentiveStore(partner).get(item.incentive_id)
        assert expired is not None and expired.status is Status.EXPIRED
        last = expired.history[-1]
        assert (last.to_status, last.actor, last.user_id) == (Status.EXPIRED, Actor.SYSTEM, None)


def test_r20_expiry_uses_the_beijing_date(local_env: Any, monkeypatch: Any) -> None:
    partner = left_program()
    pending = incentive(partner, "100.00")
    # 16:30 UTC on the last valid day is already 00:30 the next day in Beijing.
    instant = datetime.combine(LAST_VALID, datetime.min.time(), tzinfo=UTC) + timedelta(
        hours=16, minutes=30
    )
    monkeypatch.setattr(service, "utcnow", lambda: instant)
    assert service.today_in_beijing() == LAST_VALID + timedelta(days=1)
    run_expiry(partners={partner})
    assert status_of(partner, pending.incentive_id) is Status.EXPIRED
    monkeypatch.setattr(service, "utcnow", lambda: instant - timedelta(hours=1))
    other = incentive(partner, "100.00")
    run_expiry(partners={partner})  # 23:30 Beijing on the last valid day
    assert status_of(partner, other.incentive_id) is Status.PENDING_CONFIRMATION


def test_r20_expired_incentives_cannot_be_restored_or_applied_for(local_env: Any) -> None:
    partner = left_program()
    item = incentive(partner, "100.00", status=Status.ESTIMATED)
    run_expiry(LAST_VALID + timedelta(days=1), partners={partner})
    assert status_of(partner, item.incentive_id) is Status.EXPIRED
    # The partner rejoins: its expired incentives stay expired.
    record_membership(partner, SP, joined_on=date(2028, 1, 1))
    [reissue] = service.notify(operations(partner), [item.incentive_id], today=date(2028, 2, 1))
    assert reissue.refusal is not None and reissue.refusal.code == "INCENTIVE_EXPIRED"
    applied = service.apply(admin(partner), [item.incentive_id], [], today=date(2028, 2, 1))
    assert [r.code for r in applied.refusals] == ["INCENTIVE_EXPIRED"]
    assert status_of(partner, item.incentive_id) is Status.EXPIRED


def test_r20_applied_for_incentives_do_not_expire(local_env: Any) -> None:
    partner = left_program()
    applied_for = incentive(partner, "100.00")
    result = service.apply(admin(partner), [applied_for.incentive_id], [], today=LAST_VALID)
    assert result.application is not None
    paid = incentive(partner, "70.00", status=Status.DISBURSED)
    run_expiry(date(2030, 1, 1), partners={partner})
    assert status_of(partner, applied_for.incentive_id) is Status.DISBURSING
    assert status_of(partner, paid.incentive_id) is Status.DISBURSED
    # Operations can still approve what was applied for in time.
    assert service.approve(operations(partner), result.application.application_id).refusals == ()


def test_r20_running_the_expiry_twice_changes_nothing_more(local_env: Any) -> None:
    partner = left_program()
    incentive(partner, "100.00")
    day = LAST_VALID + timedelta(days=3)
    assert run_expiry(day, partners={partner}).expired == 1
    again = run_expiry(day, partners={partner})
    assert (again.memberships, again.expired, again.changed_meanwhile) == (1, 0, 0)


def test_r20_partners_still_in_their_program_are_untouched(local_env: Any) -> None:
    partner = fresh_partner()
    record_membership(partner, SP, joined_on=date(2022, 1, 1))
    item = incentive(partner, "100.00")
    assert run_expiry(date(2035, 1, 1), partners={partner}).memberships == 0
    assert status_of(partner, item.incentive_id) is Status.PENDING_CONFIRMATION


# -- the scheduled function and its local twin -------------------------------------------------


def test_r20_expiry_is_a_daily_scheduled_function_in_the_beijing_morning() -> None:
    config = load_cfn_yaml((ROOT / "serverless.yml").read_text(encoding="utf-8"))
    function = config["functions"]["incentiveExpiry"]
    assert function["handler"] == "functions/incentive_expiry.handler"
    [event] = function["events"]
    rate = event["schedule"]["rate"]
    _minute, hour, day, month, weekday, year = rate.removeprefix("cron(").rstrip(")").split()
    assert (day, month, weekday, year) == ("*", "*", "?", "*")  # every day
    beijing_hour = (int(hour) + 8) % 24
    assert 0 <= beijing_hour < 9, "runs in the Beijing morning, before the working day"
    granted = json.dumps(config["provider"]["iam"]["role"]["statements"])
    assert "dynamodb:Scan" in granted


def test_r20_the_lambda_handler_runs_the_expiry(local_env: Any) -> None:
    from functions.incentive_expiry import handler

    report = handler({"source": "aws.events", "detail-type": "Scheduled Event"}, None)
    assert set(report) == {"today", "memberships", "expired", "changed_meanwhile"}
    assert report["today"] == service.today_in_beijing().isoformat()


def test_r20_cli_runs_the_same_expiry(local_env: Any) -> None:
    partner = left_program()
    item = incentive(partner, "100.00")
    day = (LAST_VALID + timedelta(days=1)).isoformat()
    result = runner.invoke(app, ["incentives", "expire", "--today", day, "--partner", partner])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["expired"] == 1
    assert status_of(partner, item.incentive_id) is Status.EXPIRED


def test_r20_cli_finds_the_tables_of_a_running_dev_stack(local_env: Any) -> None:
    partner = left_program()
    item = incentive(partner, "100.00")
    result = runner.invoke(
        app,
        [
            "incentives",
            "expire",
            "--aws",
            local_env.aws.endpoint_url,
            "--today",
            "2030-01-01",
            "--partner",
            partner,
        ],
    )
    assert result.exit_code == 0, result.output
    assert status_of(partner, item.incentive_id) is Status.EXPIRED


@pytest.mark.parametrize("bad", ["tomorrow", "2026-13-01"])
def test_r20_cli_refuses_a_bad_date(bad: str) -> None:
    result = runner.invoke(app, ["incentives", "expire", "--today", bad])
    assert result.exit_code == 2
