"""Incentives and applications in DynamoDB, scoped to one partner by construction.

Every status change asks the state machine (`statuses.check_transition`) and is then a
conditional write on the status it checked, with the transition appended to the item's
history in the same write. An application claims all its incentives and records itself in
one transaction: of two applications racing for an incentive, exactly one commits.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import reduce

from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from partner_center.core.clock import to_iso, utcnow
from partner_center.incentives.application import MAX_APPLICATION_ITEMS
from partner_center.incentives.models import (
    APPLICATION_PREFIX,
    INCENTIVE_PREFIX,
    ApplicationItem,
    IncentiveItem,
)
from partner_center.incentives.programs import Program
from partner_center.incentives.records import (
    Application,
    ApplicationStatus,
    Incentive,
    Sign,
    Transition,
)
from partner_center.incentives.statuses import Actor, Status, check_transition
from partner_center.storage.transactions import transaction_connection


class Conflict(Exception):
    """The item changed between the read and the conditional write: someone else won."""


@dataclass(frozen=True)
class IncentiveQuery:
    """What DynamoDB can filter on. An empty set matches nothing; None matches all."""

    statuses: frozenset[Status] | None = None
    sign: Sign | None = None
    period: str | None = None
    programs: frozenset[Program] | None = None

    def matches_nothing(self) -> bool:
        return self.statuses == frozenset() or self.programs == frozenset()

    def condition(self) -> Condition | None:
        parts: list[Condition] = []
        if self.statuses is not None:
            parts.append(IncentiveItem.status.is_in(*sorted(s.value for s in self.statuses)))
        if self.sign is Sign.POSITIVE:
            parts.append(IncentiveItem.amount > Decimal(0))
        elif self.sign is Sign.NEGATIVE:
            parts.append(IncentiveItem.amount < Decimal(0))
        if self.period is not None:
            parts.append(IncentiveItem.period == self.period)
        if self.programs is not None:
            parts.append(IncentiveItem.program.is_in(*sorted(p.value for p in self.programs)))
        return reduce(lambda a, b: a & b, parts) if parts else None


def _conditional_failure(exc: UpdateError | PutError | TransactWriteError) -> bool:
    if isinstance(exc, TransactWriteError):
        return any(
            r is not None and r.code == "ConditionalCheckFailed"
            for r in exc.cancellation_reasons or []
        )
    return exc.cause_response_code == "ConditionalCheckFailedException"


def _append_history(
    current: Status,
    target: Status,
    actor: Actor,
    user_id: str | None,
    application_id: str | None = None,
) -> Action:
    """The update action recording a transition, in the write that makes it."""
    entry = Transition(
        from_status=current,
        to_status=target,
        actor=actor,
        user_id=user_id,
        at=to_iso(utcnow()),
        application_id=application_id,
    ).to_entry()
    return IncentiveItem.history.set(IncentiveItem.history.append([entry]))


class IncentiveStore:
    def __init__(self, partner_id: str) -> None:
        if not partner_id:
            raise ValueError("a partner ID is required")
        self.partner_id = partner_id

    def _key(self, incentive_id: str) -> IncentiveItem:
        return IncentiveItem(self.partner_id, INCENTIVE_PREFIX + incentive_id)

    @staticmethod
    def _connection() -> Connection:
        return transaction_connection(IncentiveItem)

    # -- writing new items (the provider's billing, the demo, tests) --------------------

    def add(self, incentive: Incentive) -> Incentive:
        if incentive.partner_id != self.partner_id:
            raise ValueError("the incentive belongs to another partner")
        self.item_of(incentive).save(condition=IncentiveItem.item_key.does_not_exist())
        return incentive

    @staticmethod
    def item_of(incentive: Incentive) -> IncentiveItem:
        return IncentiveItem(
            incentive.partner_id,
            INCENTIVE_PREFIX + incentive.incentive_id,
            incentive_id=incentive.incentive_id,
            program=incentive.program.value,
            period=incentive.period,
            incentive_type=incentive.incentive_type,
            amount=incentive.amount,
            currency=incentive.currency,
            status=incentive.status.value,
            notified_on=incentive.notified_on.isoformat() if incentive.notified_on else None,
            application_id=incentive.application_id,
            created_at=incentive.created_at,
            updated_at=incentive.history[-1].at if incentive.history else incentive.created_at,
            history=[t.to_entry() for t in incentive.history],
        )

    # -- reads --------------------------------------------------------------------------

    def get(self, incentive_id: str) -> Incentive | None:
        try:
            item = IncentiveItem.get(
                self.partner_id, INCENTIVE_PREFIX + incentive_id, consistent_read=True
            )
        except IncentiveItem.DoesNotExist:
            return None
        return Incentive.from_item(item)

    def get_many(self, incentive_ids: Iterable[str]) -> dict[str, Incentive]:
        keys = [(self.partner_id, INCENTIVE_PREFIX + i) for i in dict.fromkeys(incentive_ids)]
        if not keys:
            return {}
        return {
            item.incentive_id: Incentive.from_item(item)
            for item in IncentiveItem.batch_get(keys, consistent_read=True)
        }

    def query(
        self, query: IncentiveQuery, *, after_id: str | None = None, page_size: int = 100
    ) -> Iterator[Incentive]:
        """Newest first, from after `after_id`, filtered in DynamoDB."""
        if query.matches_nothing():
            return iter(())
        start = None
        if after_id:
            start = {
                "partner_id": {"S": self.partner_id},
                "item_key": {"S": INCENTIVE_PREFIX + after_id},
            }
        items = IncentiveItem.query(
            self.partner_id,
            IncentiveItem.item_key.startswith(INCENTIVE_PREFIX),
            filter_condition=query.condition(),
            scan_index_forward=False,
            last_evaluated_key=start,
            page_size=page_size,
            consistent_read=True,
        )
        return (Incentive.from_item(item) for item in items)

    def page(
        self, query: IncentiveQuery, *, after_id: str | None, limit: int
    ) -> tuple[list[Incentive], bool]:
        found = list(
            itertools.islice(
                self.query(query, after_id=after_id, page_size=max(limit + 1, 25)), limit + 1
            )
        )
        return found[:limit], len(found) > limit

    def open_negatives(self) -> list[Incentive]:
        """Negative incentives pending confirmation and not applied for (R15, R17)."""
        query = IncentiveQuery(
            statuses=frozenset({Status.PENDING_CONFIRMATION}), sign=Sign.NEGATIVE
        )
        return [i for i in self.query(query) if i.application_id is None]

    # -- transitions ----------------------------------------------------------------------

    def notify(
        self, incentive_id: str, *, actor: Actor, user_id: str | None, today: date
    ) -> Incentive:
        """Estimated → pending confirmation: the bill is issued, validity starts (R18)."""
        current = self.get(incentive_id)
        if current is None:
            raise LookupError(incentive_id)
        check_transition(current.status, Status.PENDING_CONFIRMATION, actor)
        item = self._key(incentive_id)
        try:
            item.update(
                actions=[
                    IncentiveItem.status.set(Status.PENDING_CONFIRMATION.value),
                    IncentiveItem.notified_on.set(today.isoformat()),
                    _append_history(current.status, Status.PENDING_CONFIRMATION, actor, user_id),
                    IncentiveItem.updated_at.set(to_iso(utcnow())),
                ],
                condition=IncentiveItem.status == current.status.value,
            )
        except UpdateError as exc:
            if not _conditional_failure(exc):
                raise
            raise Conflict(incentive_id) from exc
        return Incentive.from_item(item)

    def expire(self, incentive: Incentive) -> bool:
        """Validity ended (R20): False when it changed meanwhile (applied for, say)."""
        check_transition(incentive.status, Status.EXPIRED, Actor.SYSTEM)
        try:
            self._key(incentive.incentive_id).update(
                actions=[
                    IncentiveItem.status.set(Status.EXPIRED.value),
                    _append_history(incentive.status, Status.EXPIRED, Actor.SYSTEM, None),
                    IncentiveItem.updated_at.set(to_iso(utcnow())),
                ],
                condition=(IncentiveItem.status == incentive.status.value)
                & IncentiveItem.application_id.does_not_exist(),
            )
        except UpdateError as exc:
            if not _conditional_failure(exc):
                raise
            return False
        return True

    # -- applications -----------------------------------------------------------------------

    def submit(
        self, application: Application, incentives: list[Incentive], *, actor: Actor, user_id: str
    ) -> None:
        """Claim every incentive for the application and record it, all or nothing.

        Each incentive must still be pending confirmation, unclaimed and of the amount
        that was netted; otherwise nothing is written and `Conflict` is raised.
        """
        if len(incentives) > MAX_APPLICATION_ITEMS:
            raise ValueError("too many incentives for one transaction")
        for incentive in incentives:
            check_transition(incentive.status, Status.DISBURSING, actor)
        if application.partner_id != self.partner_id:
            raise ValueError("the application belongs to another partner")
        record = self.application_item_of(application)
        now = to_iso(utcnow())
        try:
            with TransactWrite(connection=self._connection()) as transaction:
                transaction.save(record, condition=ApplicationItem.item_key.does_not_exist())
                for incentive in incentives:
                    transaction.update(
                        self._key(incentive.incentive_id),
                        actions=[
                            IncentiveItem.status.set(Status.DISBURSING.value),
                            IncentiveItem.application_id.set(application.application_id),
                            _append_history(
                                incentive.status,
                                Status.DISBURSING,
                                actor,
                                user_id,
                                application.application_id,
                            ),
                            IncentiveItem.updated_at.set(now),
                        ],
                        condition=(IncentiveItem.status == Status.PENDING_CONFIRMATION.value)
                        & IncentiveItem.application_id.does_not_exist()
                        & (IncentiveItem.amount == incentive.amount),
                    )
        except TransactWriteError as exc:
            if not _conditional_failure(exc):
                raise
            raise Conflict(application.application_id) from exc

    @staticmethod
    def application_item_of(application: Application) -> ApplicationItem:
        return ApplicationItem(
            application.partner_id,
            APPLICATION_PREFIX + application.application_id,
            application_id=application.application_id,
            status=application.status.value,
            positive_ids=list(application.positive_ids),
            negative_ids=list(application.negative_ids),
            positive_total=application.positive_total,
            negative_total=application.negative_total,
            net_amount=application.net_amount,
            currency=application.currency,
            applied_by=application.applied_by,
            applied_at=application.applied_at,
            approved_by=application.approved_by,
            approved_at=application.approved_at,
        )

    def approve(self, application: Application, *, actor: Actor, user_id: str) -> Application:
        """Operations' review: submitted → approved, its incentives disbursing → disbursed."""
        incentives = self.get_many(application.incentive_ids)
        for incentive_id in application.incentive_ids:
            incentive = incentives.get(incentive_id)
            if incentive is None:
                raise Conflict(incentive_id)
            check_transition(incentive.status, Status.DISBURSED, actor)
        now = to_iso(utcnow())
        try:
            with TransactWrite(connection=self._connection()) as transaction:
                transaction.update(
                    ApplicationItem(
                        self.partner_id, APPLICATION_PREFIX + application.application_id
                    ),
                    actions=[
                        ApplicationItem.status.set(ApplicationStatus.APPROVED.value),
                        ApplicationItem.approved_by.set(user_id),
                        ApplicationItem.approved_at.set(now),
                    ],
                    condition=ApplicationItem.status == ApplicationStatus.SUBMITTED.value,
                )
                for incentive in incentives.values():
                    transaction.update(
                        self._key(incentive.incentive_id),
                        actions=[
                            IncentiveItem.status.set(Status.DISBURSED.value),
                            _append_history(
                                incentive.status,
                                Status.DISBURSED,
                                actor,
                                user_id,
                                application.application_id,
                            ),
                            IncentiveItem.updated_at.set(now),
                        ],
                        condition=(IncentiveItem.status == Status.DISBURSING.value)
                        & (IncentiveItem.application_id == application.application_id),
                    )
        except TransactWriteError as exc:
            if not _conditional_failure(exc):
                raise
            raise Conflict(application.application_id) from exc
        approved = self.get_application(application.application_id)
        assert approved is not None
        return approved

    def get_application(self, application_id: str) -> Application | None:
        try:
            item = ApplicationItem.get(
                self.partner_id, APPLICATION_PREFIX + application_id, consistent_read=True
            )
        except ApplicationItem.DoesNotExist:
            return None
        return Application.from_item(item)

    def page_applications(
        self, *, status: ApplicationStatus | None, after_id: str | None, limit: int
    ) -> tuple[list[Application], bool]:
        start = None
        if after_id:
            start = {
                "partner_id": {"S": self.partner_id},
                "item_key": {"S": APPLICATION_PREFIX + after_id},
            }
        items = ApplicationItem.query(
            self.partner_id,
            ApplicationItem.item_key.startswith(APPLICATION_PREFIX),
            filter_condition=(ApplicationItem.status == status.value) if status else None,
            scan_index_forward=False,
            last_evaluated_key=start,
            page_size=max(limit + 1, 25),
            consistent_read=True,
        )
        found = [Application.from_item(i) for i in itertools.islice(items, limit + 1)]
        return found[:limit], len(found) > limit
