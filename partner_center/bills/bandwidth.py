"""5-minute bandwidth samples of the resources billed on the 95th-percentile peak (R13).

Samples arrive from monitoring one Beijing day per resource (288 slots, kbps, None for a
slot without a sample). A month of a partner is read as one key range and handed out as
rows of month slots (an int64 `array` per resource), a batch at a time, so memory stays
flat however many resources a partner has.
"""

from __future__ import annotations

import re
import sys
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from partner_center.bills.models import BandwidthRecord
from partner_center.bills.months import SLOTS_PER_DAY, Month
from partner_center.bills.peak95 import (
    MISSING,
    SAMPLE_BYTES,
    SAMPLE_TYPECODE,
    new_row,
    slot_window,
)
from partner_center.bills.pricing import PRICE_PER_MBPS_MONTH
from partner_center.core.clock import from_iso, from_iso_or_none, to_iso
from partner_center.core.errors import BadInput

RESOURCE = "RES#"
SAMPLES = "S#"
# Characters that sort after "#", so key order is resource ID order.
_RESOURCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
# 2^53 kbps: far beyond any link, and still exact wherever a sample is ever shown.
MAX_KBPS = 2**53


@dataclass(frozen=True)
class Resource:
    resource_id: str
    customer_id: str
    product: str
    active_from: datetime
    active_until: datetime | None

    @classmethod
    def from_record(cls, record: BandwidthRecord) -> Resource:
        return cls(
            resource_id=record.resource_id,
            customer_id=record.customer_id or "",
            product=record.product or "",
            active_from=from_iso(record.active_from),
            active_until=from_iso_or_none(record.active_until),
        )


@dataclass(frozen=True)
class MonthBatch:
    resources: list[Resource]
    windows: list[tuple[int, int]]
    samples: list[array[int]]  # per resource: month.slots int64 kbps, -1 where missing


class UnregisteredResource(Exception):
    """Samples of a resource that was never registered: they could not be billed."""


def pack_day(samples: Sequence[int | None]) -> bytes:
    if len(samples) != SLOTS_PER_DAY:
        raise BadInput(f"a day holds exactly {SLOTS_PER_DAY} five-minute samples", field="samples")
    values = []
    for value in samples:
        if value is None:
            values.append(MISSING)
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise BadInput("samples are integer kbps (or null when missing)", field="samples")
        if not 0 <= value < MAX_KBPS:
            raise BadInput("a sample must be 0 or more kbps", field="samples")
        values.append(value)
    packed = array(SAMPLE_TYPECODE, values)
    if sys.byteorder != "little":
        packed.byteswap()
    return packed.tobytes()


class CorruptSamples(ValueError):
    """A stored day that cannot have been written by `pack_day`."""


def unpack_day(data: bytes) -> array[int]:
    if len(data) != SLOTS_PER_DAY * SAMPLE_BYTES:
        raise CorruptSamples("a stored day does not hold 288 samples")
    values = array(SAMPLE_TYPECODE)
    values.frombytes(data)
    if sys.byteorder != "little":
        values.byteswap()
    if min(values) < MISSING or max(values) >= MAX_KBPS:
        raise CorruptSamples("a stored day holds values no sample can have")
    return values


