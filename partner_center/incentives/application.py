"""The application rule (R15–R17), as one pure function of what the store read.

- R15: every negative incentive that can be applied for is part of every application and
  cannot be deselected. A request must list them all: one that leaves one out is refused
  (NEGATIVE_INCENTIVE_DESELECTED), never silently completed, so the partner always sees
  the deductions it confirms. Positive incentives are chosen.
- R16: the application nets them; when the negatives exceed the chosen positives the
  application is refused (NEGATIVE_EXCEEDS_POSITIVE) with the shortfall. Equal is fine:
  the net amount is then zero.
- R17: nothing here expires a negative incentive; not applied for, it simply stays.
- At most `MAX_APPLICATION_ITEMS` incentives, so that claiming them and recording the
  application is one DynamoDB transaction (100 writes at most), which is what makes two
  racing applications for the same incentive end with exactly one winner.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from partner_center.core.money import CURRENCY, format_amount
from partner_center.incentives.codes import IncentiveCode
from partner_center.incentives.records import Incentive
from partner_center.incentives.statuses import Status
from partner_center.incentives.validity import Validity

# A DynamoDB transaction holds at most 100 writes: the incentives plus the application.
MAX_APPLICATION_ITEMS = 99

POSITIVE_FIELD = "positiveIncentiveIds"
NEGATIVE_FIELD = "negativeIncentiveIds"


@dataclass(frozen=True)
class Refusal:
    code: str
    field: str | None
    message: str
    incentive_id: str | None = None


@dataclass(frozen=True)
class Decision:
    positives: tuple[Incentive, ...]  # the chosen positive incentives that can be applied for
    negatives: tuple[Incentive, ...]  # every negative incentive that can be applied for (R15)
    refusals: tuple[Refusal, ...]

    @property
    def positive_total(self) -> Decimal:
        return sum((i.amount for i in self.positives), Decimal(0))

    @property
    def negative_total(self) -> Decimal:
        return sum((i.amount for i in self.negatives), Decimal(0))

    @property
    def net_amount(self) -> Decimal:
        return self.positive_total + self.negative_total

    @property
    def shortfall(self) -> Decimal | None:
        """R16: by how much the negatives exceed the chosen positives, if they do."""
        return -self.net_amount if self.net_amount < 0 else None

    @property
    def accepted(self) -> bool:
        return not self.refusals


def applicability(incentive: Incentive, validity: Validity, today: date) -> Refusal | None:
    """Why this incentive cannot be applied for today, or None when it can."""
    status = incentive.status
    if status is Status.EXPIRED:
        return Refusal(
            IncentiveCode.INCENTIVE_EXPIRED,
            None,
            "the incentive has expired and cannot be applied for",
            incentive.incentive_id,
        )
    if status is Status.ESTIMATED:
        return Refusal(
            IncentiveCode.INCENTIVE_NOT_ISSUED,
            None,
            "the incentive is an estimate: it can be applied for once its bill is issued",
            incentive.incentive_id,
        )
    if status is not Status.PENDING_CONFIRMATION or incentive.application_id is not None:
        return Refusal(
            IncentiveCode.ALREADY_APPLIED,
            None,
            "the incentive has already been applied for",
            incentive.incentive_id,
        )
    if validity.valid_from is None or today < validity.valid_from:  # R18
        return Refusal(
            IncentiveCode.INCENTIVE_NOT_YET_VALID,
            None,
            "the incentive is valid from the day its disbursement is notified",
            incentive.incentive_id,
        )
    if validity.has_ended(today):  # R19, R20: expiring, whether or not the job ran yet
        return Refusal(
            IncentiveCode.INCENTIVE_EXPIRED,
            None,
            "the incentive's validity ended one year after the partner left its program",
            incentive.incentive_id,
        )
    return None


def _with_field(refusal: Refusal, field: str) -> Refusal:
    return Refusal(refusal.code, field, refusal.message, refusal.incentive_id)


def decide(
    *,
    positive_ids: Sequence[str],
    negative_ids: Sequence[str] | None,
    found: Mapping[str, Incentive],
    open_negatives: Iterable[Incentive],
    validity_of: Callable[[Incentive], Validity],
    today: date,
) -> Decision:
    """Decide an application (or, with `negative_ids=None`, preview one).

    `found` holds the requested incentives that exist (this partner's only);
    `open_negatives` every negative incentive pending confirmation and not applied for.
    """
    refusals: list[Refusal] = []
    for ids, field in ((positive_ids, POSITIVE_FIELD), (negative_ids or [], NEGATIVE_FIELD)):
        for duplicate in sorted(i for i, n in Counter(ids).items() if n > 1):
            refusals.append(
                Refusal(
                    IncentiveCode.DUPLICATE_INCENTIVE,
                    field,
                    "an incentive is listed more than once",
                    duplicate,
                )
            )

    def usable(incentive: Incentive) -> Refusal | None:
        return applicability(incentive, validity_of(incentive), today)

    positives: list[Incentive] = []
    for incentive_id in dict.fromkeys(positive_ids):
        incentive = found.get(incentive_id)
        if incentive is None:
            refusals.append(
                Refusal(
                    IncentiveCode.NOT_FOUND,
                    POSITIVE_FIELD,
                    "no incentive with this ID",
                    incentive_id,
                )
            )
        elif incentive.amount < 0:
            refusals.append(
                Refusal(
                    IncentiveCode.WRONG_SIGN,
                    POSITIVE_FIELD,
                    "a negative incentive is not chosen: it is "
                    "always included, list it in negativeIncentiveIds",
                    incentive_id,
                )
            )
        elif (refusal := usable(incentive)) is not None:
            refusals.append(_with_field(refusal, POSITIVE_FIELD))
        else:
            positives.append(incentive)

    # R15: every negative incentive that can be applied for is in, whatever was asked.
    required = {n.incentive_id: n for n in open_negatives if n.amount < 0 and usable(n) is None}
    if negative_ids is not None:
        for incentive_id in dict.fromkeys(negative_ids):
            incentive = found.get(incentive_id)
            if incentive is None:
                refusals.append(
                    Refusal(
                        IncentiveCode.NOT_FOUND,
                        NEGATIVE_FIELD,
                        "no incentive with this ID",
                        incentive_id,
                    )
                )
            elif incentive.amount > 0:
                refusals.append(
                    Refusal(
                        IncentiveCode.WRONG_SIGN,
                        NEGATIVE_FIELD,
                        "a positive incentive is chosen in positiveIncentiveIds",
                        incentive_id,
                    )
                )
            elif (refusal := usable(incentive)) is not None:
                refusals.append(_with_field(refusal, NEGATIVE_FIELD))
            else:
                required.setdefault(incentive_id, incentive)
        missing = sorted(set(required) - set(negative_ids))
        if missing:
            refusals.append(
                Refusal(
                    IncentiveCode.NEGATIVE_INCENTIVE_DESELECTED,
                    NEGATIVE_FIELD,
                    f"{len(missing)} negative incentive(s) pending confirmation are missing: "
                    "negative incentives are always included and cannot be deselected; "
                    "preview the application to list them",
                )
            )
    negatives = sorted(required.values(), key=lambda n: n.incentive_id)
    decision = Decision(positives=tuple(positives), negatives=tuple(negatives), refusals=())

    if not positives and not negatives and not refusals:
        refusals.append(
            Refusal(
                IncentiveCode.EMPTY_APPLICATION,
                POSITIVE_FIELD,
                "choose at least one positive incentive to apply for",
            )
        )
    size = len(positives) + len(negatives)
    if size > MAX_APPLICATION_ITEMS:
        refusals.append(
            Refusal(
                IncentiveCode.APPLICATION_TOO_LARGE,
                POSITIVE_FIELD,
                f"an application holds at most {MAX_APPLICATION_ITEMS} incentives ({size} "
                "including every negative one); apply for fewer positive incentives at once",
            )
        )
    if (shortfall := decision.shortfall) is not None:
        refusals.append(
            Refusal(
                IncentiveCode.NEGATIVE_EXCEEDS_POSITIVE,
                POSITIVE_FIELD,
                f"the negative incentives ({format_amount(decision.negative_total)} {CURRENCY}) "
                f"exceed the chosen positive incentives "
                f"({format_amount(decision.positive_total)} {CURRENCY}) by "
                f"{format_amount(shortfall)} {CURRENCY}: choose more positive incentives",
            )
        )
    return Decision(
        positives=decision.positives, negatives=decision.negatives, refusals=tuple(refusals)
    )
