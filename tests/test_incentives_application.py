"""R15–R17: applying for disbursement. Negatives are always in, the net never goes below
zero, unapplied negatives stay, and racing applications end with one winner."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partner_center.core.errors import BadInput
from partner_center.core.ids import new_id
from partner_center.incentives import application as rule
from partner_center.incentives import service
from partner_center.incentives.expiry import run_expiry
from partner_center.incentives.programs import Membership, Program, record_membership
from partner_center.incentives.records import Application, ApplicationStatus, Incentive
from partner_center.incentives.statuses import Actor, Status
from partner_center.incentives.store import Conflict, IncentiveStore
from partner_center.incentives.validity import validity
from tests.incentives_support import admin, fresh_partner, incentive

TODAY = date(2026, 2, 1)


def ids(*incentives: Incentive) -> list[str]:
    return [i.incentive_id for i in incentives]


def codes(result: Any) -> list[str]:
    return [r.code for r in result.refusals]


def statuses(partner: str, *incentives: Incentive) -> list[Status]:
    store = IncentiveStore(partner)
    return [store.get(i.incentive_id).status for i in incentives]  # type: ignore[union-attr]


# -- R15: negatives are always included and cannot be deselected ---------------------------


def test_r15_preview_always_includes_every_negative_incentive(local_env: Any) -> None:
    partner = fresh_partner()
    p1, _p2 = incentive(partner, "300.00"), incentive(partner, "200.00")
    n1, n2 = incentive(partner, "-40.00"), incentive(partner, "-60.50")
    incentive(partner, "-99.00", status=Status.ESTIMATED)  # not issued: not yet deducted
    preview = service.preview(admin(partner), ids(p1), today=TODAY).decision
    assert preview.accepted
    assert sorted(ids(*preview.negatives)) == sorted(ids(n1, n2))
    assert ids(*preview.positives) == ids(p1)
    assert preview.net_amount == Decimal("199.50")


def test_r15_application_that_leaves_out_a_negative_is_refused(local_env: Any) -> None:
    partner = fresh_partner()
    p1 = incentive(partner, "300.00")
    n1, n2 = incentive(partner, "-40.00"), incentive(partner, "-60.00")
    result = service.apply(admin(partner), ids(p1), ids(n1), today=TODAY)
    assert codes(result) == ["NEGATIVE_INCENTIVE_DESELECTED"]
    assert result.refusals[0].field == "negativeIncentiveIds"
    assert result.application is None
    # Refused, not completed: nothing was claimed.
    assert statuses(partner, p1, n1, n2) == [Status.PENDING_CONFIRMATION] * 3
    refused_without_any = service.apply(admin(partner), ids(p1), [], today=TODAY)
    assert codes(refused_without_any) == ["NEGATIVE_INCENTIVE_DESELECTED"]


def test_r15_accepted_application_nets_chosen_positives_with_every_negative(local_env: Any) -> None:
    partner = fresh_partner()
    p1, p2, p3 = (incentive(partner, a) for a in ("300.00", "200.00", "999.99"))
    n1, n2 = incentive(partner, "-40.00"), incentive(partner, "-60.00")
    result = service.apply(admin(partner), ids(p1, p2), ids(n2, n1), today=TODAY)
    assert result.refusals == ()
    application = result.application
    assert application is not None
    assert application.positive_total == Decimal("500.00")
    assert application.negative_total == Decimal("-100.00")
    assert application.net_amount == Decimal("400.00")
    assert sorted(application.negative_ids) == sorted(ids(n1, n2))
    assert statuses(partner, p1, p2, n1, n2) == [Status.DISBURSING] * 4
    assert statuses(partner, p3) == [Status.PENDING_CONFIRMATION]  # not chosen: stays
    stored = IncentiveStore(partner).get_application(application.application_id)
    assert stored == application


def test_r15_a_negative_listed_as_positive_is_refused(local_env: Any) -> None:
    partner = fresh_partner()
    p1, n1 = incentive(partner, "300.00"), incentive(partner, "-40.00")
    result = service.apply(admin(partner), ids(p1, n1), ids(n1), today=TODAY)
    assert "WRONG_SIGN" in codes(result) and result.application is None
    positive_as_negative = service.apply(admin(partner), [], ids(p1, n1), today=TODAY)
    assert "WRONG_SIGN" in codes(positive_as_negative)


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (Status.ESTIMATED, "INCENTIVE_NOT_ISSUED"),
        (Status.DISBURSING, "ALREADY_APPLIED"),
        (Status.DISBURSED, "ALREADY_APPLIED"),
        (Status.EXPIRED, "INCENTIVE_EXPIRED"),
    ],
)
def test_r15_only_pending_incentives_can_be_chosen(
    local_env: Any, status: Status, code: str
) -> None:
    partner = fresh_partner()
    chosen = incentive(partner, "300.00", status=status)
    result = service.apply(admin(partner), ids(chosen), [], today=TODAY)
    assert codes(result) == [code]


def test_r15_unknown_duplicate_and_foreign_ids_are_refused(local_env: Any) -> None:
    partner, other = fresh_partner(), fresh_partner()
    mine, theirs = incentive(partner, "300.00"), incentive(other, "500.00")
    assert codes(service.apply(admin(partner), ids(theirs), [], today=TODAY)) == ["NOT_FOUND"]
    assert statuses(other, theirs) == [Status.PENDING_CONFIRMATION]
    assert "DUPLICATE_INCENTIVE" in codes(
        service.apply(admin(partner), ids(mine, mine), [], today=TODAY)
    )
    with pytest.raises(BadInput):
        service.apply(admin(partner), ["x"] * 101, [], today=TODAY)


# -- R16: the negative total may not exceed the chosen positives ----------------------------


def test_r16_negatives_exceeding_positives_are_refused_with_the_shortfall(local_env: Any) -> None:
    partner = fresh_partner()
    p1 = incentive(partner, "100.00")
    n1, n2 = incentive(partner, "-80.00"), incentive(partner, "-50.25")
    result = service.apply(admin(partner), ids(p1), ids(n1, n2), today=TODAY)
    assert codes(result) == ["NEGATIVE_EXCEEDS_POSITIVE"]
    assert result.decision.shortfall == Decimal("30.25")
    assert "30.25 CNY" in result.refusals[0].message
    assert statuses(partner, p1, n1, n2) == [Status.PENDING_CONFIRMATION] * 3
    preview = service.preview(admin(partner), ids(p1), today=TODAY).decision
    assert not preview.accepted and preview.shortfall == Decimal("30.25")


def test_r16_boundary_negative_total_equal_to_positive_total_is_accepted(local_env: Any) -> None:
    partner = fresh_partner()
    p1, p2 = incentive(partner, "70.00"), incentive(partner, "30.00")
    n1 = incentive(partner, "-100.00")
    result = service.apply(admin(partner), ids(p1, p2), ids(n1), today=TODAY)
    assert result.refusals == ()
    assert result.application is not None
    assert result.application.net_amount == Decimal("0.00")


def test_r16_one_cent_over_is_refused(local_env: Any) -> None:
    partner = fresh_partner()
    p1, n1 = incentive(partner, "100.00"), incentive(partner, "-100.01")
    result = service.apply(admin(partner), ids(p1), ids(n1), today=TODAY)
    assert codes(result) == ["NEGATIVE_EXCEEDS_POSITIVE"]
    assert result.decision.shortfall == Decimal("0.01")


def test_r16_negatives_alone_cannot_be_applied_for(local_env: Any) -> None:
    partner = fresh_partner()
    n1 = incentive(partner, "-10.00")
    assert codes(service.apply(admin(partner), [], ids(n1), today=TODAY)) == [
        "NEGATIVE_EXCEEDS_POSITIVE"
    ]


def test_r16_an_empty_application_is_refused(local_env: Any) -> None:
    partner = fresh_partner()
    assert codes(service.apply(admin(partner), [], [], today=TODAY)) == ["EMPTY_APPLICATION"]


# -- R17: negative incentives that are not applied for stay and never expire ----------------


def test_r17_unapplied_negative_incentives_never_expire(local_env: Any) -> None:
    partner = fresh_partner()
    record_membership(
        partner, Program.SOLUTION_PROVIDER, joined_on=date(2020, 1, 1), lapsed_on=date(2023, 5, 31)
    )
    old_negative = incentive(partner, "-75.00", notified_on=date(2023, 1, 5))
    estimated_negative = incentive(partner, "-5.00", status=Status.ESTIMATED)
    old_positive = incentive(partner, "500.00", notified_on=date(2023, 1, 5))
    run_expiry(date(2030, 1, 1), partners={partner})
    assert statuses(partner, old_negative, estimated_negative, old_positive) == [
        Status.PENDING_CONFIRMATION,
        Status.ESTIMATED,
        Status.EXPIRED,
    ]
    # Still there, still deducted from the next application, years later.
    fresh = incentive(
        partner, "100.00", notified_on=date(2029, 12, 1), program=Program.DISTRIBUTION
    )
    preview = service.preview(admin(partner), ids(fresh), today=date(2030, 1, 1)).decision
    assert ids(*preview.negatives) == ids(old_negative)
    assert preview.net_amount == Decimal("25.00")


def test_r17_a_negative_has_no_end_of_validity() -> None:
    lapsed = Membership(Program.SOLUTION_PROVIDER, date(2020, 1, 1), date(2021, 1, 1))
    negative = validity(Decimal("-1.00"), date(2020, 6, 1), lapsed)
    assert negative.valid_until is None and negative.is_valid_on(date(2099, 1, 1))


# -- racing applications: exactly one wins --------------------------------------------------


def _plan(
    store: IncentiveStore, positive: list[str], negative: list[str]
) -> tuple[Application, list[Incentive]]:
    decision = rule.decide(
        positive_ids=positive,
        negative_ids=negative,
        found=store.get_many([*positive, *negative]),
        open_negatives=store.open_negatives(),
        validity_of=lambda i: validity(i.amount, i.notified_on, None),
        today=TODAY,
    )
    assert decision.accepted, decision.refusals
    application = Application(
        partner_id=store.partner_id,
        application_id=new_id(),
        status=ApplicationStatus.SUBMITTED,
        positive_ids=tuple(ids(*decision.positives)),
        negative_ids=tuple(ids(*decision.negatives)),
        positive_total=decision.positive_total,
        negative_total=decision.negative_total,
        net_amount=decision.net_amount,
        currency="CNY",
        applied_by="usr-a",
        applied_at="2026-02-01T00:00:00.000000Z",
    )
    return application, [*decision.positives, *decision.negatives]


def test_r15_two_applications_racing_for_the_same_negative_one_wins(local_env: Any) -> None:
    """Both applications are decided on the same state before either writes, as two
    concurrent requests would be; then both commit. The transaction's conditions let
    exactly one through and the loser writes nothing at all. (The interleaving is made
    deterministic because moto, unlike DynamoDB, does not isolate concurrent
    transactions: real concurrency would test moto, not our conditions.)"""
    partner = fresh_partner()
    p1, p2 = incentive(partner, "100.00"), incentive(partner, "200.00")
    n1 = incentive(partner, "-10.00")
    store = IncentiveStore(partner)
    first = _plan(store, ids(p1), ids(n1))
    second = _plan(store, ids(p2), ids(n1))
    store.submit(*first, actor=Actor.PARTNER, user_id="usr-a")
    with pytest.raises(Conflict):
        store.submit(*second, actor=Actor.PARTNER, user_id="usr-b")
    assert statuses(partner, p1, n1, p2) == [
        Status.DISBURSING,
        Status.DISBURSING,
        Status.PENDING_CONFIRMATION,
    ]
    assert store.get(n1.incentive_id).application_id == first[0].application_id  # type: ignore[union-attr]
    assert store.get_application(second[0].application_id) is None
    assert store.get(p2.incentive_id).history == p2.history  # type: ignore[union-attr]


def test_r15_two_applications_racing_for_the_same_positive_one_wins(local_env: Any) -> None:
    partner = fresh_partner()
    p1, p2 = incentive(partner, "100.00"), incentive(partner, "200.00")
    store = IncentiveStore(partner)
    first, second = _plan(store, ids(p1, p2), []), _plan(store, ids(p2), [])
    store.submit(*second, actor=Actor.PARTNER, user_id="usr-b")
    with pytest.raises(Conflict):
        store.submit(*first, actor=Actor.PARTNER, user_id="usr-a")
    assert statuses(partner, p1, p2) == [Status.PENDING_CONFIRMATION, Status.DISBURSING]
    # The loser asks again and is told why.
    again = service.apply(admin(partner), ids(p1, p2), [], today=TODAY)
    assert codes(again) == ["ALREADY_APPLIED"]


def test_r15_the_service_reports_a_lost_race_as_a_conflict(
    local_env: Any, monkeypatch: Any
) -> None:
    partner = fresh_partner()
    p1 = incentive(partner, "100.00")
    store = IncentiveStore(partner)
    rival = _plan(store, ids(p1), [])
    original = IncentiveStore.submit

    def rival_first(self: IncentiveStore, *args: Any, **kwargs: Any) -> None:
        original(self, *rival, actor=Actor.PARTNER, user_id="usr-rival")
        original(self, *args, **kwargs)

    monkeypatch.setattr(IncentiveStore, "submit", rival_first)
    result = service.apply(admin(partner), ids(p1), [], today=TODAY)
    assert codes(result) == ["APPLICATION_CONFLICT"] and result.application is None


# -- one transaction per application --------------------------------------------------------


def test_r15_an_application_holds_at_most_99_incentives(local_env: Any) -> None:
    partner = fresh_partner()
    store = IncentiveStore(partner)
    negatives = [incentive(partner, "-1.00") for _ in range(2)]
    positives = [incentive(partner, "10.00") for _ in range(98)]
    too_many = service.apply(admin(partner), ids(*positives), ids(*negatives), today=TODAY)
    assert codes(too_many) == ["APPLICATION_TOO_LARGE"]
    result = service.apply(admin(partner), ids(*positives[:97]), ids(*negatives), today=TODAY)
    assert result.refusals == () and result.application is not None
    assert len(result.application.incentive_ids) == rule.MAX_APPLICATION_ITEMS
    assert result.application.net_amount == Decimal("968.00")
    assert store.get(positives[97].incentive_id).status is Status.PENDING_CONFIRMATION  # type: ignore[union-attr]


# -- the rule, for any set of incentives (hypothesis) ---------------------------------------

AMOUNTS = st.integers(min_value=1, max_value=10_000_000).map(lambda c: Decimal(c).scaleb(-2))
# Deductions tend to be smaller than rebates: both outcomes of R16 then come up often.
DEDUCTIONS = st.integers(min_value=1, max_value=3_000_000).map(lambda c: -Decimal(c).scaleb(-2))
STATUSES = st.sampled_from([Status.PENDING_CONFIRMATION] * 4 + list(Status))


@st.composite
def incentives(draw: Any) -> list[Incentive]:
    items = []
    for number in range(draw(st.integers(min_value=0, max_value=25))):
        status = draw(STATUSES)
        notified = (
            None
            if status is Status.ESTIMATED
            else TODAY + timedelta(days=draw(st.integers(min_value=-800, max_value=3)))
        )
        claimed = status in (Status.DISBURSING, Status.DISBURSED) or draw(st.integers(0, 19)) == 0
        items.append(
            Incentive(
                partner_id="p",
                incentive_id=f"inc-{number:03d}",
                program=Program.SOLUTION_PROVIDER,
                period="2025-12",
                incentive_type="t",
                amount=draw(st.one_of(AMOUNTS, AMOUNTS, DEDUCTIONS)),
                currency="CNY",
                status=status,
                notified_on=notified,
                application_id="app-x" if claimed else None,
                created_at="",
            )
        )
    return items


LAPSES = st.one_of(st.none(), st.dates(min_value=date(2023, 1, 1), max_value=date(2026, 3, 1)))


def _open_negatives(items: list[Incentive]) -> list[Incentive]:
    return [
        i
        for i in items
        if i.amount < 0 and i.status is Status.PENDING_CONFIRMATION and i.application_id is None
    ]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=incentives(), lapsed_on=LAPSES, data=st.data())
def test_r16_property_accepted_net_is_chosen_positives_plus_all_negatives(
    items: list[Incentive], lapsed_on: date | None, data: Any
) -> None:
    membership = Membership(Program.SOLUTION_PROVIDER, date(2020, 1, 1), lapsed_on)

    def validity_of(i: Incentive) -> Any:
        return validity(i.amount, i.notified_on, membership)

    positives = [i for i in items if i.amount > 0]
    # Mostly among the positives that can be applied for; sometimes among all of them.
    if data.draw(st.integers(0, 3)):
        positives = [i for i in positives if rule.applicability(i, validity_of(i), TODAY) is None]
    chosen = (
        data.draw(st.lists(st.sampled_from(positives), unique=True, min_size=len(positives) // 3))
        if positives
        else []
    )
    required = [
        n for n in _open_negatives(items) if rule.applicability(n, validity_of(n), TODAY) is None
    ]
    decision = rule.decide(
        positive_ids=ids(*chosen),
        negative_ids=ids(*required),
        found={i.incentive_id: i for i in items},
        open_negatives=_open_negatives(items),
        validity_of=validity_of,
        today=TODAY,
    )
    expected_net = sum((i.amount for i in [*chosen, *required]), Decimal(0))
    if decision.accepted:
        assert decision.net_amount == expected_net
        assert decision.net_amount >= 0
        assert sorted(ids(*decision.positives)) == sorted(ids(*chosen))
        assert sorted(ids(*decision.negatives)) == sorted(ids(*required))
        return
    all_chosen_usable = all(rule.applicability(c, validity_of(c), TODAY) is None for c in chosen)
    if all_chosen_usable and (chosen or required) and len(chosen) + len(required) <= 99:
        # Only R16 can have refused it, and it says by how much.
        assert [r.code for r in decision.refusals] == ["NEGATIVE_EXCEEDS_POSITIVE"]
        assert expected_net < 0 and decision.shortfall == -expected_net


@settings(max_examples=200, deadline=None)
@given(items=incentives(), data=st.data())
def test_r15_property_leaving_out_any_negative_is_refused(
    items: list[Incentive], data: Any
) -> None:
    def validity_of(i: Incentive) -> Any:
        return validity(i.amount, i.notified_on, None)

    required = [
        n for n in _open_negatives(items) if rule.applicability(n, validity_of(n), TODAY) is None
    ]
    if not required:
        return
    dropped = data.draw(st.sampled_from(required))
    positives = [i for i in items if i.amount > 0]
    decision = rule.decide(
        positive_ids=ids(*positives),
        negative_ids=[i for i in ids(*required) if i != dropped.incentive_id],
        found={i.incentive_id: i for i in items},
        open_negatives=_open_negatives(items),
        validity_of=validity_of,
        today=TODAY,
    )
    assert not decision.accepted
    assert "NEGATIVE_INCENTIVE_DESELECTED" in [r.code for r in decision.refusals]
    assert dropped in decision.negatives  # the preview side still lists it
