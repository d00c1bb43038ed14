"""The `consumptionRollup` Lambda handler (an EventBridge schedule, 00:30 Beijing)."""

from __future__ import annotations

from typing import Any

from partner_center.consumption.rollup import run_scheduled


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    reports = run_scheduled()
    return {
        "rolled": [
            {"partner_id": r.partner_id, "day": r.first.isoformat(), "lines": r.lines}
            for r in reports
        ]
    }
