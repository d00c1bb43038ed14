"""Turning a month of bandwidth samples into consumption details (R13 onto R4).

Each resource billed on its peak gets one consumption detail per month: billing mode
`peak_95`, usage = the billed Mbps, amount = its priced charge, dated the last second of
the month in Beijing time so it falls on that month's bill. The details stay the final
word (R4): the bill rolls them up with every other detail, so bill and details agree.

The detail's ID is derived from the month and the resource, and it is written only if
absent: running the month again never charges a resource twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from pynamodb.exceptions import PutError

from partner_center.bills.bandwidth import BandwidthStore, MonthBatch
from partner_center.bills.months import Month
from partner_center.bills.peak95 import peak_charge, window_peaks
from partner_center.bills.pricing import BANDWIDTH_UNIT, PEAK95_MODE, price_of
from partner_center.bills.rollup import BillingDataError
from partner_center.core.clock import beijing_date, to_iso
from partner_center.storage.models import ConsumptionLine


@dataclass(frozen=True)
class PeakRun:
    resources: int  # resources that lived in the month
    written: int  # details written by this run (the rest existed already)


def line_id(month: Month, resource_id: str) -> str:
    return f"p95-{month.compact}-{resource_id}"


def charged_at(month: Month) -> datetime:
    """The last whole second of the month in Beijing time."""
    return month.end - timedelta(seconds=1)


def detail_lines(
    partner_id: str, month: Month, batch: MonthBatch, customer_names: Mapping[str, str]
) -> list[ConsumptionLine]:
    peaks = window_peaks(batch.samples, batch.windows)
    instant = charged_at(month)
    lines = []
    for resource, window, kbps in zip(batch.resources, batch.windows, peaks, strict=True):
        name = customer_names.get(resource.customer_id)
        if name is None:
            raise BillingDataError(
                f"peak resource {resource.resource_id} names customer "
                f"{resource.customer_id}, which the partner does not have"
            )
        charge = peak_charge(kbps, price_of(resource.product), window[1] - window[0], month.slots)
        identifier = line_id(month, resource.resource_id)
        lines.append(
            ConsumptionLine(
                partner_id,
                f"{to_iso(instant)}#{identifier}",
                line_id=identifier,
                customer_id=resource.customer_id,
                customer_name=name,
                product=resource.product,
                resource_id=resource.resource_id,
                billing_mode=PEAK95_MODE,
                usage=charge.billed_mbps,
                usage_unit=BANDWIDTH_UNIT,
                amount=charge.amount,
                charged_at=to_iso(instant),
                bill_date=beijing_date(instant).isoformat(),
            )
        )
    return lines


def _write_once(line: ConsumptionLine) -> bool:
    try:
        line.save(condition=ConsumptionLine.line_key.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True


def record_peak_charges(
    partner_id: str, month: Month, customer_names: Mapping[str, str]
) -> tuple[PeakRun, list[ConsumptionLine]]:
    """Price every peak-billed resource of the month and record its detail once."""
    resources = written = 0
    recorded: list[ConsumptionLine] = []
    for batch in BandwidthStore(partner_id).month_batches(month):
        for line in detail_lines(partner_id, month, batch, customer_names):
            resources += 1
            if _write_once(line):
                written += 1
                recorded.append(line)
    return PeakRun(resources=resources, written=written), recorded
