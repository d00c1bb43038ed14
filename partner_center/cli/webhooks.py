"""`partner-center webhooks listen` and `partner-center events tail`: watch events arrive
locally, without polling the API."""

from __future__ import annotations

import json
import os
import time

import typer
from rich.console import Console

from partner_center.cli.errors import CliError
from partner_center.cli.target import AWS_HELP, bootstrap_for

app = typer.Typer(help="Webhooks: a local receiver that verifies signatures.", no_args_is_help=True)
events_app = typer.Typer(
    help="The EventBridge bus: read the events put on it.", no_args_is_help=True
)
console = Console()

SUBSCRIBE = """mutation {{ createWebhookSubscription(input: {{url: "{url}",
  topics: [EXPORT_JOB_SUCCEEDED, EXPORT_JOB_FAILED, DISPATCH_JOB_COMPLETED,
           PARTNER_BILL_GENERATED, INCENTIVE_APPLICATION_STATUS_CHANGED]}})
  {{ secret subscription {{ id }} errors {{ code message }} }} }}"""


@app.command("listen")
def listen(
    port: int = typer.Option(8787, "--port", help="Port on 127.0.0.1 to receive on."),
    secret: str | None = typer.Option(
        None,
        "--secret",
        envvar="PC_WEBHOOK_LISTEN_SECRET",
        help="The subscription's signing secret (whsec_…), to verify signatures; also "
        "read from PC_WEBHOOK_LISTEN_SECRET.",
    ),
) -> None:
    """Receive webhooks on http://127.0.0.1:PORT/webhooks, verify and print each one."""
    from partner_center.webhooks.listener import Received, Receiver

    def show(got: Received) -> None:
        mark = {
            True: "[green]verified[/]",
            False: "[bold red]BAD SIGNATURE[/]",
            None: "[yellow]unverified (no --secret)[/]",
        }[got.verified]
        payload = got.payload if got.payload is not None else got.body
        kind = payload.get("type") if isinstance(payload, dict) else "?"
        console.print(f"[bold]{kind}[/]  {got.webhook_id}  {mark}")
        console.print_json(json.dumps(payload, ensure_ascii=False))

    receiver = Receiver(secret=secret, port=port, on_receive=show).start()
    console.print(f"Listening on [bold]{receiver.url}[/]  (Ctrl-C stops)")
    if not secret:
        console.print(
            "Subscribe it as sp-admin (GraphiQL, or any client), then restart "
            "with --secret <the answer's secret>:\n" + SUBSCRIBE.format(url=receiver.url)
        )
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        receiver.stop()


@events_app.command("tail")
def tail(
    aws: str | None = typer.Option(None, "--aws", help=AWS_HELP),
    follow: bool = typer.Option(True, "--follow/--no-follow", help="Keep waiting for new events."),
) -> None:
    """Print the events put on the partner-events bus, from its tap queue (each event
    is read once: it is removed from the queue as it is printed)."""
    import boto3

    settings = bootstrap_for(aws)
    url = settings.queues.get("events_tap") or os.environ.get("PC_EVENTS_TAP_QUEUE_URL")
    if not url:
        raise CliError(
            "no events tap queue in this environment",
            "start `partner-center dev` and pass the AWS URL its banner shows",
        )
    sqs = boto3.client("sqs", endpoint_url=settings.aws_endpoint_url, region_name=settings.region)
    console.print(
        f"Events of bus [bold]{os.environ.get('PC_PARTNER_EVENTS_BUS', '?')}[/] (Ctrl-C stops)",
        style="dim",
    )
    try:
        while True:
            answer = sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=5 if follow else 0
            )
            messages = answer.get("Messages", [])
            for message in messages:
                event = json.loads(message["Body"])
                console.print(f"[bold]{event.get('detail-type')}[/]  {event.get('time')}")
                console.print_json(json.dumps(event.get("detail"), ensure_ascii=False))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            if not messages and not follow:
                return
    except KeyboardInterrupt:
        return
