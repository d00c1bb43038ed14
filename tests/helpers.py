"""Queries and checks the tests share."""

from __future__ import annotations

import csv
import io
from typing import Any

from partner_center.local.demo_data import DemoData

REQUEST_EXPORT = """
mutation($input: RequestExportInput!) {
  requestExport(input: $input) {
    created
    job { id status kind format parameters attempts }
    errors { code field message }
  }
}"""

JOB = """
query($id: ID!) {
  job(id: $id) {
    id status progress rowCount byteSize sha256 fileName errorCode lastAttemptError
    attempts downloadUrl downloadUrlExpiresAt finishedAt
  }
}"""


def export_input(filters: dict[str, Any] | None = None, key: str | None = None) -> dict[str, Any]:
    value: dict[str, Any] = {
        "kind": "CONSUMPTION_DETAILS",
        "format": "CSV",
        "consumptionDetails": filters or {},
    }
    if key:
        value["idempotencyKey"] = key
    return {"input": value}


def personal_values(data: DemoData) -> set[str]:
    """Every raw personal value in the demo data (names, phones, emails, account names)."""
    values: set[str] = set()
    for customer in data.customers:
        values.update(
            {
                customer.name,
                customer.contact_phone or "",
                customer.contact_email or "",
                customer.account_name,
            }
        )
    values.update(item.name for item in data.directory)
    return {v for v in values if len(v) >= 2}


def leaked(text: str, data: DemoData) -> list[str]:
    return sorted(v for v in personal_values(data) if v in text)


def parse_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
