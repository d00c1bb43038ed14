"""Bill exports through the job pipeline: the bill as PDF (Chinese and English text,
names anonymized, R22) and the details it covers as CSV and XLSX (R4)."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from pypdf import PdfReader
from strawberry.relay import GlobalID

from partner_center.bills.months import Month
from partner_center.bills.store import BillStore
from partner_center.core.money import format_amount
from tests.conftest import Api, Workers
from tests.helpers import JOB, REQUEST_EXPORT, leaked, parse_csv


@pytest.fixture
def clean_queues(local_env: Any, sqs: Any) -> None:
    for key in ("ExportQueueUrl", "ExportDeadLetterQueueUrl"):
        url = local_env.outputs[key]
        while messages := sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0
        ).get("Messages"):
            sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                    for i, m in enumerate(messages)
                ],
            )


def bill_input(
    kind: str, fmt: str, month: str = "2026-10", key: str | None = None
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "kind": kind,
        "format": fmt,
        "partnerBill": {"billId": str(GlobalID("PartnerBill", f"ptn-sp-001:{month}"))},
    }
    if key:
        value["idempotencyKey"] = key
    return {"input": value}


async def export(
    api: Api, workers: Workers, login: str, kind: str, fmt: str, month: str = "2026-10"
) -> tuple[dict[str, Any], bytes]:
    body = await api.gql(login, REQUEST_EXPORT, bill_input(kind, fmt, month))
    assert "errors" not in body, body
    payload = body["data"]["requestExport"]
    assert payload["errors"] == [] and payload["job"]["status"] == "QUEUED", payload
    await workers.drain()
    job = (await api.gql(login, JOB, {"id": payload["job"]["id"]}))["data"]["job"]
    assert job["status"] == "SUCCEEDED", job
    content = httpx.get(job["downloadUrl"]).content
    assert hashlib.sha256(content).hexdigest() == job["sha256"]
    return job, content


def covered(demo: Any, partner_id: str, month: str) -> list[Any]:
    resellers = {
        c.customer_id
        for c in demo.customers
        if c.partner_id == partner_id and c.association == "reseller"
    }
    return [
        line
        for line in demo.lines
        if line.partner_id == partner_id
        and line.bill_date.startswith(month)
        and line.customer_id in resellers
    ]


async def test_r22_the_bill_pdf_reads_in_chinese_and_english_with_names_masked(
    api: Api, workers: Workers, demo: Any, clean_queues: None
) -> None:
    job, content = await export(api, workers, "sp-operator", "PARTNER_BILL", "PDF")
    assert content.startswith(b"%PDF-")
    assert job["fileName"].endswith(".pdf")
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = "".join(text.split())  # a cell may wrap: compare without whitespace
    bill = BillStore("ptn-sp-001").get(Month(2026, 10))
    assert bill is not None
    for label in (
        "伙伴账单",
        "Partner bill 2026-10",
        "应付金额/Amount due",
        "消费金额/Consumption total",
        "客户名称/Customer name",
        "调账/Adjustments",
        "已出账/Generated",
        "月结95峰值/Monthly 95th peak",
        "第 1 页 / Page 1",
    ):
        assert "".join(label.split()) in flat, label
    assert f"{format_amount(bill.amount_due)}CNY" in flat
    assert f"{format_amount(bill.consumption_total)}CNY" in flat
    assert job["rowCount"] == bill.item_count
    # R22: no raw customer, partner or user name anywhere in the file's text ...
    assert leaked(text, demo) == [] and leaked(flat, demo) == []
    # ... and the masked forms are there instead.
    assert "**" in text
    # Not in the file's metadata or raw bytes either (names would be UTF-16 there).
    raw = content.decode("latin-1")
    for value in {c.name for c in demo.customers if c.partner_id == "ptn-sp-001"}:
        assert value.encode("utf-16-be").decode("latin-1") not in raw
    assert leaked(str(reader.metadata), demo) == []


POPPLER = all(shutil.which(tool) for tool in ("pdffonts", "pdftotext", "pdftoppm"))


def poppler(*args: Any) -> bytes:
    return subprocess.run([str(a) for a in args], capture_output=True, check=True).stdout


def ink(pgm: bytes, box: tuple[float, float, float, float]) -> float:
    """The share of dark pixels inside a box (points at 72 dpi) of a binary PGM page."""
    magic, width, height, _, pixels = pgm.split(maxsplit=4)
    assert magic == b"P5"
    w = int(width)
    x0, y0, x1, y1 = (int(v) for v in box)
    dark = total = 0
    for y in range(max(y0, 0), min(y1, int(height))):
        row = pixels[y * w + x0 : y * w + x1]
        dark += sum(1 for v in row if v < 128)
        total += len(row)
    return dark / max(total, 1)


@pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdffonts, pdftotext, pdftoppm) absent")
async def test_the_bill_pdf_embeds_a_cjk_font_subset_and_renders_the_chinese(
    api: Api, workers: Workers, tmp_path: Path, clean_queues: None
) -> None:
    _, content = await export(api, workers, "sp-admin", "PARTNER_BILL", "PDF", "2026-09")
    pdf = tmp_path / "bill.pdf"
    pdf.write_bytes(content)
    # name, type, encoding, emb, sub, uni, object ID: every font but the base-14
    # Helvetica reportlab always declares (and never uses here) is embedded.
    rows = [line.split() for line in poppler("pdffonts", pdf).decode().splitlines()[2:]]
    embedded = [r for r in rows if r[0].endswith("+WenQuanYiMicroHei-0")]
    assert embedded and all(r[-5:-2] == ["yes", "yes", "yes"] for r in embedded), rows
    assert all(r[0] == "Helvetica" or r[-5] == "yes" for r in rows), rows
    # The text of page 1, as poppler reads it through the embedded font's Unicode map.
    text = poppler("pdftotext", "-f", 1, "-l", 1, "-layout", pdf, "-").decode()
    for label in (
        "伙伴账单",
        "客户名称/Customer name",
        "计费模式/Billing mode",
        "应付金额",
        "金额/Amount",
        "第 1 页 / Page 1",
    ):
        assert label in text, label
    # And the glyphs are drawn: page 1 rendered by poppler has ink where the Chinese
    # title word is, and none in the empty margin beside it.
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        poppler("pdftotext", "-f", 1, "-l", 1, "-bbox", pdf, "-").decode(),
    )
    title = next(tuple(map(float, w[:4])) for w in words if w[4] == "伙伴账单")
    page = poppler("pdftoppm", "-f", 1, "-l", 1, "-r", 72, "-gray", pdf)
    assert ink(page, title) > 0.05
    x0, y0, x1, y1 = title
    assert ink(page, (x0 + 600, y0, x1 + 600, y1)) == 0


async def test_r4_the_bill_details_are_exactly_what_the_bill_covers(
    api: Api, workers: Workers, demo: Any, clean_queues: None
) -> None:
    job, content = await export(api, workers, "sp-admin", "PARTNER_BILL_DETAILS", "CSV", "2026-09")
    rows = parse_csv(content)
    header, data = rows[0], rows[1:]
    expected = covered(demo, "ptn-sp-001", "2026-09")
    assert {r[0] for r in data} == {line.line_id for line in expected}
    amount = header.index("金额/Amount")
    bill = BillStore("ptn-sp-001").get(Month(2026, 9))
    assert bill is not None
    assert sum(Decimal(r[amount]) for r in data) == bill.consumption_total
    assert len(data) == bill.detail_count == job["rowCount"]
    assert leaked(content.decode("utf-8-sig"), demo) == []
    assert any(r[0].startswith("p95-202609-") for r in data)


async def test_the_bill_details_export_as_xlsx(
    api: Api, workers: Workers, demo: Any, clean_queues: None
) -> None:
    job, content = await export(api, workers, "sp-admin", "PARTNER_BILL_DETAILS", "XLSX", "2026-08")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    expected = covered(demo, "ptn-sp-001", "2026-08")
    assert len(rows) - 1 == len(expected) == job["rowCount"]
    amount = list(rows[0]).index("金额/Amount")
    # Numbers finance can add up: numeric cells showing two decimals, whose sum (as
    # Excel's SUM adds the doubles) rounds to the exact Decimal total.
    cells = [row[amount] for row in sheet.iter_rows(min_row=2)]
    assert all(c.data_type == "n" and c.number_format == "#,##0.00" for c in cells)
    total = sum(x.amount for x in expected)
    assert Decimal(repr(sum(c.value for c in cells))).quantize(Decimal("0.01")) == total
    assert sum(Decimal(repr(c.value)) for c in cells) == total
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:L{len(rows)}"


@pytest.mark.parametrize(
    ("kind", "fmt"),
    [("PARTNER_BILL", "CSV"), ("PARTNER_BILL", "XLSX"), ("PARTNER_BILL_DETAILS", "PDF")],
)
async def test_each_bill_export_has_its_formats(api: Api, kind: str, fmt: str) -> None:
    body = await api.gql("sp-admin", REQUEST_EXPORT, bill_input(kind, fmt))
    error = body["data"]["requestExport"]["errors"][0]
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", "format")


async def test_consumption_details_are_no_pdf(api: Api) -> None:
    body = await api.gql(
        "sp-admin",
        REQUEST_EXPORT,
        {"input": {"kind": "CONSUMPTION_DETAILS", "format": "PDF", "consumptionDetails": {}}},
    )
    assert body["data"]["requestExport"]["errors"][0]["field"] == "format"


async def test_bill_exports_name_a_generated_bill_of_the_caller(api: Api) -> None:
    missing = await api.gql(
        "sp-admin", REQUEST_EXPORT, bill_input("PARTNER_BILL", "PDF", "2026-07")
    )
    assert missing["data"]["requestExport"]["errors"][0]["code"] == "NOT_FOUND"
    none = await api.gql(
        "sp-admin", REQUEST_EXPORT, {"input": {"kind": "PARTNER_BILL", "format": "PDF"}}
    )
    assert none["data"]["requestExport"]["errors"][0]["field"] == "partnerBill"
    wrong = await api.gql(
        "sp-admin",
        REQUEST_EXPORT,
        {
            "input": {
                "kind": "PARTNER_BILL",
                "format": "PDF",
                "partnerBill": {"billId": str(GlobalID("Customer", "2026-10"))},
            }
        },
    )
    assert wrong["data"]["requestExport"]["errors"][0]["field"] == "partnerBill.billId"
    # Another partner's bill is not found (its file would be that partner's).
    other = await api.gql("sp2-admin", REQUEST_EXPORT, bill_input("PARTNER_BILL", "PDF"))
    assert other["data"]["requestExport"]["errors"][0]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("login", ["sp-operator-noperm", "sp-manager-1", "sp-staff-1"])
async def test_r1_bill_exports_need_the_billing_permission(api: Api, login: str) -> None:
    body = await api.gql(login, REQUEST_EXPORT, bill_input("PARTNER_BILL", "PDF"))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["data"] is None


async def test_a_repeated_bill_export_request_returns_the_same_job(
    api: Api, clean_queues: None
) -> None:
    first = await api.gql(
        "sp-admin", REQUEST_EXPORT, bill_input("PARTNER_BILL", "PDF", key="pdf-oct")
    )
    again = await api.gql(
        "sp-admin", REQUEST_EXPORT, bill_input("PARTNER_BILL", "PDF", key="pdf-oct")
    )
    assert (
        first["data"]["requestExport"]["job"]["id"] == again["data"]["requestExport"]["job"]["id"]
    )
    assert again["data"]["requestExport"]["created"] is False
    other = await api.gql(
        "sp-admin", REQUEST_EXPORT, bill_input("PARTNER_BILL", "PDF", "2026-09", key="pdf-oct")
    )
    assert other["data"]["requestExport"]["errors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"
