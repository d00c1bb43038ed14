"""What an export writes: its columns, its records page by page, and its file name.

Each export kind's module (`exports/kinds/`) has its `plan`; the runner is the same for all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from partner_center.exports.columns import Anonymizer, Column
from partner_center.jobs.model import Job


@dataclass(frozen=True)
class Cover:
    """The first part of a document export (a PDF): a title and labelled values of one
    record. Its fields are columns like any other, so they pass the same anonymizer."""

    title: str
    fields: list[Column]
    record: Any

    def cells(self) -> list[tuple[str, str]]:
        anonymizer = Anonymizer(self.fields)
        return list(zip(anonymizer.headers, anonymizer.row(self.record), strict=True))


@dataclass
class ExportPlan:
    columns: list[Column]
    pages: Iterator[list[Any]]
    file_stem: str
    # Fraction done (0..1) after a given record; the job's progress is derived from it.
    progress: Callable[[Any], float]
    # Document formats (PDF) open with it; table formats (CSV, XLSX) have no place for it.
    cover: Cover | None = None


PlanFactory = Callable[[Job], ExportPlan]
