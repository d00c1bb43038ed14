"""Each area's demo seeder, run after the shared partners, users and customers exist.

A seeder takes the shared `DemoData` and writes its own area's items (deterministically:
seed its own random generator). One line per area.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Seeder = Callable[[Any], None]


def seeders() -> list[Seeder]:
    from partner_center.bills import demo as bills_demo
    from partner_center.finance import demo as finance_demo
    from partner_center.incentives import demo as incentives
    from partner_center.marketplace import demo as marketplace

    return [marketplace.seed, incentives.seed, bills_demo.seed, finance_demo.seed]
