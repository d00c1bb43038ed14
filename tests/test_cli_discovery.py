"""The command line finds the running `partner-center dev` through its state file, says
in a line or two what to do when it cannot, lists what other commands take IDs of, and
shows a job's progress while it runs."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from partner_center.cli.client import GraphQLClient
from partner_center.cli.main import app
from partner_center.cli.tokens import token_for
from partner_center.local import dev_state
from partner_center.local.aws_server import free_port
from tests.test_cli import api_url, running_workers  # noqa: F401  (shared fixtures)

runner = CliRunner()


def _no_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """A newcomer's shell: no PC_* tables, no endpoint."""
    for name in list(os.environ):
        if (name.startswith("PC_") and name.endswith(("_TABLE", "_QUEUE_URL"))) or (
            name == "AWS_ENDPOINT_URL"
        ):
            monkeypatch.delenv(name)


def _state(path: Path, *, pid: int, api: str, local_env: Any = None) -> None:
    dev_state.write(
        dev_state.DevState(
            pid=pid,
            api=api,
            health=api.replace("/graphql", "/healthz"),
            aws=local_env.aws.endpoint_url if local_env else "http://127.0.0.1:1",
            region="us-east-1",
            stack="partner-center-local",
            env=dict(local_env.env) if local_env else {},
        ),
        path,
    )


@pytest.fixture
def state_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / ".partner-center" / "dev.json"
    monkeypatch.setenv(dev_state.STATE_ENV, str(path))
    return path


def _short_error(output: str) -> list[str]:
    lines = [line for line in output.splitlines() if line.strip()]
    assert "Traceback" not in output
    assert 1 <= len(lines) <= 2, output
    assert lines[0].startswith("error:"), output
    return lines


