"""What a column's cells are in a spreadsheet: text, a number, a date or an instant.

CSV and PDF write every cell as the text the anonymizer produced. A spreadsheet should
let finance add the amounts up, so an XLSX cell is typed from that same (already
masked) text: a typed value is only ever a reading of the text that CSV holds, never a
second path around the masking rules (R22).

A value becomes a number only when the number is exactly the text:

- the text is the canonical decimal (`format(Decimal(text), "f") == text`), so `007`,
  `1e5` or ` 12` stay text rather than turning into 7, 100000 or 12;
- it has at most 15 significant digits, what an IEEE double (and so Excel) holds and
  shows exactly; a longer amount stays text, since Excel would round it.

Its number format shows the column's declared decimals, or the value's own when it has
more (a unit price of 0.0035 CNY in a two-decimal column shows four), so the cell
displays exactly what the CSV says. Dates and instants (already in Beijing time,
which the headers say) become date cells when they parse; anything else stays text.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

# Excel shows (and an IEEE double keeps) 15 significant decimal digits.
MAX_EXACT_DIGITS = 15
INSTANT_TEXT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "yyyy-mm-dd"
INSTANT_FORMAT = "yyyy-mm-dd hh:mm:ss"


class CellType(enum.StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    INSTANT = "instant"  # a Beijing-time date and time, written "YYYY-MM-DD HH:MM:SS"


@dataclass(frozen=True)
class Cell:
    """A column's spreadsheet cell: its type, the decimals it shows at least, and the
    width (in characters) its column gets when the declaration gives none."""

    type: CellType
    places: int = 0
    width: float = 16

    def typed(self, text: str) -> tuple[float | date | datetime, str] | None:
        """The value and number format to write for `text`, or None to keep it text."""
        if not text:
            return None
        match self.type:
            case CellType.NUMBER:
                return _number(text, self.places)
            case CellType.DATE:
                try:
                    return date.fromisoformat(text), DATE_FORMAT
                except ValueError:
                    return None
            case CellType.INSTANT:
                try:
                    return datetime.strptime(text, INSTANT_TEXT), INSTANT_FORMAT
                except ValueError:
                    return None
        return None


def _number(text: str, places: int) -> tuple[float, str] | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or f"{value:f}" != text:
        return None
    if len(value.normalize().as_tuple().digits) > MAX_EXACT_DIGITS:
        return None
    exponent = value.as_tuple().exponent
    shown = max(places, -exponent if isinstance(exponent, int) else 0)
    return float(value), number_format(shown)


def number_format(places: int) -> str:
    return "#,##0" + ("." + "0" * places if places else "")


TEXT = Cell(CellType.TEXT)
# Amounts in CNY: two decimals (more where the stored amount has them, e.g. unit prices).
MONEY = Cell(CellType.NUMBER, places=2, width=14)
COUNT = Cell(CellType.NUMBER, places=0, width=10)
# Usage in its unit, with the decimals each value has.
QUANTITY = Cell(CellType.NUMBER, places=0, width=14)
DATE = Cell(CellType.DATE, width=12)
INSTANT = Cell(CellType.INSTANT, width=20)
