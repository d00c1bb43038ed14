"""XLSX encoding in constant memory: rows go to xlsxwriter's temporary files, and the
finished workbook is read back in chunks for the multipart upload.

Cells are typed by their column's declaration (`exports/cells.py`): amounts and counts
are numbers finance can add up, dates and Beijing-time instants are date cells, the rest
text. Every sheet has the declared column widths, a frozen header row and an autofilter.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import xlsxwriter

from partner_center.exports.cells import TEXT, Cell
from partner_center.exports.columns import Column

CHUNK_BYTES = 8 * 1024 * 1024
# Excel's sheet limit; longer exports continue on the next sheet.
MAX_ROWS_PER_SHEET = 1_048_576
# Bilingual headers ("金额/Amount") wrap onto a second line in a column of data width.
HEADER_HEIGHT = 32


class XlsxEncoder:
    def __init__(self, headers: list[str], columns: Sequence[Column] | None = None) -> None:
        handle, self._path = tempfile.mkstemp(suffix=".xlsx")
        os.close(handle)
        self._workbook = xlsxwriter.Workbook(
            self._path,
            {
                "constant_memory": True,
                "tmpdir": tempfile.gettempdir(),
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self._headers = headers
        self._cells: list[Cell] = [c.cell for c in columns] if columns else [TEXT] * len(headers)
        self._widths = [c.column_width for c in columns] if columns else [TEXT.width] * len(headers)
        self._header_format = self._workbook.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#F2F2F2"}
        )
        self._formats: dict[str, Any] = {}
        self._sheet_number = 0
        self._new_sheet()

    def _format(self, number_format: str) -> Any:
        found = self._formats.get(number_format)
        if found is None:
            found = self._formats[number_format] = self._workbook.add_format(
                {"num_format": number_format}
            )
        return found

    def _new_sheet(self) -> None:
        if self._sheet_number:
            self._close_sheet()
        self._sheet_number += 1
        self._sheet = self._workbook.add_worksheet(f"Sheet{self._sheet_number}")
        for index, width in enumerate(self._widths):
            self._sheet.set_column(index, index, width)
        self._sheet.freeze_panes(1, 0)
        # constant_memory writes rows in order, so the header row's height is set first.
        self._sheet.set_row(0, HEADER_HEIGHT)
        self._sheet.write_row(0, 0, self._headers, self._header_format)
        self._row = 1

    def _close_sheet(self) -> None:
        # The filter covers the header and every data row of the sheet.
        self._sheet.autofilter(0, 0, max(self._row - 1, 0), len(self._headers) - 1)

    def encode(self, rows: Iterable[list[str]]) -> bytes:
        sheet, cells = self._sheet, self._cells
        for row in rows:
            if self._row >= MAX_ROWS_PER_SHEET:
                self._new_sheet()
                sheet = self._sheet
            for col, text in enumerate(row):
                if not text:
                    continue  # a blank cell, not an empty string: filters show "(Blanks)"
                typed = cells[col].typed(text)
                if typed is None:
                    # Text stays text: never a formula, a URL or a guessed number.
                    sheet.write_string(self._row, col, text)
                elif isinstance(typed[0], float):
                    sheet.write_number(self._row, col, typed[0], self._format(typed[1]))
                else:
                    sheet.write_datetime(self._row, col, typed[0], self._format(typed[1]))
            self._row += 1
        return b""

    def finish(self) -> Iterator[bytes]:
        try:
            self._close_sheet()
            self._workbook.close()
            with open(self._path, "rb") as workbook:
                while chunk := workbook.read(CHUNK_BYTES):
                    yield chunk
        finally:
            os.unlink(self._path)
