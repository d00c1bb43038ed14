"""`partner-center export adjustment-records`, as a user runs it against the API."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from partner_center.cli.main import app
from partner_center.customers.models import AdjustmentItem
from tests.helpers import leaked
from tests.test_cli import api_url, running_workers  # noqa: F401  (fixtures)

runner = CliRunner()


def test_adjustment_records_export_waits_and_saves(
    api_url: str,  # noqa: F811
    running_workers: None,  # noqa: F811
    tmp_path: Path,
    demo: Any,
) -> None:
    target = tmp_path / "adjustments.csv"
    result = runner.invoke(
        app,
        [
            "export",
            "adjustment-records",
            "--user",
            "sp-admin",
            "--api",
            api_url,
            "--type",
            "credit",
            "--from",
            "2026-09-01",
            "--to",
            "2026-10-31",
            "--wait",
            "-o",
            str(target),
        ],
    )
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines()))
    expected = [
        r
        for r in AdjustmentItem.query("ptn-sp-001")
        if r.adjustment_type == "credit" and "2026-09-01" <= r.bill_date <= "2026-10-31"
    ]
    assert len(rows) - 1 == len(expected) > 0
    assert leaked(text, demo) == []


def test_adjustment_records_export_refuses_bad_options() -> None:
    bad_type = runner.invoke(
        app, ["export", "adjustment-records", "--user", "sp-admin", "--type", "refund"]
    )
    assert bad_type.exit_code == 2
    bad_date = runner.invoke(
        app, ["export", "adjustment-records", "--user", "sp-admin", "--from", "2026/09/01"]
    )
    assert bad_date.exit_code == 2
    unknown = runner.invoke(app, ["export", "adjustment-records", "--product", "ECS"])
    assert unknown.exit_code == 2


def test_adjustment_records_export_without_permission_fails(
    api_url: str,  # noqa: F811
) -> None:
    result = runner.invoke(
        app, ["export", "adjustment-records", "--user", "md-admin", "--api", api_url]
    )
    assert result.exit_code == 1 and "FORBIDDEN" in result.output
