"""PDF documents (the partner bill): a cover of labelled values, then the rows as a table.

Text is set in WenQuanYi Micro Hei (Apache-2.0, `exports/fonts/README.md`), a
TrueType font covering Chinese and Latin: reportlab embeds the subset of glyphs a
document uses, so every viewer shows the Chinese whether or not it has Asian fonts of
its own (a CID font such as STSong-Light is only named in the file, never embedded,
and shows blank where the reader lacks it). The 5 MB font is read only when the first
PDF is written. A PDF is laid out as a whole, so rows are kept until `finish`, which builds the
document into a temporary file and hands it back in chunks for the multipart upload;
the documents exported this way (bill items) are bounded by customers × products.
Output is byte-for-byte reproducible (reportlab's invariant mode): a retried job writes
the same file.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "WenQuanYiMicroHei"
FONT_NAME = "wqy-microhei.ttc"
# In Lambda the font is not in the code zip but in the PDF layer, the one the export
# worker alone carries (serverless.yml): /opt/python/partner_center_fonts/.
LAYER_FONTS = "partner_center_fonts"


def font_file() -> Path:
    """The CJK font: beside this module in the source tree, else in the PDF layer."""
    candidates = [Path(__file__).parent / "fonts" / FONT_NAME]
    candidates += [Path(entry) / LAYER_FONTS / FONT_NAME for entry in sys.path if entry]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"the PDF font {FONT_NAME} is neither in partner_center/exports/"
        f"fonts nor in a {LAYER_FONTS} folder on sys.path (the PDF layer)"
    )


# Landscape: a bill's item table has room for its bilingual headers on one line.
PAGE = landscape(A4)
MARGIN = 15 * mm
CHUNK_BYTES = 8 * 1024 * 1024
_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        # Glyf-outline TrueType, which reportlab can subset and embed (it cannot CFF);
        # face 0 of the collection is the proportional "Micro Hei".
        pdfmetrics.registerFont(TTFont(FONT, str(font_file()), subfontIndex=0))
        _registered = True
    return FONT


def _escape(text: str) -> str:
    """Paragraph text is mini-markup: cell values must not be read as tags."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class PdfEncoder:
    def __init__(self, headers: list[str], columns: Sequence[Any] | None = None) -> None:
        # Cells are the masked text as is; the columns' cell types are for XLSX.
        self._headers = headers
        self._rows: list[list[str]] = []
        self._title = ""
        self._cover: list[tuple[str, str]] = []

    def set_cover(self, title: str, cells: list[tuple[str, str]]) -> None:
        self._title, self._cover = title, cells

    def encode(self, rows: Iterable[list[str]]) -> bytes:
        self._rows.extend(rows)
        return b""

    def _story(self) -> list[Any]:
        font = _font()
        title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=4 * mm)
        cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10)
        story: list[Any] = [Paragraph(_escape(self._title), title)]
        if self._cover:
            cover = Table(
                [
                    [Paragraph(_escape(k), cell), Paragraph(_escape(v), cell)]
                    for k, v in self._cover
                ],
                colWidths=[60 * mm, 110 * mm],
                hAlign="LEFT",
            )
            cover.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                        ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story += [cover, Spacer(1, 6 * mm)]
        header = [Paragraph(_escape(h), cell) for h in self._headers]
        body = [[Paragraph(_escape(v), cell) for v in row] for row in self._rows]
        width = (PAGE[0] - 2 * MARGIN) / max(len(self._headers), 1)
        table = Table(
            [header, *body], repeatRows=1, hAlign="LEFT", colWidths=[width] * len(self._headers)
        )
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
        return story

    @staticmethod
    def _footer(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(_font(), 8)
        canvas.drawRightString(
            PAGE[0] - MARGIN, 10 * mm, f"第 {document.page} 页 / Page {document.page}"
        )
        canvas.restoreState()

    def finish(self) -> Iterator[bytes]:
        handle, path = tempfile.mkstemp(suffix=".pdf")
        os.close(handle)
        try:
            document = SimpleDocTemplate(
                path,
                pagesize=PAGE,
                invariant=1,
                title=self._title,
                author="Partner Center",
                leftMargin=MARGIN,
                rightMargin=MARGIN,
                topMargin=MARGIN,
                bottomMargin=18 * mm,
            )
            document.build(self._story(), onFirstPage=self._footer, onLaterPages=self._footer)
            self._rows = []
            with open(path, "rb") as built:
                while chunk := built.read(CHUNK_BYTES):
                    yield chunk
        finally:
            os.unlink(path)
