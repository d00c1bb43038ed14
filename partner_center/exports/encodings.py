"""File formats of exports: how rows become bytes, and what the file is called."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from partner_center.exports.columns import Column
from partner_center.exports.csv_stream import CsvEncoder
from partner_center.jobs.model import ExportFormat


class Encoder(Protocol):
    def encode(self, rows: Iterable[list[str]]) -> bytes: ...

    def finish(self) -> Iterator[bytes]: ...


class DocumentEncoder(Encoder, Protocol):
    def set_cover(self, title: str, cells: list[tuple[str, str]]) -> None: ...


@dataclass(frozen=True)
class Encoding:
    # Called with the headers and the columns (whose cell types XLSX writes).
    encoder: Callable[[list[str], list[Column]], Encoder]
    content_type: str
    # A document opens with the plan's cover (already masked); a table has none.
    document: bool = False


# The format writers are imported when a file of their format is written, not when the
# worker starts: reportlab (with its fonts) and xlsxwriter cost a cold start more than
# the rest of the worker, and most exports are CSV.
def _xlsx(headers: list[str], columns: list[Column]) -> Encoder:
    from partner_center.exports.xlsx_stream import XlsxEncoder

    return XlsxEncoder(headers, columns)


def _pdf(headers: list[str], columns: list[Column]) -> Encoder:
    from partner_center.exports.pdf_stream import PdfEncoder

    return PdfEncoder(headers, columns)


ENCODINGS: dict[ExportFormat, Encoding] = {
    ExportFormat.CSV: Encoding(CsvEncoder, "text/csv; charset=utf-8"),
    ExportFormat.XLSX: Encoding(
        _xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
    ExportFormat.PDF: Encoding(_pdf, "application/pdf", document=True),
}
