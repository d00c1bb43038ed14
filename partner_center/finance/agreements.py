"""Third-party payment agreements (代付): the rules, and the partner's agreements.

A partner paying with a bank account whose name differs from its own first creates an
agreement; the provider reviews it (pending review → active | rejected); the partner may
revoke it (pending review | active → revoked); it expires after its last valid day.

"Expired" is not stored: it is derived from the validity and today's Beijing date, so an
agreement is never shown active a day too long because a clean-up job was late.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import DeleteError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from partner_center.core.clock import beijing_date, to_iso
from partner_center.core.errors import Refused
from partner_center.core.ids import new_id
from partner_center.finance import account_numbers, review_queue
from partner_center.finance.codes import FinanceCode
from partner_center.finance.models import FinanceRecord
from partner_center.storage.transactions import transaction_connection

AGREEMENT = "AGR#"
ACCOUNT_GUARD = "AGRACCT#"
MAX_VALIDITY = timedelta(days=3 * 366)
MAX_TEXT = 100
MAX_NOTE = 500


class AgreementStatus(enum.StrEnum):
    PENDING_REVIEW = "pending_review"
    ACTIVE = "active"
    REJECTED = "rejected"
    EXPIRED = "expired"  # derived: pending or active past its last valid day
    REVOKED = "revoked"


LIVE = frozenset({AgreementStatus.PENDING_REVIEW, AgreementStatus.ACTIVE})


class PartyType(enum.StrEnum):
    INDIVIDUAL = "individual"
    ENTERPRISE = "enterprise"


def effective_status(stored: AgreementStatus, valid_until: date, today: date) -> AgreementStatus:
    if stored in LIVE and valid_until < today:
        return AgreementStatus.EXPIRED
    return stored


@dataclass(frozen=True)
class AgreementDraft:
    payer_account_name: str
    bank: str
    account_number: str  # whole, as typed: used once, never kept
    entrusted_party: str
    entrusted_party_type: PartyType
    valid_from: date
    valid_until: date


@dataclass(frozen=True)
class Agreement:
    partner_id: str
    agreement_id: str
    payer_account_name: str
    bank: str
    account_masked: str
    entrusted_party: str
    entrusted_party_type: PartyType
    valid_from: date
    valid_until: date
    stored_status: AgreementStatus
    created_by: str
    created_at: str
    reviewed_by: str | None
    reviewed_at: str | None
    review_note: str | None
    revoked_by: str | None
    revoked_at: str | None
    account_fingerprint: str  # keyed hash: recognises the account, never reveals it

    def status(self, today: date) -> AgreementStatus:
        return effective_status(self.stored_status, self.valid_until, today)

    @classmethod
    def from_record(cls, r: FinanceRecord) -> Agreement:
        return cls(
            partner_id=r.partner_id,
            agreement_id=r.record_id,
            payer_account_name=r.payer_account_name or "",
            bank=r.bank or "",
            account_masked=r.account_masked or "",
            entrusted_party=r.entrusted_party or "",
            entrusted_party_type=PartyType(r.entrusted_party_type),
            valid_from=date.fromisoformat(r.valid_from),
            valid_until=date.fromisoformat(r.valid_until),
            stored_status=AgreementStatus(r.status),
            created_by=r.created_by or "",
            created_at=r.created_at or "",
            reviewed_by=r.reviewed_by,
            reviewed_at=r.reviewed_at,
            review_note=r.review_note,
            revoked_by=r.closed_by,
            revoked_at=r.closed_at,
            account_fingerprint=r.account_fingerprint or "",
        )


def _text(value: str, field: str, low: int = 2, high: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if not low <= len(value) <= high:
        raise Refused(
            FinanceCode.BAD_USER_INPUT, f"{field} must be {low} to {high} characters", field
        )
    return value


def validate(draft: AgreementDraft, today: date) -> AgreementDraft:
    """The draft, cleaned; refusals name the field and never echo the value."""
    if draft.valid_from > draft.valid_until:
        raise Refused(FinanceCode.BAD_USER_INPUT, "validFrom is after validUntil", "validFrom")
    if draft.valid_from < today:
        raise Refused(
            FinanceCode.BAD_USER_INPUT,
            "validFrom cannot be before today (Beijing time)",
            "validFrom",
        )
    if draft.valid_until - draft.valid_from > MAX_VALIDITY:
        raise Refused(
            FinanceCode.BAD_USER_INPUT, "an agreement is valid for at most 3 years", "validUntil"
        )
    return AgreementDraft(
        payer_account_name=_text(draft.payer_account_name, "payerAccountName"),
        bank=_text(draft.bank, "bank"),
        account_number=draft.account_number,
        entrusted_party=_text(draft.entrusted_party, "entrustedParty"),
        entrusted_party_type=PartyType(draft.entrusted_party_type),
        valid_from=draft.valid_from,
        valid_until=draft.valid_until,
    )


def status_filter(status: AgreementStatus, today: date) -> Condition:
    """A DynamoDB filter matching agreements whose effective status is `status`."""
    day = today.isoformat()
    live = FinanceRecord.status.is_in(*(s.value for s in LIVE))
    if status is AgreementStatus.EXPIRED:
        return live & (FinanceRecord.valid_until < day)
    if status in LIVE:
        return (FinanceRecord.status == status.value) & (FinanceRecord.valid_until >= day)
    return FinanceRecord.status == status.value


class AgreementStore:
    def __init__(self, partner_id: str) -> None:
        if not partner_id:
            raise ValueError("a partner ID is required")
        self.partner_id = partner_id

    @staticmethod
    def _connection() -> Connection:
        return transaction_connection(FinanceRecord)

    def get(self, agreement_id: str) -> Agreement | None:
        try:
            record = FinanceRecord.get(
                self.partner_id, f"{AGREEMENT}{agreement_id}", consistent_read=True
            )
        except FinanceRecord.DoesNotExist:
            return None
        return Agreement.from_record(record)

    def page(
        self, *, status: AgreementStatus | None, today: date, after_id: str | None, limit: int
    ) -> tuple[list[Agreement], bool]:
        """Newest first."""
        start = None
        if after_id:
            start = {
                "partner_id": {"S": self.partner_id},
                "record_key": {"S": f"{AGREEMENT}{after_id}"},
            }
        records = FinanceRecord.query(
            self.partner_id,
            FinanceRecord.record_key.startswith(AGREEMENT),
            filter_condition=status_filter(status, today) if status else None,
            scan_index_forward=False,
            last_evaluated_key=start,
            limit=limit + 1,
            page_size=max(limit + 1, 25),
        )
        found = [Agreement.from_record(r) for r in records]
        return found[:limit], len(found) > limit

    def create(self, draft: AgreementDraft, *, user_id: str, now: datetime) -> Agreement:
        """Write a pending agreement; refused when the account already has a live one."""
        today = beijing_date(now)
        digits = account_numbers.normalize(draft.account_number)
        fingerprint = account_numbers.fingerprint(self.partner_id, digits)
        agreement_id = new_id()
        record = FinanceRecord(
            self.partner_id,
            f"{AGREEMENT}{agreement_id}",
            record_id=agreement_id,
            status=AgreementStatus.PENDING_REVIEW.value,
            created_by=user_id,
            created_at=to_iso(now),
            payer_account_name=draft.payer_account_name,
            bank=draft.bank,
            account_masked=account_numbers.masked(digits),
            account_fingerprint=fingerprint,
            entrusted_party=draft.entrusted_party,
            entrusted_party_type=draft.entrusted_party_type.value,
            valid_from=draft.valid_from.isoformat(),
            valid_until=draft.valid_until.isoformat(),
        )
        guard = FinanceRecord(
            self.partner_id,
            f"{ACCOUNT_GUARD}{fingerprint}",
            record_id=fingerprint,
            agreement_id=agreement_id,
            valid_until=draft.valid_until.isoformat(),
        )
        # The guard may be taken when it is absent or its validity is over; a guard left
        # by a revoked or rejected agreement is taken over below.
        free: Condition = FinanceRecord.record_key.does_not_exist() | (
            FinanceRecord.valid_until < today.isoformat()
        )
        for _ in range(2):
            try:
                with TransactWrite(connection=self._connection()) as transaction:
                    transaction.save(record, condition=FinanceRecord.record_key.does_not_exist())
                    transaction.save(guard, condition=free)
                    # Into the provider's review queue with the agreement, atomically.
                    transaction.save(review_queue.AGREEMENTS.entry(self.partner_id, agreement_id))
                return Agreement.from_record(record)
            except TransactWriteError as exc:
                if not any(
                    r and r.code == "ConditionalCheckFailed" for r in exc.cancellation_reasons or []
                ):
                    raise
            holder = self._guard_holder(fingerprint)
            if holder is None:
                free = FinanceRecord.record_key.does_not_exist()
                continue
            held_by, agreement = holder
            if agreement is not None and agreement.status(today) in LIVE:
                raise Refused(
                    FinanceCode.DUPLICATE_AGREEMENT,
                    "this payer account already has an agreement pending review or active",
                    "accountNumber",
                )
            # Left behind by a revoked, rejected or expired agreement: take it over.
            free = FinanceRecord.agreement_id == held_by
        raise Refused(
            FinanceCode.CONCURRENT_CHANGE,
            "another request changed this account's agreements; try again",
            "accountNumber",
        )

    def _guard_holder(self, fingerprint: str) -> tuple[str, Agreement | None] | None:
        """The agreement ID a guard names and that agreement; None without a guard."""
        try:
            guard = FinanceRecord.get(
                self.partner_id, f"{ACCOUNT_GUARD}{fingerprint}", consistent_read=True
            )
        except FinanceRecord.DoesNotExist:
            return None
        held_by = guard.agreement_id or ""
        return held_by, self.get(held_by) if held_by else None

    def _close(
        self,
        agreement: Agreement,
        target: AgreementStatus,
        actions: list[Any],
        expected: AgreementStatus,
        today: date,
    ) -> Agreement:
        record = FinanceRecord(self.partner_id, f"{AGREEMENT}{agreement.agreement_id}")
        try:
            record.update(
                actions=[FinanceRecord.status.set(target.value), *actions],
                condition=(FinanceRecord.status == expected.value)
                & (FinanceRecord.valid_until >= today.isoformat()),
            )
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
            raise Refused(
                FinanceCode.INVALID_STATUS,
                "the agreement changed meanwhile; reload it",
                "agreementId",
            ) from exc
        return Agreement.from_record(record)

    def _release(self, agreement: Agreement) -> None:
        """Free the account for a new agreement. Best effort: a guard left behind (a
        crash right here) is taken over by the next create, as its holder is not live."""
        if not agreement.account_fingerprint:
            return
        guard = FinanceRecord(self.partner_id, f"{ACCOUNT_GUARD}{agreement.account_fingerprint}")
        try:
            guard.delete(condition=FinanceRecord.agreement_id == agreement.agreement_id)
        except DeleteError:
            return

    def review(
        self, agreement_id: str, *, approve: bool, note: str | None, user_id: str, now: datetime
    ) -> Agreement:
        today = beijing_date(now)
        agreement = self._require(agreement_id)
        current = agreement.status(today)
        if current is not AgreementStatus.PENDING_REVIEW:
            raise Refused(
                FinanceCode.INVALID_STATUS,
                f"only an agreement pending review can be reviewed; this one is {current.value}",
                "agreementId",
            )
        if not approve and not (note or "").strip():
            raise Refused(FinanceCode.BAD_USER_INPUT, "a rejection needs a note saying why", "note")
        target = AgreementStatus.ACTIVE if approve else AgreementStatus.REJECTED
        actions = [
            FinanceRecord.reviewed_by.set(user_id),
            FinanceRecord.reviewed_at.set(to_iso(now)),
        ]
        if note and note.strip():
            actions.append(FinanceRecord.review_note.set(_text(note, "note", 1, MAX_NOTE)))
        updated = self._close(agreement, target, actions, AgreementStatus.PENDING_REVIEW, today)
        review_queue.AGREEMENTS.remove(agreement_id)
        if target is AgreementStatus.REJECTED:
            self._release(agreement)
        return updated

    def revoke(self, agreement_id: str, *, user_id: str, now: datetime) -> Agreement:
        today = beijing_date(now)
        agreement = self._require(agreement_id)
        current = agreement.status(today)
        if current not in LIVE:
            raise Refused(
                FinanceCode.INVALID_STATUS,
                f"only an agreement pending review or active can "
                f"be revoked; this one is {current.value}",
                "agreementId",
            )
        updated = self._close(
            agreement,
            AgreementStatus.REVOKED,
            [FinanceRecord.closed_by.set(user_id), FinanceRecord.closed_at.set(to_iso(now))],
            current,
            today,
        )
        review_queue.AGREEMENTS.remove(agreement_id)
        self._release(agreement)
        return updated

    def _require(self, agreement_id: str) -> Agreement:
        agreement = self.get(agreement_id)
        if agreement is None:
            raise Refused(FinanceCode.NOT_FOUND, "no payment agreement with this ID", "agreementId")
        return agreement
