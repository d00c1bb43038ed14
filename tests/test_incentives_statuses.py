"""R14: the reconciliation statuses are a state machine; anything off its table is refused."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest

from partner_center.core.errors import Forbidden
from partner_center.incentives import service
from partner_center.incentives.statuses import (
    TERMINAL,
    TRANSITIONS,
    Actor,
    Status,
    TransitionRefused,
    check_transition,
    path_to,
)
from partner_center.incentives.store import IncentiveStore
from tests.incentives_support import admin, fresh_partner, incentive, operations

E, P, D, DD, X = (
    Status.ESTIMATED,
    Status.PENDING_CONFIRMATION,
    Status.DISBURSING,
    Status.DISBURSED,
    Status.EXPIRED,
)

# Written out here, not read from the code: the domain's order and who acts at each step.
EXPECTED = {
    (E, P): {Actor.OPERATIONS},  # the provider issues the bill
    (P, D): {Actor.PARTNER},  # the partner confirms, by applying
    (D, DD): {Actor.OPERATIONS},  # operations approve
    (E, X): {Actor.SYSTEM},  # validity ended (R20)
    (P, X): {Actor.SYSTEM},
}

EVERY_TRIPLE = list(itertools.product(Status, Status, Actor))


def test_r14_transition_table_is_exactly_the_domain_order() -> None:
    assert {pair: set(actors) for pair, actors in TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize(
    ("current", "target", "actor"),
    EVERY_TRIPLE,
    ids=[f"{c.value}->{t.value}-by-{a.value}" for c, t, a in EVERY_TRIPLE],
)
def test_r14_every_pair_and_actor(current: Status, target: Status, actor: Actor) -> None:
    allowed = actor in EXPECTED.get((current, target), set())
    if allowed:
        check_transition(current, target, actor)
        return
    with pytest.raises(TransitionRefused) as refused:
        check_transition(current, target, actor)
    error = refused.value
    assert (error.current, error.target, error.actor) == (current, target, actor)
    if current is Status.EXPIRED:
        assert error.code == "INCENTIVE_EXPIRED"
    elif (current, target) in EXPECTED:
        assert error.code == "ACTOR_NOT_PERMITTED"
    else:
        assert error.code == "TRANSITION_NOT_ALLOWED"
    assert error.message


def test_r14_terminal_statuses_have_no_way_out() -> None:
    assert {DD, X} == TERMINAL
    for status in TERMINAL:
        assert not [pair for pair in TRANSITIONS if pair[0] is status]


def test_r14_disbursed_is_reached_only_in_order() -> None:
    assert [(c, t) for c, t, _ in path_to(DD)] == [(E, P), (P, D), (D, DD)]
    # Nothing skips a step or goes back.
    order = [E, P, D, DD]
    for current, target in TRANSITIONS:
        if target is not X:
            assert order.index(target) == order.index(current) + 1


# -- the store asks the machine before every write -------------------------------------


def test_r14_store_refuses_a_transition_off_the_table(local_env: Any) -> None:
    partner = fresh_partner()
    pending = incentive(partner, "100.00")
    store = IncentiveStore(partner)
    with pytest.raises(TransitionRefused) as refused:
        store.notify(
            pending.incentive_id, actor=Actor.OPERATIONS, user_id="u", today=date(2026, 2, 1)
        )
    assert refused.value.code == "TRANSITION_NOT_ALLOWED"
    assert store.get(pending.incentive_id) == pending  # untouched


def test_r14_store_refuses_the_wrong_actor(local_env: Any) -> None:
    partner = fresh_partner()
    estimate = incentive(partner, "100.00", status=Status.ESTIMATED)
    with pytest.raises(TransitionRefused) as refused:
        IncentiveStore(partner).notify(
            estimate.incentive_id, actor=Actor.PARTNER, user_id="u", today=date(2026, 2, 1)
        )
    assert refused.value.code == "ACTOR_NOT_PERMITTED"


def test_r14_expired_is_terminal_in_the_store(local_env: Any) -> None:
    partner = fresh_partner()
    expired = incentive(partner, "100.00", status=Status.EXPIRED)
    store = IncentiveStore(partner)
    with pytest.raises(TransitionRefused) as refused:
        store.notify(
            expired.incentive_id, actor=Actor.OPERATIONS, user_id="u", today=date(2026, 2, 1)
        )
    assert refused.value.code == "INCENTIVE_EXPIRED"
    with pytest.raises(TransitionRefused):
        store.expire(expired)


def test_r14_a_stale_write_loses_to_the_status_condition(local_env: Any) -> None:
    partner = fresh_partner()
    pending = incentive(partner, "100.00")
    store = IncentiveStore(partner)
    assert (
        service.apply(
            admin(partner), [pending.incentive_id], [], today=date(2026, 2, 1)
        ).application
        is not None
    )
    # The expiry read the incentive before the application claimed it: its write fails.
    assert store.expire(pending) is False
    assert store.get(pending.incentive_id).status is Status.DISBURSING  # type: ignore[union-attr]


def test_r14_full_lifecycle_keeps_its_history(local_env: Any) -> None:
    partner = fresh_partner()
    estimate = incentive(partner, "250.00", status=Status.ESTIMATED)
    ops, partner_admin = operations(partner), admin(partner)
    [issued] = service.notify(ops, [estimate.incentive_id], today=date(2026, 3, 2))
    assert issued.refusal is None and issued.incentive is not None
    assert issued.incentive.status is P and issued.incentive.notified_on == date(2026, 3, 2)
    applied = service.apply(partner_admin, [estimate.incentive_id], [], today=date(2026, 3, 3))
    assert applied.application is not None
    approved = service.approve(ops, applied.application.application_id)
    assert approved.refusals == ()
    final = IncentiveStore(partner).get(estimate.incentive_id)
    assert final is not None and final.status is DD
    steps = [(t.from_status, t.to_status, t.actor, t.user_id) for t in final.history]
    assert steps == [
        (E, P, Actor.OPERATIONS, ops.user_id),
        (P, D, Actor.PARTNER, partner_admin.user_id),
        (D, DD, Actor.OPERATIONS, ops.user_id),
    ]
    assert [t.application_id for t in final.history][1:] == [applied.application.application_id] * 2
    assert [t.at for t in final.history] == sorted(t.at for t in final.history)


def test_r14_partner_cannot_approve_and_operations_cannot_apply(local_env: Any) -> None:
    partner = fresh_partner()
    pending = incentive(partner, "100.00")
    with pytest.raises(Forbidden):
        service.apply(operations(partner), [pending.incentive_id], [], today=date(2026, 2, 1))
    applied = service.apply(admin(partner), [pending.incentive_id], [], today=date(2026, 2, 1))
    assert applied.application is not None
    with pytest.raises(Forbidden):
        service.approve(admin(partner), applied.application.application_id)
    with pytest.raises(Forbidden):
        service.notify(admin(partner), [pending.incentive_id])


def test_r14_approving_twice_is_refused(local_env: Any) -> None:
    partner = fresh_partner()
    pending = incentive(partner, "100.00")
    applied = service.apply(admin(partner), [pending.incentive_id], [], today=date(2026, 2, 1))
    assert applied.application is not None
    app_id = applied.application.application_id
    assert service.approve(operations(partner), app_id).refusals == ()
    again = service.approve(operations(partner), app_id)
    assert [r.code for r in again.refusals] == ["ALREADY_APPROVED"]
    assert [r.code for r in service.approve(operations(partner), "nope").refusals] == ["NOT_FOUND"]


def test_r14_notify_reports_each_incentive_on_its_own(local_env: Any) -> None:
    partner = fresh_partner()
    estimate = incentive(partner, "100.00", status=Status.ESTIMATED)
    pending = incentive(partner, "50.00")
    results = service.notify(
        operations(partner),
        [estimate.incentive_id, pending.incentive_id, "missing"],
        today=date(2026, 2, 1),
    )
    outcome = {r.incentive_id: r.refusal.code if r.refusal else "OK" for r in results}
    assert outcome == {
        estimate.incentive_id: "OK",
        pending.incentive_id: "TRANSITION_NOT_ALLOWED",
        "missing": "NOT_FOUND",
    }
