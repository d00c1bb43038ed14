"""`partner-center leads dispatch|recall --wait` against a running API and worker."""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from partner_center.cli.main import app
from tests.conftest import Workers
from tests.leads_helpers import STAFF_1, gid, lead_now, make_leads, personal
from tests.test_cli import api_url  # noqa: F401 - the module's running API

runner = CliRunner()


@pytest.fixture
def dispatch_worker(workers: Workers) -> Iterator[None]:
    stop = threading.Event()
    thread = threading.Thread(
        target=workers.poller("dispatchWorker").run, args=(stop,), daemon=True
    )
    thread.start()
    yield
    stop.set()
    thread.join(timeout=10)


def test_dispatch_wait_saves_the_masked_report(
    api_url: str,  # noqa: F811
    dispatch_worker: None,
    tmp_path: Path,
) -> None:
    leads = make_leads(12)
    ids = tmp_path / "leads.txt"
    ids.write_text("\n".join(gid("Lead", lead.lead_id) for lead in leads[1:]) + "\n")
    target = tmp_path / "report.csv"
    result = runner.invoke(
        app,
        [
            "leads",
            "dispatch",
            "--user",
            "sp-operator",
            "--api",
            api_url,
            "--lead",
            gid("Lead", leads[0].lead_id),
            "--from-file",
            str(ids),
            "--staff",
            gid("User", STAFF_1),
            "--wait",
            "-o",
            str(target),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "12 leads changed, 0 refused" in result.output
    text = target.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines()))
    assert len(rows) == 13
    assert [v for v in personal(leads) if v in text] == []
    assert all(lead_now("ptn-sp-001", lead.lead_id).assignee_id == STAFF_1 for lead in leads)

    # Recalling twice: the second run refuses every lead (exit 3), each for its reason.
    args = [
        "leads",
        "recall",
        "--user",
        "sp-admin",
        "--api",
        api_url,
        "--from-file",
        str(ids),
        "--wait",
        "-o",
        str(tmp_path / "recall.csv"),
    ]
    assert runner.invoke(app, args).exit_code == 0
    again = runner.invoke(app, args)
    assert again.exit_code == 3, again.output
    assert "0 leads changed, 11 refused" in again.output
    assert "ALREADY_RECALLED" in (tmp_path / "recall.csv").read_text(encoding="utf-8-sig")


def test_dispatch_without_permission_exits_non_zero(api_url: str) -> None:  # noqa: F811
    result = runner.invoke(
        app,
        [
            "leads",
            "dispatch",
            "--user",
            "sp-staff-1",
            "--api",
            api_url,
            "--lead",
            gid("Lead", "x"),
            "--staff",
            gid("User", STAFF_1),
        ],
    )
    assert result.exit_code == 1
    assert "FORBIDDEN" in result.output


def test_dispatch_without_leads_is_refused() -> None:
    result = runner.invoke(app, ["leads", "dispatch", "--user", "sp-admin", "--staff", "x"])
    assert result.exit_code == 2
