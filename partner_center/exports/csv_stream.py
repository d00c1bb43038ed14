"""CSV encoding in chunks: rows in, UTF-8 bytes out, a page at a time."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

# Spreadsheet programs read a BOM-less CSV as the local code page and garble Chinese.
UTF8_BOM = "\ufeff"


class CsvEncoder:
    def __init__(self, headers: list[str], columns: Sequence[Any] | None = None) -> None:
        # Every cell is the masked text as is; the columns' cell types are for XLSX.
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")
        self._buffer.write(UTF8_BOM)
        self._writer.writerow(headers)

    def encode(self, rows: Iterable[list[str]]) -> bytes:
        """Append rows and hand back everything encoded since the last call."""
        self._writer.writerows(rows)
        return self._drain()

    def _drain(self) -> bytes:
        data = self._buffer.getvalue().encode("utf-8")
        self._buffer.seek(0)
        self._buffer.truncate()
        return data

    def finish(self) -> Iterator[bytes]:
        yield self._drain()
