"""Deterministic fake consumption lines for the export benchmarks.

Shared by the scripts in bench/ (a plain folder: each script runs with its own folder
first on sys.path, so `import _fake_lines` works without bench being a package).

Names come from Faker's zh_CN locale, as in the demo data: about 60% company names
(kept as 2 characters + ****) and 40% personal names (1 character + **), so the
anonymizer does its real work on every row.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from faker import Faker

from partner_center.core.clock import beijing_date, to_iso
from partner_center.local.demo_data import PRODUCTS
from partner_center.storage.models import ConsumptionLine

SEED = 20261101
# Three months of charges, starting 00:00 Beijing time on 2026-08-01.
START = datetime(2026, 7, 31, 16, tzinfo=UTC)
SPAN_SECONDS = 92 * 86400


def customer_pool(count: int = 1000, seed: int = SEED) -> list[tuple[str, str]]:
    """(customer_id, customer name) pairs, built once before any measurement."""
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    return [
        (f"cus-bench-{n:05d}", fake.company() if rng.random() < 0.6 else fake.name())
        for n in range(1, count + 1)
    ]


def lines(
    partner_id: str, count: int, customers: list[tuple[str, str]], seed: int = SEED
) -> Iterator[ConsumptionLine]:
    """`count` real ConsumptionLine model instances, the same ones for the same seed."""
    rng = random.Random(seed)
    for number in range(1, count + 1):
        customer_id, name = customers[rng.randrange(len(customers))]
        product, prefix, mode, unit = PRODUCTS[rng.randrange(len(PRODUCTS))]
        charged = START + timedelta(
            seconds=rng.randrange(SPAN_SECONDS), microseconds=rng.randrange(1_000_000)
        )
        charged_at = to_iso(charged)
        line_id = f"ln-bench-{number:07d}"
        yield ConsumptionLine(
            partner_id,
            f"{charged_at}#{line_id}",
            line_id=line_id,
            customer_id=customer_id,
            customer_name=name,
            product=product,
            resource_id=f"{prefix}{rng.randrange(16**8):08x}",
            billing_mode=mode,
            usage=Decimal(rng.randrange(1, 50000)) / Decimal(100),
            usage_unit=unit,
            amount=Decimal(rng.randrange(1, 2_000_000)) / Decimal(100),
            charged_at=charged_at,
            bill_date=beijing_date(charged).isoformat(),
        )


def pages(
    partner_id: str,
    count: int,
    customers: list[tuple[str, str]],
    page_size: int = 1000,
    seed: int = SEED,
) -> Iterator[list[ConsumptionLine]]:
    """The lines in pages, as ConsumptionStore.pages yields them; built lazily."""
    page: list[ConsumptionLine] = []
    for line in lines(partner_id, count, customers, seed):
        page.append(line)
        if len(page) >= page_size:
            yield page
            page = []
    if page:
        yield page
