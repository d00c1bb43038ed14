"""XLSX cells finance can add up: typed from the masked text, exact or left as text."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from partner_center.core.anonymize import ColumnKind
from partner_center.exports import xlsx_stream
from partner_center.exports.cells import COUNT, DATE, INSTANT, MONEY, QUANTITY
from partner_center.exports.columns import Anonymizer, Column
from partner_center.exports.xlsx_stream import XlsxEncoder

COLUMNS = [
    Column("客户ID/Customer ID", ColumnKind.PLAIN, lambda r: r["id"], width=18),
    Column("客户名称/Customer name", ColumnKind.NAME, lambda r: r["name"], width=20),
    Column("账单日期/Bill date", ColumnKind.PLAIN, lambda r: r["day"], DATE),
    Column("时间(北京时间)/At (UTC+8)", ColumnKind.PLAIN, lambda r: r["at"], INSTANT),
    Column("用量/Usage", ColumnKind.PLAIN, lambda r: r["usage"], QUANTITY),
    Column("数量/Quantity", ColumnKind.PLAIN, lambda r: r["count"], COUNT),
    Column("金额/Amount", ColumnKind.PLAIN, lambda r: r["amount"], MONEY),
]
RECORDS = [
    {
        "id": "007123",
        "name": "张三丰",
        "day": "2026-10-01",
        "at": "2026-10-01 08:30:05",
        "usage": "1.50",
        "count": "3",
        "amount": "128.50",
    },
    {
        "id": "c-2",
        "name": "阿里云计算有限公司",
        "day": "2026-10-31",
        "at": "2026-10-31 23:59:59",
        "usage": "0.000125",
        "count": "12",
        "amount": "0.0035",
    },
    # Beyond what a double holds exactly, or not canonical: kept as text.
    {
        "id": "c-3",
        "name": "",
        "day": "not a date",
        "at": "",
        "usage": "1e5",
        "count": "007",
        "amount": "1234567890123456.78",
    },
    {
        "id": "c-4",
        "name": "李四",
        "day": "2026-09-15",
        "at": "2026-09-15 00:00:00",
        "usage": "10",
        "count": "1",
        "amount": "-20.10",
    },
]


def workbook(records: list[dict[str, str]]) -> openpyxl.Workbook:
    anonymizer = Anonymizer(COLUMNS)
    encoder = XlsxEncoder(anonymizer.headers, anonymizer.columns)
    encoder.encode([anonymizer.row(r) for r in records])
    return openpyxl.load_workbook(io.BytesIO(b"".join(encoder.finish())))


def test_numbers_dates_and_instants_are_typed_cells_with_exact_formats() -> None:
    sheet = workbook(RECORDS).active
    first, second, odd, negative = (list(r) for r in sheet.iter_rows(min_row=2))
    # IDs stay text, leading zeros and all; masked names stay text (R22).
    assert (first[0].data_type, first[0].value) == ("s", "007123")
    assert (first[1].value, second[1].value) == ("张**", "阿里****")
    assert first[2].value == datetime(2026, 10, 1) and first[2].number_format == "yyyy-mm-dd"
    assert first[3].value == datetime(2026, 10, 1, 8, 30, 5)
    assert first[3].number_format == "yyyy-mm-dd hh:mm:ss"
    assert (first[4].value, first[4].number_format) == (1.5, "#,##0.00")
    assert (second[4].value, second[4].number_format) == (0.000125, "#,##0.000000")
    assert (first[5].value, first[5].number_format) == (3, "#,##0")
    assert (first[6].value, first[6].number_format) == (128.5, "#,##0.00")
    # A unit price with more decimals than the column's two shows all of them.
    assert (second[6].value, second[6].number_format) == (0.0035, "#,##0.0000")
    assert (negative[6].value, negative[6].number_format) == (-20.1, "#,##0.00")
    # What a number cell would not show exactly stays the text the CSV holds.
    assert [c.value for c in odd[2:]] == ["not a date", None, "1e5", "007", "1234567890123456.78"]
    assert all(c.data_type == "s" for c in (odd[2], odd[4], odd[5], odd[6]))


def test_a_sum_over_the_amounts_equals_the_decimal_total() -> None:
    amounts = [f"{n * 7.13:.2f}" for n in range(1, 2001)]
    records = [dict(RECORDS[0], amount=a) for a in amounts]
    sheet = workbook(records).active
    cells = [row[6] for row in sheet.iter_rows(min_row=2)]
    assert all(c.data_type == "n" for c in cells)
    excel_sum = sum(c.value for c in cells)  # doubles added in order, as SUM does
    total = sum(Decimal(a) for a in amounts)
    assert Decimal(repr(excel_sum)).quantize(Decimal("0.01")) == total


def test_the_sheet_has_widths_a_frozen_header_and_an_autofilter() -> None:
    sheet = workbook(RECORDS).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:G5"
    widths = {key: dim.width for key, dim in sheet.column_dimensions.items()}
    assert widths["A"] == pytest.approx(18, abs=1) and widths["B"] == pytest.approx(20, abs=1)
    assert widths["D"] == pytest.approx(INSTANT.width, abs=1)
    assert widths["G"] == pytest.approx(MONEY.width, abs=1)
    header = sheet["A1"]
    assert header.font.bold and header.alignment.wrap_text


def test_every_sheet_of_a_long_export_gets_the_header_filter_and_freeze(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(xlsx_stream, "MAX_ROWS_PER_SHEET", 3)
    book = workbook(RECORDS)
    assert book.sheetnames == ["Sheet1", "Sheet2"]
    first, second = book["Sheet1"], book["Sheet2"]
    assert first.auto_filter.ref == "A1:G3" and second.auto_filter.ref == "A1:G3"
    assert second.freeze_panes == "A2" and second["A1"].value == "客户ID/Customer ID"
    assert second["G2"].value == "1234567890123456.78"


def test_a_masked_column_cannot_be_typed() -> None:
    with pytest.raises(TypeError, match="masked"):
        Column("买家手机/Buyer phone", ColumnKind.PHONE, lambda r: r, MONEY)


def test_xlsx_writes_in_constant_memory() -> None:
    encoder = XlsxEncoder(["a"], [Column("a", ColumnKind.PLAIN, lambda r: r, MONEY)])
    assert encoder._workbook.constant_memory
    list(encoder.finish())


def test_plain_text_dates_are_not_shifted() -> None:
    sheet = workbook([RECORDS[3]]).active
    assert sheet["C2"].value.date() == date(2026, 9, 15)
    assert sheet["D2"].value == datetime(2026, 9, 15, 0, 0, 0)
