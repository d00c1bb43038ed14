"""`partner-center dev`: the whole product on the embedded AWS, in one process tree."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import typer
import uvicorn
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from partner_center.cli.errors import CliError
from partner_center.core.clock import BEIJING, utcnow
from partner_center.local import demo_data, dev_state
from partner_center.local.demo_snapshot import DemoSummary, load_demo
from partner_center.local.environment import REGION, LocalEnvironment, start_environment
from partner_center.local.functions import queue_functions, scheduled_functions
from partner_center.local.infra import STACK_NAME
from partner_center.local.scheduler import Schedule

# soft_wrap: a URL is never broken across lines, whatever the width (a pipe's is 80).
console = Console(soft_wrap=True)


def dev(
    port: int = typer.Option(8000, help="Port of the API."),
    host: str = typer.Option("127.0.0.1", help="Interface of the API."),
    aws_port: int = typer.Option(0, "--aws-port", help="Port of the embedded AWS (0: free)."),
    demo: bool = typer.Option(True, help="Load the demo data."),
    fresh_demo: bool = typer.Option(
        False,
        "--fresh-demo",
        help="Seed the demo data through the code again instead of "
        "restoring today's snapshot of it.",
    ),
) -> None:
    """Start the embedded AWS, the resources from infra/, demo data, the queue workers,
    the scheduler of the scheduled functions, and the API. Records where they run in
    .partner-center/dev.json (the other commands' default), removed on exit."""
    # uvicorn re-raises the SIGTERM it shut down on; by default that kills this process
    # before `finally`, leaving the embedded AWS (its own session, so a terminal's
    # Ctrl-C reaches the API first) running. Stop as on Ctrl-C instead.
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    started = time.monotonic()
    state_path = dev_state.default_path()
    _warn_if_running(state_path)
    # Before seconds of start-up, not after them.
    _require_free(host, port, "--port")
    if aws_port:
        _require_free("127.0.0.1", aws_port, "--aws-port")
    workers: list[subprocess.Popen[str]] = []
    environment = None
    try:
        with console.status(
            "Starting the embedded AWS and deploying infra/resources.yml…"
        ) as status:
            # The API's imports (seconds) run while the embedded AWS boots in its process.
            environment = _phase(
                "embedded AWS at {}, stack deployed",
                lambda: start_environment(aws_port, meanwhile=_import_api),
                lambda env: env.aws.endpoint_url,
            )
            # The queue workers start (import, connect) while the demo data loads.
            for function in queue_functions():
                workers.append(
                    _spawn(
                        [
                            "partner_center.local.worker",
                            function.name,
                            function.queue_url(environment.outputs),
                        ]
                    )
                )
            if demo:
                status.update("Loading the demo data…")
                _phase("demo data: {}", lambda: _load_demo(environment, fresh_demo), _describe_demo)
            # After the data: a due schedule must not run over half-loaded tables.
            workers.append(_spawn(["partner_center.local.scheduler"]))
            status.update("Starting the API…")
            from partner_center.api.app import create_app
            from partner_center.local.sign_in import DEMO_SIGN_IN

            server = uvicorn.Server(
                uvicorn.Config(
                    create_app(environment.settings, demo_sign_in=DEMO_SIGN_IN),
                    host=host,
                    port=port,
                    log_level="warning",
                )
            )
        threading.Thread(
            target=_when_listening,
            daemon=True,
            args=(server, state_path, host, port, environment, started),
        ).start()
        server.run()
    except KeyboardInterrupt:
        pass  # Ctrl-C or SIGTERM: stop everything below, and exit 0
    finally:
        dev_state.remove(state_path, os.getpid())
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
        if environment is not None:
            environment.stop()
        console.print("Stopped.")


T = TypeVar("T")


def _import_api() -> None:
    import partner_center.api.app  # noqa: F401


def _spawn(module: list[str]) -> subprocess.Popen[str]:
    """A worker or the scheduler, its output passed through this console."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8")
    if console.is_terminal:  # its own stderr is a pipe: say what this one is
        env.setdefault("PC_LOG_FORMAT", "console")
    process = subprocess.Popen(
        [sys.executable, "-m", *module],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        encoding="utf-8",
        errors="replace",
    )
    threading.Thread(target=_forward, args=(process,), daemon=True).start()
    return process


def _forward(process: subprocess.Popen[str]) -> None:
    # Printed by the console, a line goes above a phase's status line, not into it.
    assert process.stdout is not None
    shown = True
    for line in process.stdout:
        if shown:
            try:
                console.out(line.rstrip("\n"), highlight=False)
            except (OSError, ValueError):  # dev's own output closed: keep the pipe drained
                shown = False


def _phase(done: str, run: Callable[[], T], describe: Callable[[T], str]) -> T:
    began = time.monotonic()
    result = run()
    console.print(
        f"[green]✓[/] {escape(done.format(describe(result)))} "
        f"[dim]({time.monotonic() - began:.1f} s)[/]"
    )
    return result


def _load_demo(environment: LocalEnvironment, fresh: bool) -> DemoSummary:
    # Seeding through the code logs every bill run and roll-up; a start shows phases.
    logger = logging.getLogger("partner_center")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        return load_demo(environment.aws.endpoint_url, REGION, environment.outputs, fresh=fresh)
    finally:
        logger.setLevel(level)


def _describe_demo(summary: DemoSummary) -> str:
    if summary.restored:
        how = f"{summary.items} items restored from the snapshot"
    elif summary.items is None:
        how = "seeded through the code; the snapshot could not be saved"
    else:
        how = f"{summary.items} items seeded through the code, snapshot saved for the next start"
    return f"{summary.customers} customers, {summary.lines} consumption lines ({how})"


def _require_free(host: str, port: int, option: str) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn and moto
        try:
            probe.bind((host, port))
        except OSError as taken:
            raise CliError(
                f"port {port} of {host or 'every interface'} is in use ({taken.strerror})",
                f"stop what listens there (another `partner-center dev`?), or "
                f"pass {option} with a free port",
            ) from taken


def _warn_if_running(path: Path) -> None:
    other = dev_state.parse(path) if path.is_file() else None
    if other is not None and other.pid != os.getpid() and dev_state.alive(other.pid):
        console.print(
            f"[yellow]note:[/] another dev (pid {other.pid}, {other.api}) is "
            f"recorded in {path}; this one replaces it as the other commands' "
            "default here."
        )


def _when_listening(
    server: uvicorn.Server,
    path: Path,
    host: str,
    port: int,
    environment: LocalEnvironment,
    started: float,
) -> None:
    """Once the API accepts connections: record the state file and show the banner."""
    while not server.started:
        if server.should_exit:
            return
        time.sleep(0.05)
    reach = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    api = f"http://{reach}:{port}/graphql"
    dev_state.write(
        dev_state.DevState(
            pid=os.getpid(),
            api=api,
            health=f"http://{reach}:{port}/healthz",
            aws=environment.aws.endpoint_url,
            region=REGION,
            stack=STACK_NAME,
            env=environment.env,
            started_at=utcnow().isoformat(),
        ),
        path,
    )
    console.print(
        f"[green]✓[/] API listening [dim](ready {time.monotonic() - started:.1f} s "
        "after the start)[/]"
    )
    _banner(reach, port, environment.aws.endpoint_url, path)


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _banner(host: str, port: int, aws: str, state_path: Path) -> None:
    url = f"http://{host}:{port}/graphql"
    console.print(f"\n[bold green]API[/]      {url}  (GraphiQL in a browser)")
    console.print(f"[bold green]Health[/]   http://{host}:{port}/healthz")
    console.print(f"[bold green]AWS[/]      {aws}  (DynamoDB, SQS, S3)")
    console.print(
        f"[bold green]State[/]    {state_path}  (the other commands find "
        "the API and AWS here; removed on exit)"
    )
    console.print("[bold green]Workers[/]  " + ", ".join(f.name for f in queue_functions()))
    upcoming = Schedule(scheduled_functions(), utcnow()).next_runs()
    # One line per function: joined, the line wrapped mid-entry at 80 columns.
    for index, due in enumerate(upcoming):
        label = "" if index else "Schedule"
        console.print(
            f"[bold green]{label:<8}[/] {due.function.name} next {due.at:%Y-%m-%d %H:%M} UTC "
            f"({due.at.astimezone(BEIJING):%m-%d %H:%M} Beijing)"
        )
    console.print("         (run one now: [bold]partner-center scheduled run NAME[/])")
    console.print(
        "[bold green]Events[/]   webhooks: [bold]partner-center webhooks listen[/]; "
        f"EventBridge bus: [bold]partner-center events tail --aws {aws}[/]"
    )
    console.print(
        "\nA token: [bold]partner-center token --user sp-admin[/]  "
        "(send it as 'Authorization: Bearer <token>')"
    )
    console.print(
        "What there is: [bold]partner-center customers list --user sp-admin[/], "
        "[bold]leads list[/], [bold]users list[/], [bold]jobs list[/]"
    )
    table = Table("login", "role", "what it shows")
    for user in demo_data.USERS + demo_data.SERVICE_USERS:
        table.add_row(user.login, user.role.value, user.about)
    console.print(table)
    console.print("Ctrl-C stops everything.\n")


def schema(output: Path = typer.Option(Path("schema.graphql"), "--output", "-o")) -> None:
    """Write the GraphQL SDL exported from the code (schema.graphql)."""
    from partner_center.api.sdl import sdl

    output.write_text(sdl(), encoding="utf-8")
    typer.echo(f"wrote {output}")


def trusted_documents(output: Path = typer.Option(None, "--output", "-o")) -> None:
    """Rebuild the trusted-documents manifest from the operations in graphql/."""
    from partner_center.api import trusted_documents as documents

    target = output or documents.MANIFEST
    target.write_text(documents.render_manifest(documents.build_manifest()), encoding="utf-8")
    typer.echo(f"wrote {target}")
