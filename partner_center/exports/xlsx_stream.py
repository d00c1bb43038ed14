"""XLSX encoding in constant memory: rows go to xlsxwriter's temporary files, and the
finished workbook is read back in chunks for the multipart upload."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator

import xlsxwriter

CHUNK_BYTES = 8 * 1024 * 1024
# Excel's sheet limit; longer exports continue on the next sheet.
MAX_ROWS_PER_SHEET = 1_048_576


class XlsxEncoder:
    def __init__(self, headers: list[str]) -> None:
        handle, self._path = tempfile.mkstemp(suffix=".xlsx")
        os.close(handle)
        self._workbook = xlsxwriter.Workbook(self._path, {
            "constant_memory": True, "tmpdir": tempfile.gettempdir(),
            "strings_to_numbers": False, "strings_to_formulas": False,
            "strings_to_urls": False})
        self._headers = headers
        self._bold = self._workbook.add_format({"bold": True})
        self._sheet_number = 0
        self._new_sheet()

    def _new_sheet(self) -> None:
        self._sheet_number += 1
        self._sheet = self._workbook.add_worksheet(f"Sheet{self._sheet_number}")
        self._sheet.write_row(0, 0, self._headers, self._bold)
        self._row = 1

    def encode(self, rows: Iterable[list[str]]) -> bytes:
        for row in rows:
            if self._row >= MAX_ROWS_PER_SHEET:
                self._new_sheet()
            # Cells are text: amounts stay exact decimals, and no cell becomes a formula.
            self._sheet.write_row(self._row, 0, row)
            self._row += 1
        return b""

    def finish(self) -> Iterator[bytes]:
        try:
            self._workbook.close()
            with open(self._path, "rb") as workbook:
                while chunk := workbook.read(CHUNK_BYTES):
                    yield chunk
        finally:
            os.unlink(self._path)
