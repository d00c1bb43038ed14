"""`partner-center bills generate` runs the scheduled function; `export partner-bill`
saves the PDF."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from pypdf import PdfReader
from typer.testing import CliRunner

from partner_center.bills.months import Month
from partner_center.bills.store import BillStore
from partner_center.cli.main import app
from partner_center.config import get_settings
from partner_center.local.aws_server import free_port
from tests.bills_support import new_partner
from tests.conftest import Workers
from tests.helpers import leaked

runner = CliRunner()


def test_bills_generate_runs_the_scheduled_function(local_env: Any) -> None:
    partner = new_partner("cli")
    partner.charge(partner.customer("reseller"), datetime(2026, 10, 3, 4, tzinfo=UTC), "8.80")
    args = [
        "bills",
        "generate",
        "--month",
        "2026-10",
        "--partner",
        partner.partner_id,
        "--aws",
        local_env.aws.endpoint_url,
    ]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert partner.partner_id in first.output and "generated" in first.output
    bill = BillStore(partner.partner_id).get(Month(2026, 10))
    assert bill is not None and str(bill.consumption_total) == "8.80"
    again = runner.invoke(app, args)
    assert again.exit_code == 0 and "existed already" in again.output
    assert BillStore(partner.partner_id).get(Month(2026, 10)) == bill


def test_bills_generate_refuses_a_month_not_over(local_env: Any) -> None:
    result = runner.invoke(
        app,
        [
            "bills",
            "generate",
            "--month",
            "2999-01",
            "--partner",
            "ptn-t-none",
            "--aws",
            local_env.aws.endpoint_url,
        ],
    )
    assert result.exit_code == 1 and "not ended" in result.output


@pytest.mark.parametrize("month", ["2026-13", "October", "2026-1"])
def test_bills_generate_refuses_a_malformed_month(month: str) -> None:
    result = runner.invoke(app, ["bills", "generate", "--month", month])
    assert result.exit_code == 2


def test_bills_generate_names_a_missing_stack() -> None:
    result = runner.invoke(
        app, ["bills", "generate", "--month", "2026-10", "--aws", f"http://127.0.0.1:{free_port()}"]
    )
    # Not a usage error: two lines saying what to do (tests/test_cli_discovery.py).
    assert result.exit_code == 1 and "partner-center dev" in result.output
    assert "Usage:" not in result.output and len(result.output.strip().splitlines()) == 2


@pytest.fixture(scope="module")
def api_url(demo: Any) -> Iterator[str]:
    from partner_center.api.app import create_app

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(get_settings()), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/graphql"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def running_workers(workers: Workers) -> Iterator[None]:
    stop = threading.Event()
    threads = [
        threading.Thread(target=workers.poller(name).run, args=(stop,), daemon=True)
        for name in ("exportWorker", "exportDeadLetter")
    ]
    for thread in threads:
        thread.start()
    yield
    stop.set()
    for thread in threads:
        thread.join(timeout=10)


def test_export_partner_bill_saves_the_pdf(
    api_url: str, running_workers: None, demo: Any, tmp_path: Path
) -> None:
    target = tmp_path / "bill.pdf"
    result = runner.invoke(
        app,
        [
            "export",
            "partner-bill",
            "--bill",
            "2026-09",
            "--wait",
            "-o",
            str(target),
            "--api",
            api_url,
            "--user",
            "sp-admin",
        ],
    )
    assert result.exit_code == 0, result.output
    text = "".join(page.extract_text() for page in PdfReader(target).pages)
    assert "Partner bill 2026-09" in text and "已确认/Confirmed" in text
    assert leaked(text, demo) == []


def test_export_partner_bill_without_billing_exits_non_zero(api_url: str) -> None:
    result = runner.invoke(
        app,
        [
            "export",
            "partner-bill",
            "--bill",
            "2026-09",
            "--api",
            api_url,
            "--user",
            "sp-operator-noperm",
        ],
    )
    assert result.exit_code == 1 and "FORBIDDEN" in result.output
