"""The command line against a running API (uvicorn) and workers, as a newcomer uses it."""

from __future__ import annotations

import csv
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from partner_center.cli.main import app
from partner_center.config import get_settings
from partner_center.local.aws_server import free_port
from tests.conftest import Workers
from tests.helpers import leaked

runner = CliRunner()


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


def test_token_command_prints_a_jwt() -> None:
    result = runner.invoke(app, ["token", "--user", "sp-admin"])
    assert result.exit_code == 0 and result.stdout.count(".") == 2


def test_token_for_an_unknown_login_is_refused() -> None:
    result = runner.invoke(app, ["token", "--user", "nobody"])
    assert result.exit_code != 0


def test_export_wait_saves_the_anonymized_file(
    api_url: str, running_workers: None, tmp_path: Path, demo: Any
) -> None:
    target = tmp_path / "details.csv"
    result = runner.invoke(
        app,
        [
            "export",
            "consumption-details",
            "--user",
            "sp-admin",
            "--api",
            api_url,
            "--from",
            "2026-09-01",
            "--to",
            "2026-09-30",
            "--format",
            "csv",
            "--wait",
            "-o",
            str(target),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(target.read_text(encoding="utf-8-sig").splitlines()))
    expected = [
        line
        for line in demo.lines
        if line.partner_id == "ptn-sp-001" and "2026-09-01" <= line.bill_date <= "2026-09-30"
    ]
    assert len(rows) - 1 == len(expected)
    assert leaked(target.read_text(encoding="utf-8-sig"), demo) == []


def test_export_without_permission_exits_non_zero(api_url: str) -> None:
    result = runner.invoke(
        app, ["export", "consumption-details", "--user", "md-admin", "--api", api_url, "--wait"]
    )
    assert result.exit_code == 1
    assert "FORBIDDEN" in result.output


def test_export_unknown_filter_is_refused() -> None:
    result = runner.invoke(app, ["export", "consumption-details", "--colour", "red"])
    assert result.exit_code == 2


def test_export_bad_date_is_refused() -> None:
    result = runner.invoke(
        app, ["export", "consumption-details", "--user", "sp-admin", "--from", "yesterday"]
    )
    assert result.exit_code == 2


def test_failed_job_exits_non_zero_with_its_code(
    api_url: str, running_workers: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PC_FAULTS", "export.start=raise")
    result = runner.invoke(
        app,
        [
            "export",
            "consumption-details",
            "--user",
            "sp-admin",
            "--api",
            api_url,
            "--product",
            "OBS",
            "--wait",
        ],
    )
    assert result.exit_code == 1
    assert "RETRIES_EXHAUSTED" in result.output


def test_unreachable_api_is_a_clear_error() -> None:
    result = runner.invoke(
        app,
        [
            "export",
            "consumption-details",
            "--user",
            "sp-admin",
            "--api",
            f"http://127.0.0.1:{free_port()}/graphql",
        ],
    )
    assert result.exit_code == 1
    assert "cannot reach the API" in result.output
