"""The export kinds registry: one module per kind, read by the API, the worker and the
docs (R1 menus, R22 columns)."""

from __future__ import annotations

import re
from pathlib import Path

from partner_center.api.jobs.inputs import EXPORT_FILTERS
from partner_center.core.anonymize import ColumnKind
from partner_center.exports import kinds
from partner_center.jobs.model import ExportKind, JobKind
from tests.conftest import Api

ROOT = Path(__file__).resolve().parent.parent


def test_every_export_kind_has_exactly_one_module() -> None:
    registry = kinds.registry()
    assert set(registry) == set(ExportKind)
    for kind, spec in registry.items():
        assert spec.kind is kind
        module = ROOT / "partner_center" / "exports" / "kinds" / f"{kind.value}.py"
        assert module.is_file(), module


def test_export_kinds_are_job_kinds_and_dispatch_is_not_an_export() -> None:
    assert {k.job_kind for k in ExportKind} < set(JobKind)
    assert {JobKind.LEAD_DISPATCH, JobKind.LEAD_RECALL}.isdisjoint({k.job_kind for k in ExportKind})


def test_every_kind_declares_its_columns_for_the_anonymizer() -> None:
    # R22: a column without its kind cannot exist; every kind names at least one column.
    for spec in kinds.registry().values():
        assert spec.columns, spec.kind
        assert all(isinstance(c.kind, ColumnKind) for c in spec.columns), spec.kind
        assert spec.formats, spec.kind


def test_the_api_reads_a_filter_for_every_kind() -> None:
    assert set(EXPORT_FILTERS) == set(kinds.registry())


def test_the_docs_table_is_the_registry() -> None:
    text = (ROOT / "docs" / "exports.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([A-Z_]+)` \| (\w+) \| ([A-Z, ]+) \| `([\w/.]+)` \|$", text, re.M)
    documented = {name: (menu, formats, module) for name, menu, formats, module in rows}
    expected = {
        spec.kind.name: (
            spec.menu.value,
            ", ".join(sorted(f.name for f in spec.formats)),
            f"exports/kinds/{spec.kind.value}.py",
        )
        for spec in kinds.registry().values()
    }
    assert documented == expected


REQUEST = """mutation($input: RequestExportInput!) {
  requestExport(input: $input) { job { id kind } errors { code field } } }"""


async def test_a_lead_dispatch_is_not_an_export(api: Api) -> None:
    body = await api.post("sp-admin", REQUEST, {"input": {"kind": "LEAD_DISPATCH"}})
    assert body.status_code == 200
    answer = body.json()
    # Refused by the schema before anything runs: no job, and the message names the type.
    assert answer.get("data") is None
    assert "ExportKind" in answer["errors"][0]["message"]
