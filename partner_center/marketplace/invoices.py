"""Invoice requests for marketplace bills (索取发票).

A partner requests an invoice for a closed bill with a title, a taxpayer number and a
type; the provider's operations issue it (with the invoice number) or reject it (with a
reason): requested → issued | rejected, nothing else.

One open request per bill: the request is written in one DynamoDB transaction with a
conditional update of the bill's `open_invoice_request` marker (which must be absent),
so two racing requests cannot both be open. Review clears the marker in the same way
(the marker must name the reviewed request); an issued request sets
`invoiced_request`, after which the bill takes no more requests, while a rejected one
leaves the bill free for a corrected request.

The invoice covers the bill's provider share: the amount the split settles to the partner.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from partner_center.core.auth import Menu, Principal
from partner_center.core.clock import to_iso, utcnow
from partner_center.core.errors import BadInput, NotFound, Refused
from partner_center.core.ids import new_id
from partner_center.core.logs import fields, get_logger
from partner_center.core.permissions import (
    require_menu,
    require_provider_operations,
    sees_marketplace_partition,
)
from partner_center.core.tenancy import PLATFORM_PARTITION
from partner_center.marketplace import tax_numbers
from partner_center.marketplace.bills import BILL_PREFIX, Bill, BillStatus, BillStore
from partner_center.marketplace.codes import MarketplaceCode
from partner_center.marketplace.models import BillItem, InvoiceRequestItem, InvoiceReviewItem
from partner_center.storage.transactions import transaction_connection

log = get_logger(__name__)

REQUEST_PREFIX = "INVREQ#"
REVIEW_PREFIX = "INVREVIEW#"
MAX_TITLE = 100
MAX_INVOICE_NUMBER = 40
MAX_REASON = 200


class InvoiceType(enum.StrEnum):
    VAT_GENERAL = "vat_general"  # 增值税普通发票
    VAT_SPECIAL = "vat_special"  # 增值税专用发票


class InvoiceStatus(enum.StrEnum):
    REQUESTED = "requested"
    ISSUED = "issued"
    REJECTED = "rejected"


class Decision(enum.StrEnum):
    ISSUE = "issue"
    REJECT = "reject"


@dataclass(frozen=True)
class InvoiceRequest:
    partner_id: str
    request_id: str
    bill_id: str
    title: str
    tax_number: str
    invoice_type: InvoiceType
    amount: Decimal
    status: InvoiceStatus
    requested_by: str
    requested_at: str
    reviewed_by: str | None
    reviewed_at: str | None
    invoice_number: str | None
    rejection_reason: str | None

    @property
    def key(self) -> str:
        """Unique within the partner: `<bill_id>#<request_id>`."""
        return f"{self.bill_id}#{self.request_id}"

    @classmethod
    def from_item(cls, item: InvoiceRequestItem) -> InvoiceRequest:
        return cls(
            partner_id=item.partner_id,
            request_id=item.request_id,
            bill_id=item.bill_id,
            title=item.title,
            tax_number=item.tax_number,
            invoice_type=InvoiceType(item.invoice_type),
            amount=item.amount,
            status=InvoiceStatus(item.status),
            requested_by=item.requested_by,
            requested_at=item.requested_at,
            reviewed_by=item.reviewed_by,
            reviewed_at=item.reviewed_at,
            invoice_number=item.invoice_number,
            rejection_reason=item.rejection_reason,
        )


@dataclass(frozen=True)
class InvoiceDetails:
    title: str
    tax_number: str
    invoice_type: InvoiceType

    def validate(self) -> InvoiceDetails:
        title = " ".join((self.title or "").split())
        if not 0 < len(title) <= MAX_TITLE:
            raise BadInput(f"title must be 1 to {MAX_TITLE} characters", field="title")
        number = tax_numbers.normalize(self.tax_number or "")
        if not tax_numbers.is_valid(number):
            raise BadInput(
                "taxNumber must be an 18-character unified social credit code "
                "with a valid check character",
                field="taxNumber",
            )
        return InvoiceDetails(title=title, tax_number=number, invoice_type=self.invoice_type)


def _connection() -> Connection:
    return transaction_connection(InvoiceRequestItem)


def _cancelled_by_condition(exc: TransactWriteError) -> bool:
    return any(
        r is not None and r.code == "ConditionalCheckFailed" for r in exc.cancellation_reasons or []
    )


class InvoiceRequestStore:
    def __init__(self, partner_id: str) -> None:
        if not partner_id:
            raise ValueError("a partner ID is required")
        self.partner_id = partner_id

    def get(self, key: str, consistent: bool = False) -> InvoiceRequest | None:
        try:
            item = InvoiceRequestItem.get(
                self.partner_id, REQUEST_PREFIX + key, consistent_read=consistent
            )
        except InvoiceRequestItem.DoesNotExist:
            return None
        return InvoiceRequest.from_item(item)

    def of_bill(self, bill_id: str) -> list[InvoiceRequest]:
        """Oldest first (request IDs are time-ordered). A bill has a handful at most."""
        items: Iterator[InvoiceRequestItem] = InvoiceRequestItem.query(
            self.partner_id, InvoiceRequestItem.item_key.startswith(f"{REQUEST_PREFIX}{bill_id}#")
        )
        return [InvoiceRequest.from_item(item) for item in items]

    def open(self, request: InvoiceRequest) -> bool:
        """Write the request and mark the bill; False when the bill already has an open
        request or an issued invoice (the conditional write lost)."""
        item = InvoiceRequestItem(
            self.partner_id,
            REQUEST_PREFIX + request.key,
            request_id=request.request_id,
            bill_id=request.bill_id,
            title=request.title,
            tax_number=request.tax_number,
            invoice_type=request.invoice_type.value,
            amount=request.amount,
            status=request.status.value,
            requested_by=request.requested_by,
            requested_at=request.requested_at,
        )
        queued = InvoiceReviewItem(
            PLATFORM_PARTITION,
            f"{REVIEW_PREFIX}{request.request_id}",
            request_id=request.request_id,
            request_partner_id=self.partner_id,
            bill_id=request.bill_id,
            requested_at=request.requested_at,
        )
        bill = BillItem(self.partner_id, BILL_PREFIX + request.bill_id)
        try:
            with TransactWrite(connection=_connection()) as transaction:
                transaction.update(
                    bill,
                    actions=[BillItem.open_invoice_request.set(request.request_id)],
                    condition=BillItem.item_key.exists()
                    & BillItem.open_invoice_request.does_not_exist()
                    & BillItem.invoiced_request.does_not_exist(),
                )
                transaction.save(item, condition=InvoiceRequestItem.item_key.does_not_exist())
                transaction.save(queued)
        except TransactWriteError as exc:
            if _cancelled_by_condition(exc):
                return False
            raise
        return True

    def close(
        self,
        request: InvoiceRequest,
        decision: Decision,
        reviewer: str,
        now: datetime,
        *,
        invoice_number: str | None,
        reason: str | None,
    ) -> bool:
        """requested → issued | rejected, with the bill's marker, atomically; False when
        the request is no longer open (reviewed meanwhile)."""
        issued = decision is Decision.ISSUE
        status = InvoiceStatus.ISSUED if issued else InvoiceStatus.REJECTED
        actions: list[Action] = [
            InvoiceRequestItem.status.set(status.value),
            InvoiceRequestItem.reviewed_by.set(reviewer),
            InvoiceRequestItem.reviewed_at.set(to_iso(now)),
        ]
        # review() validated both: an issued request has its number, a rejection its reason.
        if issued:
            if invoice_number is None:
                raise ValueError("an issued invoice request needs its invoice number")
            actions.append(InvoiceRequestItem.invoice_number.set(invoice_number))
        else:
            if reason is None:
                raise ValueError("a rejected invoice request needs its reason")
            actions.append(InvoiceRequestItem.rejection_reason.set(reason))
        bill_actions: list[Action] = [BillItem.open_invoice_request.remove()]
        if issued:
            bill_actions.append(BillItem.invoiced_request.set(request.request_id))
        try:
            with TransactWrite(connection=_connection()) as transaction:
                transaction.update(
                    InvoiceRequestItem(self.partner_id, REQUEST_PREFIX + request.key),
                    actions=actions,
                    condition=InvoiceRequestItem.status == InvoiceStatus.REQUESTED.value,
                )
                transaction.update(
                    BillItem(self.partner_id, BILL_PREFIX + request.bill_id),
                    actions=bill_actions,
                    condition=BillItem.open_invoice_request == request.request_id,
                )
                transaction.delete(
                    InvoiceReviewItem(PLATFORM_PARTITION, f"{REVIEW_PREFIX}{request.request_id}")
                )
        except TransactWriteError as exc:
            if _cancelled_by_condition(exc):
                return False
            raise
        return True


def _refuse_if_not_invoiceable(bill: Bill, now: datetime) -> None:
    if bill.status(now) is not BillStatus.CLOSED:
        raise Refused(
            MarketplaceCode.BILL_NOT_CLOSED,
            "a bill can be invoiced once it has closed "
            "(12:00 Beijing time on the 5th of the next month)",
            field="billId",
        )
    if bill.invoiced_request is not None:
        raise Refused(
            MarketplaceCode.BILL_ALREADY_INVOICED, "this bill has been invoiced", field="billId"
        )
    if bill.open_invoice_request is not None:
        raise Refused(
            MarketplaceCode.INVOICE_REQUEST_OPEN,
            "this bill already has an open invoice request",
            field="billId",
        )
    if bill.provider_share <= 0:
        raise Refused(
            MarketplaceCode.NOTHING_TO_INVOICE,
            "this bill settles nothing to the partner",
            field="billId",
        )


def request_invoice(
    principal: Principal, bill_id: str, details: InvoiceDetails, now: datetime | None = None
) -> InvoiceRequest:
    require_menu(principal, Menu.MARKETPLACE)
    now = now or utcnow()
    bills = BillStore(principal.partner_id)
    bill = bills.get(bill_id, consistent=True)
    if bill is None:
        raise NotFound("no marketplace bill with this ID", field="billId")
    _refuse_if_not_invoiceable(bill, now)
    details = details.validate()
    request = InvoiceRequest(
        partner_id=principal.partner_id,
        request_id=new_id(),
        bill_id=bill.bill_id,
        title=details.title,
        tax_number=details.tax_number,
        invoice_type=details.invoice_type,
        amount=bill.provider_share,
        status=InvoiceStatus.REQUESTED,
        requested_by=principal.user_id,
        requested_at=to_iso(now),
        reviewed_by=None,
        reviewed_at=None,
        invoice_number=None,
        rejection_reason=None,
    )
    if not InvoiceRequestStore(principal.partner_id).open(request):
        # Another request got there first: say which rule it now breaks.
        latest = bills.get(bill_id, consistent=True)
        if latest is not None:
            _refuse_if_not_invoiceable(latest, now)
        raise Refused(
            MarketplaceCode.INVOICE_REQUEST_OPEN,
            "this bill already has an open invoice request",
            field="billId",
        )
    log.info(
        "marketplace invoice requested",
        extra=fields(
            partner_id=principal.partner_id, bill_id=bill.bill_id, request_id=request.request_id
        ),
    )
    return request


def get_request(principal: Principal, partner_id: str, key: str) -> InvoiceRequest | None:
    """None for a request the caller may not see, or none at all."""
    if not sees_marketplace_partition(principal, partner_id):
        return None
    return InvoiceRequestStore(partner_id).get(key)


def requests_of_bill(principal: Principal, bill_id: str) -> list[InvoiceRequest]:
    require_menu(principal, Menu.MARKETPLACE)
    return InvoiceRequestStore(principal.partner_id).of_bill(bill_id)


def review_invoice(
    principal: Principal,
    partner_id: str,
    key: str,
    decision: Decision,
    *,
    invoice_number: str | None,
    reason: str | None,
    now: datetime | None = None,
) -> InvoiceRequest:
    require_provider_operations(principal)
    store = InvoiceRequestStore(partner_id)
    request = store.get(key, consistent=True)
    if request is None:
        raise NotFound("no invoice request with this ID", field="requestId")
    if request.status is not InvoiceStatus.REQUESTED:
        raise Refused(
            MarketplaceCode.INVOICE_REQUEST_NOT_OPEN,
            "this invoice request has been reviewed",
            field="requestId",
        )
    number = (invoice_number or "").strip() or None
    why = " ".join((reason or "").split()) or None
    if decision is Decision.ISSUE:
        if number is None or len(number) > MAX_INVOICE_NUMBER or not number.isalnum():
            raise BadInput(
                f"issuing needs the invoice number (1 to {MAX_INVOICE_NUMBER} letters and digits)",
                field="invoiceNumber",
            )
        why = None
    else:
        if why is None or len(why) > MAX_REASON:
            raise BadInput(
                f"rejecting needs a reason of 1 to {MAX_REASON} characters", field="reason"
            )
        number = None
    if not store.close(
        request, decision, principal.user_id, now or utcnow(), invoice_number=number, reason=why
    ):
        raise Refused(
            MarketplaceCode.INVOICE_REQUEST_NOT_OPEN,
            "this invoice request has been reviewed",
            field="requestId",
        )
    log.info(
        "marketplace invoice reviewed",
        extra=fields(partner_id=partner_id, request_id=request.request_id, decision=decision.value),
    )
    reviewed = store.get(key, consistent=True)
    if reviewed is None:  # pragma: no cover - requests are never deleted
        raise NotFound("no invoice request with this ID", field="requestId")
    return reviewed


def pending_reviews(
    principal: Principal, *, after_request_id: str | None, limit: int
) -> tuple[list[InvoiceRequest], bool]:
    """The platform's review queue, oldest first."""
    require_provider_operations(principal)
    start = None
    if after_request_id:
        start = {
            "partner_id": {"S": PLATFORM_PARTITION},
            "item_key": {"S": REVIEW_PREFIX + after_request_id},
        }
    queued = list(
        InvoiceReviewItem.query(
            PLATFORM_PARTITION,
            InvoiceReviewItem.item_key.startswith(REVIEW_PREFIX),
            last_evaluated_key=start,
            limit=limit + 1,
            page_size=max(limit + 1, 25),
        )
    )
    keys = [
        (entry.request_partner_id, f"{REQUEST_PREFIX}{entry.bill_id}#{entry.request_id}")
        for entry in queued[:limit]
    ]
    loaded = (
        {
            (item.partner_id, item.item_key): InvoiceRequest.from_item(item)
            for item in InvoiceRequestItem.batch_get(keys)
        }
        if keys
        else {}
    )
    found = [loaded[key] for key in keys if key in loaded]
    return found, len(queued) > limit
