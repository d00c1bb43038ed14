"""What an export writes: its columns, its records page by page, and its file name.

Each export kind contributes one `plan_*` function; the runner is the same for all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from partner_center.exports.columns import Column
from partner_center.jobs.model import Job


@dataclass
class ExportPlan:
    columns: list[Column]
    pages: Iterator[list[Any]]
    file_stem: str
    # Fraction done (0..1) after a given record; the job's progress is derived from it.
    progress: Callable[[Any], float]


PlanFactory = Callable[[Job], ExportPlan]
