"""`partner-center export marketplace-bill-details` against a running API and workers."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from partner_center.cli.main import app
from partner_center.local.demo import marketplace as marketplace_demo
from tests.test_cli import api_url, running_workers  # noqa: F401 - fixtures

runner = CliRunner()


def test_cli_exports_a_months_solution_bill(
    api_url: str,  # noqa: F811 - the fixture imported above
    running_workers: None,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    target = tmp_path / "bill.csv"
    result = runner.invoke(
        app,
        [
            "export",
            "marketplace-bill-details",
            "--user",
            "sp-admin",
            "--api",
            api_url,
            "--month",
            "2026-08",
            "--wait",
            "-o",
            str(target),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(target.read_text(encoding="utf-8-sig").splitlines()))
    generated = marketplace_demo.generate()
    expected = [
        t
        for t in generated.transactions
        if t.partner_id == "ptn-sp-001" and t.bill_id == "2026-08.product_solution"
    ]
    assert len(rows) - 1 == len(expected) > 0
    text = target.read_text(encoding="utf-8-sig")
    assert not [v for v in marketplace_demo.buyers(generated) if len(v) >= 2 and v in text]


def test_cli_refuses_a_non_exportable_bill_and_bad_options(api_url: str) -> None:  # noqa: F811
    from strawberry.relay import GlobalID

    saas = str(GlobalID("MarketplaceBill", "ptn-sp-001:2026-09.saas"))
    result = runner.invoke(
        app,
        [
            "export",
            "marketplace-bill-details",
            "--user",
            "sp-admin",
            "--api",
            api_url,
            "--bill",
            saas,
        ],
    )
    assert result.exit_code == 1 and "BILL_NOT_EXPORTABLE" in result.output
    for options in (["--month", "2026-13"], [], ["--month", "2026-09", "--bill", saas]):
        result = runner.invoke(
            app, ["export", "marketplace-bill-details", "--user", "sp-admin", *options]
        )
        assert result.exit_code == 2, options
