"""The reconciliation status of an incentive, as one table of allowed transitions (R14).

estimated → pending confirmation → disbursing → disbursed, in that order only, plus the
automatic expiry of what was never applied for (R20). Each allowed transition names who
may trigger it; every other (from, to, who) is refused with a `TransitionRefused`. Every
write that changes a status asks `check_transition` first and then makes the write
conditional on the status it checked, so this table is the whole state machine.
"""

from __future__ import annotations

import enum

from partner_center.core.errors import Refused
from partner_center.incentives.codes import IncentiveCode


class Status(enum.StrEnum):
    ESTIMATED = "estimated"  # 预估: an estimate within the current period
    PENDING_CONFIRMATION = "pending_confirmation"  # 待确认: bill issued, awaits the partner
    DISBURSING = "disbursing"  # 发放中: confirmed by the partner, awaits operations' review
    DISBURSED = "disbursed"  # 已发放: confirmed by both, paid out
    EXPIRED = "expired"  # 已失效: validity ended before it was applied for (R20); terminal


class Actor(enum.StrEnum):
    PARTNER = "partner"  # the partner's own users (administrator, operators with the menu)
    OPERATIONS = "operations"  # the cloud provider's operations reviewers
    SYSTEM = "system"  # the scheduled expiry


# (from, to) -> who may trigger it. Nothing else exists: no way back, no skipping a step,
# and nothing out of EXPIRED ("an expired incentive cannot be restored").
TRANSITIONS: dict[tuple[Status, Status], frozenset[Actor]] = {
    # The provider formally issues the bill and notifies its disbursement (R18: the
    # notification date is where validity starts).
    (Status.ESTIMATED, Status.PENDING_CONFIRMATION): frozenset({Actor.OPERATIONS}),
    # The partner confirms, by applying for disbursement (R15–R17 decide what together).
    (Status.PENDING_CONFIRMATION, Status.DISBURSING): frozenset({Actor.PARTNER}),
    # Operations' review approves the application: paid out.
    (Status.DISBURSING, Status.DISBURSED): frozenset({Actor.OPERATIONS}),
    # Validity ended (R19, R20); applied-for incentives are past the point of expiring.
    (Status.ESTIMATED, Status.EXPIRED): frozenset({Actor.SYSTEM}),
    (Status.PENDING_CONFIRMATION, Status.EXPIRED): frozenset({Actor.SYSTEM}),
}

TERMINAL = frozenset({Status.DISBURSED, Status.EXPIRED})
# Statuses the scheduled expiry may end (only positive incentives: R17).
EXPIRABLE = frozenset(current for current, target in TRANSITIONS if target is Status.EXPIRED)


def _why(code: IncentiveCode, current: Status, target: Status, actor: Actor) -> str:
    if code == IncentiveCode.INCENTIVE_EXPIRED:
        return "the incentive has expired; an expired incentive cannot be restored"
    if code == IncentiveCode.ACTOR_NOT_PERMITTED:
        who = " or ".join(sorted(a.value for a in TRANSITIONS[(current, target)]))
        return f"{current.value} → {target.value} is triggered by {who}, not by {actor.value}"
    return f"an incentive cannot go from {current.value} to {target.value}"


class TransitionRefused(Refused):
    """A transition outside the table, or by someone the table does not name."""

    def __init__(self, code: IncentiveCode, current: Status, target: Status, actor: Actor) -> None:
        self.current, self.target, self.actor = current, target, actor
        super().__init__(code, _why(code, current, target, actor))


def check_transition(current: Status, target: Status, actor: Actor) -> None:
    """Raise `TransitionRefused` unless `actor` may move an incentive from current to target."""
    allowed = TRANSITIONS.get((current, target))
    if allowed is None:
        code = (
            IncentiveCode.INCENTIVE_EXPIRED
            if current is Status.EXPIRED
            else IncentiveCode.TRANSITION_NOT_ALLOWED
        )
        raise TransitionRefused(code, current, target, actor)
    if actor not in allowed:
        raise TransitionRefused(IncentiveCode.ACTOR_NOT_PERMITTED, current, target, actor)


def is_allowed(current: Status, target: Status, actor: Actor) -> bool:
    return actor in TRANSITIONS.get((current, target), frozenset())


def path_to(
    target: Status, *, start: Status = Status.ESTIMATED
) -> list[tuple[Status, Status, Actor]]:
    """The shortest run of allowed transitions from `start` to `target`, with who
    triggers each: how seeded data gets a history the machine could have produced."""
    paths: dict[Status, list[tuple[Status, Status, Actor]]] = {start: []}
    frontier = [start]
    while frontier:
        current = frontier.pop(0)
        for (source, following), actors in TRANSITIONS.items():
            if source is current and following not in paths:
                paths[following] = [*paths[current], (current, following, min(actors))]
                frontier.append(following)
    if target not in paths:
        raise ValueError(f"{target.value} cannot be reached from {start.value}")
    return paths[target]
