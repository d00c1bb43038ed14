"""Who may call what: the one table of root-field and sensitive-field permissions (R1).

Every root query and mutation, and every field that exposes sensitive data, is declared
through `query`, `mutation` or `guarded` with a key of `ACCESS`; the rule is attached as
a strawberry permission and written into the field's description. A test walks the
schema and fails for any root field missing from this table, so a new field cannot
forget to say who may call it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry.permission import BasePermission, PermissionExtension

from partner_center.api.context import Info
from partner_center.core.auth import Menu, Principal, Role
from partner_center.core.errors import Forbidden
from partner_center.core.permissions import has_menu


@dataclass(frozen=True)
class Rule:
    """A menu the caller must hold, a role it must have, or neither (signed in)."""

    menu: Menu | None = None
    roles: frozenset[Role] | None = None
    note: str = ""

    def describe(self) -> str:
        parts = []
        if self.menu is not None:
            parts.append(f"the {self.menu.value} menu")
        if self.roles is not None:
            parts.append(" or ".join(sorted(r.value for r in self.roles)))
        text = "Requires " + (" and ".join(parts) if parts else "a signed-in caller")
        return f"{text}{'; ' + self.note if self.note else ''}."


SIGNED_IN = Rule()


def menu(m: Menu, note: str = "") -> Rule:
    return Rule(menu=m, note=note)


def roles(*allowed: Role, note: str = "") -> Rule:
    return Rule(roles=frozenset(allowed), note=note)


# Who may read partner bills, act on the partner's finances, request payment contracts.
BILL_READERS = frozenset({Role.ADMIN, Role.OPERATOR, Role.PROVIDER_OPERATIONS})
PARTNER_FINANCE = frozenset({Role.ADMIN, Role.OPERATOR})
CONTRACT_REQUESTERS = frozenset({Role.ADMIN, Role.OPERATOR, Role.CUSTOMER_MANAGER})

ACCESS: dict[str, Rule] = {
    # The caller and any object it may see: every node type applies its own rules.
    "Query.node": SIGNED_IN,
    "Query.viewer": SIGNED_IN,
    # Jobs: an administrator sees its partner's, anyone else its own.
    "Query.job": SIGNED_IN,
    "Query.jobs": SIGNED_IN,
    "Mutation.requestExport": Rule(
        note="and the menu of the exported data "
        "(consumption details, adjustment records: "
        "customers; marketplace bill details: "
        "marketplace; partner bill and its details: "
        "billing)"
    ),
    # Leads (R1, R6): the leads menu to read (staff: their own leads), and to dispatch
    # or recall, the administrator or an operator holding it.
    "Query.leads": menu(Menu.LEADS, "partner staff see the leads dispatched to them"),
    "Query.lead": menu(Menu.LEADS, "partner staff see the leads dispatched to them"),
    "Lead.contactName": menu(Menu.LEADS),
    "Lead.contactPhone": menu(Menu.LEADS),
    # Whom leads can be dispatched to: for those who dispatch.
    "Query.partnerStaff": Rule(menu=Menu.LEADS, roles=frozenset({Role.ADMIN, Role.OPERATOR})),
    "Mutation.dispatchLeads": Rule(menu=Menu.LEADS, roles=frozenset({Role.ADMIN, Role.OPERATOR})),
    "Mutation.recallLeads": Rule(menu=Menu.LEADS, roles=frozenset({Role.ADMIN, Role.OPERATOR})),
    # Customers (R1; R2 narrows a customer manager to its own customers everywhere).
    "Query.customers": menu(Menu.CUSTOMERS),
    "Query.customer": menu(Menu.CUSTOMERS),
    "Query.customerManagers": menu(Menu.CUSTOMERS),
    "Query.customerAlerts": menu(Menu.CUSTOMERS),
    "Query.customerAlert": menu(Menu.CUSTOMERS),
    "Query.dailyConsumption": menu(Menu.CUSTOMERS),
    "Query.monthlyConsumption": menu(Menu.CUSTOMERS),
    "Query.consumptionDetails": menu(Menu.CUSTOMERS),
    "Query.adjustmentRecords": menu(Menu.CUSTOMERS),
    "Mutation.handleCustomerAlerts": menu(Menu.CUSTOMERS),
    "Mutation.handleCustomerAlert": menu(Menu.CUSTOMERS),
    # Moving customers between managers is the partner's, not a manager's (R2).
    "Mutation.assignCustomers": Rule(
        menu=Menu.CUSTOMERS, roles=frozenset({Role.ADMIN, Role.OPERATOR})
    ),
    "Mutation.assignCustomer": Rule(
        menu=Menu.CUSTOMERS, roles=frozenset({Role.ADMIN, Role.OPERATOR})
    ),
    "Mutation.unassignCustomers": Rule(
        menu=Menu.CUSTOMERS, roles=frozenset({Role.ADMIN, Role.OPERATOR})
    ),
    "Mutation.unassignCustomer": Rule(
        menu=Menu.CUSTOMERS, roles=frozenset({Role.ADMIN, Role.OPERATOR})
    ),
    # The audit log is the administrator's.
    "Query.auditEvents": roles(Role.ADMIN),
    # Marketplace (R8, R9): the partner's side needs the marketplace menu.
    "Query.marketplaceProducts": menu(Menu.MARKETPLACE),
    "Query.marketplaceShareLinks": menu(Menu.MARKETPLACE),
    "Query.marketplaceBills": menu(Menu.MARKETPLACE),
    "Query.marketplaceBill": menu(Menu.MARKETPLACE),
    "Query.marketplaceTransactions": menu(Menu.MARKETPLACE),
    "Mutation.createMarketplaceShareLink": menu(
        Menu.MARKETPLACE,
        "a solution provider in the customer-service-provider program "
        "(else a NOT_IN_CSP_PROGRAM refusal)",
    ),
    "Mutation.revokeMarketplaceShareLink": menu(Menu.MARKETPLACE),
    "Mutation.requestMarketplaceInvoice": menu(Menu.MARKETPLACE),
    "MarketplaceTransaction.buyerContact": Rule(
        menu=Menu.MARKETPLACE,
        roles=frozenset({Role.ADMIN}),
        note="other users see the masked buyerName, buyerPhone and buyerEmail",
    ),
    # The storefront service places orders; no partner user can.
    "Mutation.placeMarketplaceOrder": roles(Role.STOREFRONT),
    # The provider's operations review invoice requests and see unattributed orders.
    "Query.pendingMarketplaceInvoiceRequests": roles(Role.PROVIDER_OPERATIONS),
    "Mutation.reviewMarketplaceInvoiceRequest": roles(Role.PROVIDER_OPERATIONS),
    "Query.unattributedMarketplaceOrders": roles(Role.PROVIDER_OPERATIONS),
    # Incentives (R14–R20): the partner's users with the menu, and the provider's
    # operations, whose token names the partner they review.
    "Query.incentives": menu(Menu.INCENTIVES),
    "Query.incentiveTotals": menu(Menu.INCENTIVES),
    "Query.incentiveApplicationPreview": menu(Menu.INCENTIVES),
    "Query.incentiveApplications": menu(Menu.INCENTIVES),
    "Query.incentivePrograms": menu(Menu.INCENTIVES),
    "Mutation.applyForIncentiveDisbursement": menu(
        Menu.INCENTIVES, note="the partner's own users only: operations review, they do not apply"
    ),
    "Mutation.approveIncentiveApplication": roles(Role.PROVIDER_OPERATIONS),
    "Mutation.notifyIncentiveDisbursement": roles(Role.PROVIDER_OPERATIONS),
    "Mutation.recordProgramMembership": roles(Role.PROVIDER_OPERATIONS),
    # Opportunities and GMV (R21) sit with incentives: GMV is what incentives are earned on.
    "Query.opportunities": menu(Menu.INCENTIVES),
    "Query.gmv": menu(Menu.INCENTIVES),
    # Partner bills (R10–R13): the billing menu; a customer manager never sees them (R2).
    "Query.partnerBill": Rule(menu=Menu.BILLING, roles=BILL_READERS),
    "Query.partnerBills": Rule(menu=Menu.BILLING, roles=BILL_READERS),
    "Mutation.confirmPartnerBill": Rule(menu=Menu.BILLING, roles=PARTNER_FINANCE),
    "Mutation.adjustPartnerBill": roles(Role.PROVIDER_OPERATIONS),
    "Mutation.markPartnerBillPaid": roles(Role.PROVIDER_OPERATIONS),
    # Third-party payment agreements: the partner creates and revokes, the provider reviews.
    "Query.paymentAgreements": menu(Menu.BILLING),
    "Mutation.createPaymentAgreement": Rule(menu=Menu.BILLING, roles=PARTNER_FINANCE),
    "Mutation.revokePaymentAgreement": Rule(menu=Menu.BILLING, roles=PARTNER_FINANCE),
    "Mutation.reviewPaymentAgreement": roles(Role.PROVIDER_OPERATIONS),
    # Request-payment contracts: a customer manager for its own customers (R2).
    "Query.paymentContracts": menu(Menu.BILLING),
    "Mutation.requestPaymentContract": Rule(menu=Menu.BILLING, roles=CONTRACT_REQUESTERS),
    "Mutation.cancelPaymentContract": Rule(menu=Menu.BILLING, roles=CONTRACT_REQUESTERS),
    "Mutation.reviewPaymentContract": roles(Role.PROVIDER_OPERATIONS),
    "Query.pendingPaymentAgreements": roles(Role.PROVIDER_OPERATIONS),
    "Query.pendingPaymentContracts": roles(Role.PROVIDER_OPERATIONS),
    # Webhooks: the administrator's alone (the secret signs news of every job and bill).
    "Query.webhookSubscriptions": roles(Role.ADMIN),
    "Mutation.createWebhookSubscription": roles(Role.ADMIN),
    "Mutation.updateWebhookSubscription": roles(Role.ADMIN),
    "Mutation.rotateWebhookSecret": roles(Role.ADMIN),
    "Mutation.deleteWebhookSubscription": roles(Role.ADMIN),
    "Mutation.sendWebhookTestEvent": roles(Role.ADMIN),
    "Mutation.redeliverWebhookDelivery": roles(Role.ADMIN),
}


def permits(key: str, principal: Principal) -> bool:
    """Whether ACCESS[key] lets `principal` in (also for `node`, which reads an object
    without going through that object's query field)."""
    rule = ACCESS[key]
    if rule.roles is not None and principal.role not in rule.roles:
        return False
    return rule.menu is None or has_menu(principal, rule.menu)


class Allowed(BasePermission):
    """Checks one `Rule` against the caller; a denial is FORBIDDEN, never empty data."""

    message = "this account may not use this field"

    def __init__(self, key: str) -> None:
        self.key = key
        self.rule = ACCESS[key]

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return permits(self.key, info.context.principal)

    def on_unauthorized(self) -> None:
        rule = self.rule
        if rule.menu is not None:
            raise Forbidden(
                f"this account has no access to the {rule.menu.value} menu",
                permission=rule.menu.value,
            )
        raise Forbidden("this account may not use this field")


def extensions(key: str) -> list[Any]:
    return [PermissionExtension(permissions=[Allowed(key)], use_directives=False)]


def _description(key: str, description: str | None) -> str:
    rule = ACCESS[key].describe()
    return f"{description} {rule}" if description else rule


def query(key: str, resolver: Callable[..., Any], description: str | None = None) -> Any:
    return strawberry.field(
        resolver=resolver, extensions=extensions(key), description=_description(key, description)
    )


def mutation(key: str, resolver: Callable[..., Any], description: str | None = None) -> Any:
    """A mutation: permission-checked, and audited (the audit wraps the permission check,
    so denials are recorded too)."""
    from partner_center.api.core.audited import Audited

    return strawberry.mutation(
        resolver=resolver,
        extensions=[*extensions(key), Audited(key.split(".", 1)[1])],
        description=_description(key, description),
    )


def guarded(key: str, resolver: Callable[..., Any], description: str | None = None) -> Any:
    """A sensitive field of an object type (same rules as root fields)."""
    return strawberry.field(
        resolver=resolver, extensions=extensions(key), description=_description(key, description)
    )
