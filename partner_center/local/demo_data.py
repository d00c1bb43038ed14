"""Deterministic demo data: the same partners, users, customers and consumption every run.

Names, phones and emails come from Faker's zh_CN locale so they look real, which is
also what makes the anonymization tests meaningful: a leaked value would be spotted.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from faker import Faker

from partner_center.core.auth import AccountType, Menu, Principal, Role
from partner_center.core.clock import beijing_date, to_iso
from partner_center.core.tenancy import PLATFORM_PARTITION
from partner_center.storage.models import (
    ConsumptionLine,
    CustomerItem,
    DirectoryItem,
)

SEED = 20260801
# Three whole Beijing months, fixed so the data is the same whatever today is.
FIRST_DAY = date(2026, 8, 1)
LAST_DAY = date(2026, 10, 31)

ALL_MENUS = frozenset(Menu)


@dataclass(frozen=True)
class DemoPartner:
    partner_id: str
    account_type: AccountType
    customers: int
    lines: int


@dataclass(frozen=True)
class DemoUser:
    login: str
    partner_id: str
    user_id: str
    role: Role
    permissions: frozenset[Menu]
    about: str


PARTNERS = [
    DemoPartner("ptn-sp-001", AccountType.SOLUTION_PROVIDER, customers=300, lines=4000),
    DemoPartner("ptn-md-001", AccountType.CHANNEL_MASTER_DISTRIBUTOR, customers=0, lines=0),
    DemoPartner("ptn-sp-002", AccountType.SOLUTION_PROVIDER, customers=40, lines=400),
]
_ACCOUNT = {p.partner_id: p.account_type for p in PARTNERS}

USERS = [
    DemoUser(
        "sp-admin",
        "ptn-sp-001",
        "usr-sp-admin",
        Role.ADMIN,
        ALL_MENUS,
        "solution provider administrator: every menu",
    ),
    DemoUser(
        "sp-operator",
        "ptn-sp-001",
        "usr-sp-operator",
        Role.OPERATOR,
        frozenset({Menu.CUSTOMERS, Menu.LEADS, Menu.BILLING}),
        "operator granted customers, leads and billing",
    ),
    DemoUser(
        "sp-operator-noperm",
        "ptn-sp-001",
        "usr-sp-operator-noperm",
        Role.OPERATOR,
        frozenset(),
        "operator with no menu granted",
    ),
    DemoUser(
        "sp-manager-1",
        "ptn-sp-001",
        "usr-sp-manager-1",
        Role.CUSTOMER_MANAGER,
        frozenset(),
        "customer manager with 60 assigned customers",
    ),
    DemoUser(
        "sp-manager-2",
        "ptn-sp-001",
        "usr-sp-manager-2",
        Role.CUSTOMER_MANAGER,
        frozenset(),
        "customer manager with 40 assigned customers",
    ),
    DemoUser(
        "sp-staff-1",
        "ptn-sp-001",
        "usr-sp-staff-1",
        Role.STAFF,
        frozenset(),
        "partner staff (leads are dispatched to them)",
    ),
    DemoUser(
        "sp-staff-2", "ptn-sp-001", "usr-sp-staff-2", Role.STAFF, frozenset(), "partner staff"
    ),
    DemoUser(
        "md-admin",
        "ptn-md-001",
        "usr-md-admin",
        Role.ADMIN,
        ALL_MENUS,
        "channel-only master distributor administrator: no customer menus (R1)",
    ),
    DemoUser(
        "md-operator",
        "ptn-md-001",
        "usr-md-operator",
        Role.OPERATOR,
        frozenset({Menu.CUSTOMERS, Menu.BILLING}),
        "channel-only master distributor operator",
    ),
    DemoUser(
        "sp2-admin",
        "ptn-sp-002",
        "usr-sp2-admin",
        Role.ADMIN,
        ALL_MENUS,
        "a second solution provider's administrator (tenant isolation)",
    ),
    # The cloud provider's reviewer. A token names one partner, so a reviewer acts on one
    # partner per token: this one reviews ptn-sp-001 (incentive bills and applications).
    DemoUser(
        "provider-ops",
        "ptn-sp-001",
        "usr-provider-ops",
        Role.PROVIDER_OPERATIONS,
        frozenset(),
        "the cloud provider's operations, reviewing ptn-sp-001's incentives",
    ),
]

# The provider's own services and reviewers: not users of a partner, so not in the
# directory (and not in USERS, whose order fixes the Faker sequence of the demo data).
SERVICE_USERS = [
    DemoUser(
        "storefront",
        PLATFORM_PARTITION,
        "svc-storefront",
        Role.STOREFRONT,
        frozenset(),
        "the marketplace storefront service: places orders through share links",
    ),
    DemoUser(
        "ops-reviewer",
        PLATFORM_PARTITION,
        "usr-ops-reviewer",
        Role.PROVIDER_OPERATIONS,
        frozenset(),
        "the provider's operations: reviews marketplace invoice requests, "
        "payment agreements and contracts; adjusts partner bills, records repayments",
    ),
]

PRODUCTS = [
    ("ECS", "vm-", "on_demand", "hour"),
    ("ECS", "vm-", "yearly_monthly", "month"),
    ("OBS", "bucket-", "on_demand", "GB"),
    ("CDN", "cdn-", "peak_95", "Mbps"),
    ("RDS", "db-", "yearly_monthly", "month"),
    ("EVS", "disk-", "on_demand", "GB"),
    ("ELB", "lb-", "on_demand", "hour"),
    ("Anti-DDoS", "ddos-", "peak_95", "Mbps"),
]


def user(login: str) -> DemoUser:
    for candidate in USERS + SERVICE_USERS:
        if candidate.login == login:
            return candidate
    known = ", ".join(u.login for u in USERS + SERVICE_USERS)
    raise KeyError(f"no demo user {login!r}; demo users: {known}")


def principal(login: str) -> Principal:
    found = user(login)
    return Principal(
        partner_id=found.partner_id,
        user_id=found.user_id,
        login=found.login,
        role=found.role,
        account_type=_ACCOUNT.get(found.partner_id, AccountType.PLATFORM),
        permissions=found.permissions,
    )


def _directory(fake: Faker) -> list[DirectoryItem]:
    items = [
        DirectoryItem(
            p.partner_id, "PARTNER", name=fake.company(), account_type=p.account_type.value
        )
        for p in PARTNERS
    ]
    items += [
        DirectoryItem(
            u.partner_id,
            f"USER#{u.user_id}",
            name=fake.name(),
            login=u.login,
            role=u.role.value,
            permissions={m.value for m in u.permissions} or None,
        )
        for u in USERS
    ]
    return items


def _customers(fake: Faker, rng: random.Random, partner: DemoPartner) -> list[CustomerItem]:
    managers = [
        u.user_id
        for u in USERS
        if u.partner_id == partner.partner_id and u.role is Role.CUSTOMER_MANAGER
    ]
    quotas = dict(zip(managers, (60, 40), strict=False))
    customers = []
    for number in range(1, partner.customers + 1):
        created = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(
            days=rng.randrange(0, 200), seconds=rng.randrange(86400)
        )
        manager = next((m for m, left in quotas.items() if left > 0), None)
        item = CustomerItem(
            partner.partner_id,
            f"cus-{partner.partner_id[-3:]}-{number:04d}",
            name=fake.company() if rng.random() < 0.6 else fake.name(),
            account_name=fake.user_name(),
            contact_phone=fake.phone_number(),
            contact_email=fake.email(),
            association="reseller" if rng.random() < 0.7 else "advisory",
            created_at=created,
        )
        if manager:
            quotas[manager] -= 1
            # Spread assignments over the demo months, so R5 has something to show.
            item.manager_id = manager
            item.partner_manager = f"{partner.partner_id}#{manager}"
            item.assigned_at = datetime(2026, 7, 20, 2, tzinfo=UTC) + timedelta(
                days=rng.randrange(0, 80), seconds=rng.randrange(86400)
            )
        customers.append(item)
    return customers


def _lines(
    rng: random.Random, partner: DemoPartner, customers: list[CustomerItem]
) -> list[ConsumptionLine]:
    span = (
        int(
            (
                datetime.combine(LAST_DAY, datetime.min.time())
                - datetime.combine(FIRST_DAY, datetime.min.time())
            ).total_seconds()
        )
        + 86400
    )
    start = datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, tzinfo=UTC) - timedelta(
        hours=8
    )  # 00:00 Beijing time on the first day
    lines = []
    for number in range(1, partner.lines + 1):
        customer = rng.choice(customers)
        product, prefix, mode, unit = rng.choice(PRODUCTS)
        charged = start + timedelta(seconds=rng.randrange(span))
        usage = Decimal(rng.randrange(1, 50000)) / Decimal(100)
        amount = Decimal(rng.randrange(1, 2_000_000)) / Decimal(100)
        line_id = f"ln-{partner.partner_id[-3:]}-{number:06d}"
        lines.append(
            ConsumptionLine(
                partner.partner_id,
                f"{to_iso(charged)}#{line_id}",
                line_id=line_id,
                customer_id=customer.customer_id,
                customer_name=customer.name,
                product=product,
                resource_id=f"{prefix}{rng.randrange(16**8):08x}",
                billing_mode=mode,
                usage=usage,
                usage_unit=unit,
                amount=amount,
                charged_at=to_iso(charged),
                bill_date=beijing_date(charged).isoformat(),
            )
        )
    return lines


@dataclass(frozen=True)
class DemoData:
    directory: list[DirectoryItem]
    customers: list[CustomerItem]
    lines: list[ConsumptionLine]


def generate() -> DemoData:
    fake = Faker("zh_CN")
    fake.seed_instance(SEED)
    rng = random.Random(SEED)
    directory = _directory(fake)
    customers: list[CustomerItem] = []
    lines: list[ConsumptionLine] = []
    for partner in PARTNERS:
        own = _customers(fake, rng, partner)
        customers += own
        if own:
            lines += _lines(rng, partner, own)
    return DemoData(directory=directory, customers=customers, lines=lines)


def load(data: DemoData | None = None) -> DemoData:
    from partner_center.local.demo_areas import seeders

    data = data or generate()
    for model, items in (
        (DirectoryItem, data.directory),
        (CustomerItem, data.customers),
        (ConsumptionLine, data.lines),
    ):
        with model.batch_write() as batch:
            for item in items:
                batch.save(item)
    for seed in seeders():
        seed(data)
    return data