class BandwidthStore:
    def __init__(self, partner_id: str) -> None:
        if not partner_id:
            raise ValueError("a partner ID is required")
        self.partner_id = partner_id

    def register(
        self,
        resource_id: str,
        *,
        customer_id: str,
        product: str,
        active_from: datetime,
        active_until: datetime | None = None,
    ) -> Resource:
        """Register (or update the lifetime of) a resource billed on its monthly peak."""
        if not _RESOURCE_ID.match(resource_id):
            raise BadInput(
                "resourceId must be 1 to 100 letters, digits, '.', '_' or '-'", field="resourceId"
            )
        if product not in PRICE_PER_MBPS_MONTH:
            raise BadInput(
                "this product is not billed on the 95th-percentile peak", field="product"
            )
        if active_until is not None and active_until <= active_from:
            raise BadInput("a resource must end after it starts", field="activeUntil")
        record = BandwidthRecord(
            self.partner_id,
            f"{RESOURCE}{resource_id}",
            resource_id=resource_id,
            customer_id=customer_id,
            product=product,
            active_from=to_iso(active_from),
            active_until=to_iso(active_until) if active_until else None,
        )
        record.save()
        return Resource.from_record(record)

    def put_day(self, resource_id: str, day: date, samples: Sequence[int | None]) -> None:
        """Store one Beijing day of a resource's samples (replacing what was there)."""
        if not _RESOURCE_ID.match(resource_id):
            raise BadInput("not a resource ID", field="resourceId")
        month = Month.of(day)
        BandwidthRecord(
            self.partner_id,
            f"{SAMPLES}{month}#{resource_id}#{day.day:02d}",
            resource_id=resource_id,
            day=day.isoformat(),
            samples=pack_day(samples),
        ).save()

    def put_days(self, resource_id: str, days: dict[date, Sequence[int | None]]) -> None:
        """Store several days of one resource in batches (a monitoring back-fill)."""
        if not _RESOURCE_ID.match(resource_id):
            raise BadInput("not a resource ID", field="resourceId")
        records = [
            BandwidthRecord(
                self.partner_id,
                f"{SAMPLES}{Month.of(day)}#{resource_id}#{day.day:02d}",
                resource_id=resource_id,
                day=day.isoformat(),
                samples=pack_day(samples),
            )
            for day, samples in days.items()
        ]
        with BandwidthRecord.batch_write() as batch:
            for record in records:
                batch.save(record)

    def resources(self) -> list[Resource]:
        return [
            Resource.from_record(r)
            for r in BandwidthRecord.query(
                self.partner_id, BandwidthRecord.record_key.startswith(RESOURCE)
            )
        ]

    def month_batches(self, month: Month, batch_size: int = 256) -> Iterator[MonthBatch]:
        """Every resource that lived in `month`, with its samples, in batches.

        A resource without a single sample still appears (all missing: billed 0);
        samples of a resource that was never registered raise UnregisteredResource.
        """
        registered = {r.resource_id: r for r in self.resources()}
        alive = {
            rid: r
            for rid, r in registered.items()
            if slot_window(month, r.active_from, r.active_until) != (0, 0)
        }
        done: set[str] = set()
        rows: list[tuple[Resource, array[int]]] = []

        def batch() -> MonthBatch:
            resources = [r for r, _ in rows]
            return MonthBatch(
                resources=resources,
                samples=[row for _, row in rows],
                windows=[slot_window(month, r.active_from, r.active_until) for r in resources],
            )

        current: str | None = None
        row: array[int] | None = None
        for record in BandwidthRecord.query(
            self.partner_id,
            BandwidthRecord.record_key.startswith(f"{SAMPLES}{month}#"),
            page_size=500,
        ):
            if record.resource_id != current:
                if current is not None and row is not None and current in alive:
                    rows.append((alive[current], row))
                    done.add(current)
                    if len(rows) >= batch_size:
                        yield batch()
                        rows = []
                current = record.resource_id
                if current not in registered:
                    raise UnregisteredResource(current)
                row = new_row(month.slots)
            assert row is not None  # the first record of the query started a row
            day = date.fromisoformat(record.day)
            offset = (day.day - 1) * SLOTS_PER_DAY
            row[offset : offset + SLOTS_PER_DAY] = unpack_day(record.samples)
        if current is not None and row is not None and current in alive:
            rows.append((alive[current], row))
            done.add(current)
        for resource_id in sorted(set(alive) - done):
            if len(rows) >= batch_size:
                yield batch()
                rows = []
            rows.append((alive[resource_id], new_row(month.slots)))
        if rows:
            yield batch()
