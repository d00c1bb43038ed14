"""The export kinds: one module each, and the registry that finds them.

A kind module declares `KIND = ExportKindSpec(...)`: what the export is called, which
menu its data belongs to (R1), the formats it is written in, its columns (each with its
anonymization kind, R22) and its plan (the records, page by page, and the progress).
The API, the worker and the documentation read the registry, so adding an export is a
new module here, its `ExportKind` member, and the API's input for its filter.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from partner_center.core.auth import Menu
from partner_center.exports.columns import Column
from partner_center.exports.plan import PlanFactory
from partner_center.jobs.model import ExportFormat, ExportKind

# Tables are written as CSV or XLSX; documents (a bill) as PDF.
TABLE_FORMATS = frozenset({ExportFormat.CSV, ExportFormat.XLSX})
DOCUMENT_FORMATS = frozenset({ExportFormat.PDF})


@dataclass(frozen=True)
class ExportKindSpec:
    kind: ExportKind
    title: str  # "Consumption details": what the documentation calls it
    menu: Menu  # R1: the menu whose data it holds
    formats: frozenset[ExportFormat]
    columns: Sequence[Column]  # a document's table; its cover declares its own fields
    plan: PlanFactory


@lru_cache(maxsize=1)
def registry() -> Mapping[ExportKind, ExportKindSpec]:
    """Every kind module of this package, by kind. A kind declared twice, or an
    `ExportKind` without a module, is an error at the first use, not a missing export."""
    found: dict[ExportKind, ExportKindSpec] = {}
    for module in pkgutil.iter_modules(__path__):
        spec = getattr(importlib.import_module(f"{__name__}.{module.name}"), "KIND", None)
        if spec is None:
            continue  # a helper module shared by kinds
        if spec.kind in found:
            raise RuntimeError(f"export kind {spec.kind} is declared twice")
        found[spec.kind] = spec
    missing = set(ExportKind) - found.keys()
    if missing:
        raise RuntimeError(f"no module declares export kinds {sorted(missing)}")
    return dict(sorted(found.items()))


def spec(kind: ExportKind) -> ExportKindSpec:
    return registry()[kind]
