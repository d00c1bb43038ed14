"""Each area's demo seeder, run after the shared partners, users and customers exist.

A seeder takes the shared `DemoData` and writes its own area's items (deterministically:
seed its own random generator). One line per area.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Seeder = Callable[[Any], object]  # an area's seed(data); what it returns is its own


def seeders() -> list[Seeder]:
    from partner_center.local.demo import bills as bills
    from partner_center.local.demo import customers as customers
    from partner_center.local.demo import finance as finance
    from partner_center.local.demo import incentives as incentives
    from partner_center.local.demo import leads as leads
    from partner_center.local.demo import marketplace as marketplace

    # Bills first: it adds the 95th-percentile charges as consumption details, which
    # the customers' roll-up must then include (R4: summaries agree with details).
    return [bills.seed, customers.seed, marketplace.seed, incentives.seed, leads.seed, finance.seed]