def test_bills_generate_without_a_running_dev_says_how_to_start_one(
    state_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_tables(monkeypatch)
    result = runner.invoke(app, ["bills", "generate", "--month", "2026-11"])
    assert result.exit_code == 1
    first, hint = _short_error(result.output)
    assert "no local environment is running" in first
    assert "partner-center dev" in hint and "--aws" in hint


def test_a_stale_state_file_is_named_and_removed(
    state_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_tables(monkeypatch)
    _state(state_file, pid=2**22 + 12345, api="http://127.0.0.1:1/graphql")  # no such pid
    result = runner.invoke(app, ["bills", "generate", "--month", "2026-11"])
    assert result.exit_code == 1
    assert "removed" in _short_error(result.output)[0]
    assert not state_file.exists()


def test_in_process_commands_use_the_running_devs_tables(
    local_env: Any, state_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_tables(monkeypatch)
    _state(state_file, pid=os.getpid(), api="http://127.0.0.1:1/graphql", local_env=local_env)
    result = runner.invoke(
        app, ["bills", "generate", "--month", "2999-01", "--partner", "ptn-t-none"]
    )
    # It reached the tables: the refusal is the bill rule's, not a missing environment.
    assert result.exit_code == 1 and "not ended" in result.output, result.output


def test_api_commands_default_to_the_running_devs_api(api_url: str, state_file: Path) -> None:  # noqa: F811
    _state(state_file, pid=os.getpid(), api=api_url)
    result = runner.invoke(app, ["jobs", "list", "--user", "sp-admin", "--json"])
    assert result.exit_code == 0, result.output
    assert "nodes" in json.loads(result.stdout)


def test_a_dev_that_stopped_answering_is_a_two_line_error(state_file: Path) -> None:
    _state(state_file, pid=os.getpid(), api=f"http://127.0.0.1:{free_port()}/graphql")
    result = runner.invoke(app, ["export", "consumption-details", "--user", "sp-admin"])
    assert result.exit_code == 1
    first, hint = _short_error(result.output)
    assert "cannot reach the API" in first and "partner-center dev" in hint


DEAD_AWS_COMMANDS = [
    ["bills", "generate", "--month", "2026-11"],
    ["rollup", "--date", "2026-10-01"],
    ["incentives", "expire"],
    ["scheduled", "run", "consumptionRollup"],
    ["events", "tail", "--no-follow"],
]


@pytest.mark.parametrize("command", DEAD_AWS_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_dead_aws_url_is_a_two_line_error(command: list[str]) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    result = runner.invoke(app, [*command, "--aws", dead])
    assert result.exit_code == 1, result.output
    first, hint = _short_error(result.output)
    assert f"nothing answers at {dead} (--aws)" in first
    assert "partner-center dev" in hint
    assert "Usage:" not in result.output


def test_an_aws_option_that_is_no_url_is_a_two_line_error() -> None:
    result = runner.invoke(app, ["bills", "generate", "--month", "2026-11", "--aws", "dev"])
    assert result.exit_code == 1
    assert "dev is not a URL (--aws)" in _short_error(result.output)[0]


DEAD_API_COMMANDS = [
    ["export", "consumption-details"],
    ["leads", "list"],
    ["leads", "show", "TGVhZDp4"],
    ["leads", "dispatch", "--lead", "TGVhZDp4", "--staff", "usr-sp-staff-1"],
    ["customers", "list"],
    ["users", "list"],
    ["jobs", "list"],
]


@pytest.mark.parametrize("command", DEAD_API_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_dead_api_url_is_a_two_line_error(command: list[str]) -> None:
    dead = f"http://127.0.0.1:{free_port()}/graphql"
    result = runner.invoke(app, [*command, "--user", "sp-admin", "--api", dead])
    assert result.exit_code == 1, result.output
    first, hint = _short_error(result.output)
    assert f"cannot reach the API at {dead}" in first and "partner-center dev" in hint


def test_the_installed_command_with_a_dead_aws_prints_two_lines(tmp_path: Path) -> None:
    """The console script itself: no usage box, no traceback; --debug shows one."""
    import subprocess
    import sys

    dead = f"http://127.0.0.1:{free_port()}"
    command = [sys.executable, "-m", "partner_center.cli.main"]
    args = ["bills", "generate", "--month", "2026-11", "--aws", dead]
    env = {k: v for k, v in os.environ.items() if k != "PC_DEBUG"}
    plain = subprocess.run(
        [*command, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert plain.returncode == 1 and plain.stdout == ""
    assert _short_error(plain.stderr)[0] == f"error: nothing answers at {dead} (--aws)"
    debug = subprocess.run(
        [*command, "--debug", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert debug.returncode == 1 and "Traceback" in debug.stderr


@pytest.mark.parametrize("option", ["--port", "--aws-port"])
def test_dev_on_a_port_in_use_says_so_before_starting(tmp_path: Path, option: str) -> None:
    import socket
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        other = ["--aws-port", str(free_port())] if option == "--port" else []
        done = subprocess.run(
            [sys.executable, "-m", "partner_center.cli.main", "dev", option, str(port), *other],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1, done.stderr
    first, hint = _short_error(done.stderr)
    assert f"port {port} of 127.0.0.1 is in use" in first and option in hint
    assert "embedded AWS" not in done.stdout  # nothing was started
    assert not (tmp_path / ".partner-center").exists()


def test_a_refused_token_says_how_to_get_one(
    api_url: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PARTNER_CENTER_TOKEN", "not-a-token")
    result = runner.invoke(app, ["jobs", "list", "--api", api_url])
    assert result.exit_code == 1
    _, hint = _short_error(result.output)
    assert "partner-center token" in hint, result.output


def test_an_unexpected_failure_is_one_line_and_debug_shows_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("partner_center.cli.listing.ask", broken)
    result = runner.invoke(app, ["jobs", "list", "--user", "sp-admin"])
    assert result.exit_code == 1
    assert "unexpected ZeroDivisionError: boom" in _short_error(result.output)[0]
    debugged = runner.invoke(app, ["--debug", "jobs", "list", "--user", "sp-admin"])
    assert isinstance(debugged.exception, ZeroDivisionError)


def test_botocore_credential_errors_are_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.exceptions import NoCredentialsError

    from partner_center.cli.errors import explain

    found = explain(NoCredentialsError())
    assert found is not None and "partner-center dev" in (found.hint or "")


def test_leads_list_pages_and_shows_global_ids_other_commands_take(api_url: str) -> None:  # noqa: F811
    args = ["leads", "list", "--user", "sp-admin", "--api", api_url, "--json", "--first", "3"]
    first = json.loads(runner.invoke(app, args).stdout)
    assert len(first["nodes"]) == 3 and first["hasNextPage"]
    second = json.loads(runner.invoke(app, [*args, "--after", first["endCursor"]]).stdout)
    assert {n["id"] for n in first["nodes"]}.isdisjoint(n["id"] for n in second["nodes"])
    undispatched = json.loads(runner.invoke(app, [*args, "--status", "undispatched"]).stdout)
    assert {n["status"] for n in undispatched["nodes"]} == {"UNDISPATCHED"}
    shown = runner.invoke(
        app, ["leads", "show", first["nodes"][0]["id"], "--user", "sp-admin", "--api", api_url]
    )
    assert shown.exit_code == 0 and first["nodes"][0]["name"] in shown.stdout


def test_users_list_names_the_staff_to_dispatch_to(api_url: str) -> None:  # noqa: F811
    result = runner.invoke(
        app, ["users", "list", "--user", "sp-operator", "--api", api_url, "--json"]
    )
    assert result.exit_code == 0, result.output
    logins = {n["login"] for n in json.loads(result.stdout)["nodes"]}
    assert logins == {"sp-staff-1", "sp-staff-2"}
    # A manager does not dispatch leads, so does not list whom to.
    refused = runner.invoke(app, ["users", "list", "--user", "sp-manager-1", "--api", api_url])
    assert refused.exit_code == 1 and "FORBIDDEN" in refused.output


def test_customers_list_all_pages_and_table(api_url: str) -> None:  # noqa: F811
    every = json.loads(
        runner.invoke(
            app,
            [
                "customers",
                "list",
                "--user",
                "sp-manager-2",
                "--api",
                api_url,
                "--json",
                "--all",
                "--first",
                "15",
            ],
        ).stdout
    )
    assert len(every["nodes"]) == 40 and not every["hasNextPage"]  # its own customers (R2)
    table = runner.invoke(
        app, ["customers", "list", "--user", "sp-admin", "--api", api_url, "--first", "5"]
    )
    assert table.exit_code == 0 and "more: --after" in table.stdout


def test_an_export_observed_mid_way_has_partial_progress(
    api_url: str,  # noqa: F811 - the shared fixture
    running_workers: None,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PC_FAULTS", "export.page=sleep:0.4")  # a slow job, page by page
    client = GraphQLClient(api_url, token_for("sp-admin"))
    try:
        job = client.call(
            "RequestExport",
            {"input": {"kind": "CONSUMPTION_DETAILS", "format": "CSV", "consumptionDetails": {}}},
        )["requestExport"]["job"]
        seen: list[tuple[str, int, int]] = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            now = client.call("Job", {"id": job["id"]})["job"]
            seen.append((now["status"], now["progress"], now["rowCount"] or 0))
            if now["status"] in ("SUCCEEDED", "FAILED"):
                break
            time.sleep(0.2)
    finally:
        client.close()
    assert seen[-1][0] == "SUCCEEDED", seen
    assert any(
        status == "RUNNING" and 0 < progress < 100 and rows > 0 for status, progress, rows in seen
    ), seen
