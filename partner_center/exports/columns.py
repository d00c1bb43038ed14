"""The one choke point between stored rows and export files (R22).

Every column declares the kind of data it holds; the anonymizer masks each cell by that
kind and refuses a column that declares none, so a new column cannot slip personal data
into a file by omission. A column also says what its cells are in a spreadsheet
(`exports/cells.py`) and how wide it is; that typing reads the masked text, so it
cannot bypass the mask.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from partner_center.core.anonymize import ColumnKind, mask
from partner_center.exports.cells import TEXT, Cell, CellType


@dataclass(frozen=True)
class Column:
    header: str
    kind: ColumnKind
    value: Callable[[Any], object]
    cell: Cell = TEXT
    # In characters; the cell type's default when not declared.
    width: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.kind, ColumnKind):
            raise TypeError(f"export column {self.header!r} must declare its ColumnKind")
        if self.kind is not ColumnKind.PLAIN and self.cell.type is not CellType.TEXT:
            # A masked value is text by nature ("138****5678"): never a number or a date.
            raise TypeError(f"export column {self.header!r} is masked, so its cells are text")

    @property
    def column_width(self) -> float:
        return self.width if self.width is not None else self.cell.width


class Anonymizer:
    """Turns a record into the cells of one export row, masked column by column."""

    def __init__(self, columns: Sequence[Column]) -> None:
        if not columns:
            raise ValueError("an export needs at least one column")
        for column in columns:
            if not isinstance(column, Column):
                raise TypeError("export columns must be Column instances with a kind")
        self.columns = list(columns)
        self.headers = [c.header for c in columns]
        self._cells = [(c.value, c.kind) for c in columns]

    def row(self, record: Any) -> list[str]:
        return [mask(kind, value(record)) for value, kind in self._cells]
