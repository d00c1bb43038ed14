"""`partner-center dev`: the whole product on the embedded AWS, in one process tree."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from partner_center.core.clock import BEIJING, utcnow
from partner_center.local import demo_data
from partner_center.local.environment import start_environment
from partner_center.local.functions import queue_functions, scheduled_functions
from partner_center.local.scheduler import Schedule

console = Console()


def dev(
    port: int = typer.Option(8000, help="Port of the API."),
    host: str = typer.Option("127.0.0.1", help="Interface of the API."),
    aws_port: int = typer.Option(0, "--aws-port", help="Port of the embedded AWS (0: free)."),
    demo: bool = typer.Option(True, help="Load the demo data."),
) -> None:
    """Start the embedded AWS, the resources from infra/, demo data, the queue workers,
    the scheduler of the scheduled functions, and the API."""
    # uvicorn re-raises the SIGTERM it shut down on; by default that kills this process
    # before `finally`, leaving the embedded AWS (its own session, so a terminal's
    # Ctrl-C reaches the API first) running. Stop as on Ctrl-C instead.
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    console.print("[bold]Starting the embedded AWS[/] (moto server on 127.0.0.1)…")
    environment = start_environment(aws_port)
    workers: list[subprocess.Popen[bytes]] = []
    try:
        if demo:
            data = demo_data.load()
            console.print(f"Demo data: {len(data.customers)} customers, "
                          f"{len(data.lines)} consumption lines.")
        for function in queue_functions():
            workers.append(subprocess.Popen(
                [sys.executable, "-m", "partner_center.local.worker", function.name,
                 function.queue_url(environment.outputs)], env=dict(os.environ)))
        workers.append(subprocess.Popen([sys.executable, "-m", "partner_center.local.scheduler"],
                                        env=dict(os.environ)))
        _banner(host, port, environment.aws.endpoint_url)
        uvicorn.run("partner_center.api.app:create_app", factory=True, host=host,
                    port=port, log_level="warning")
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
        environment.stop()
        console.print("Stopped.")


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _banner(host: str, port: int, aws: str) -> None:
    url = f"http://{host}:{port}/graphql"
    console.print(f"\n[bold green]API[/]      {url}  (GraphiQL in a browser)")
    console.print(f"[bold green]Health[/]   http://{host}:{port}/healthz")
    console.print(f"[bold green]AWS[/]      {aws}  (DynamoDB, SQS, S3)")
    console.print("[bold green]Workers[/]  " + ", ".join(f.name for f in queue_functions()))
    upcoming = Schedule(scheduled_functions(), utcnow()).next_runs()
    console.print("[bold green]Schedule[/] " + "; ".join(
        f"{due.function.name} next {due.at:%Y-%m-%d %H:%M} UTC "
        f"({due.at.astimezone(BEIJING):%m-%d %H:%M} Beijing)" for due in upcoming))
    console.print("          (run one now: [bold]partner-center scheduled run NAME --aws "
                  f"{aws}[/])")
    console.print("[bold green]Events[/]   webhooks: [bold]partner-center webhooks listen[/]; "
                  f"EventBridge bus: [bold]partner-center events tail --aws {aws}[/]")
    console.print("\nA token: [bold]partner-center token --user sp-admin[/]  "
                  "(send it as 'Authorization: Bearer <token>')")
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
