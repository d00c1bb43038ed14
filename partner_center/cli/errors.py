"""Every failure of a command as one or two lines saying what to do, never a traceback.

The root command group runs every command inside `explain`: a known failure (the API
or the embedded AWS not reachable, no credentials, a missing table, a GraphQL error, an
HTTP error) becomes `error: …` plus a hint, exit code 1. `partner-center --debug …`
(or PC_DEBUG=1) lets the exception through with its traceback instead.
"""

from __future__ import annotations

import os
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup
from typer.exceptions import TyperException

console = Console(stderr=True, soft_wrap=True)

START_HINT = (
    "start one with `partner-center dev` (in another terminal, in this "
    "directory), or pass --aws URL"
)


class CliError(Exception):
    """A failure the user can act on: what went wrong, and what to do."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class NoEnvironment(CliError):
    """Neither a running `partner-center dev` nor configured tables."""


def debugging() -> bool:
    return os.environ.get("PC_DEBUG", "") not in ("", "0")


def explain(exc: BaseException) -> CliError | None:
    """The user-facing reading of `exc`, or None for what has none (then: unexpected)."""
    import botocore.exceptions as boto
    import httpx

    from partner_center.cli.client import ApiError

    if isinstance(exc, CliError):
        return exc
    if isinstance(exc, ApiError):
        return CliError(str(exc), exc.hint)
    cause = _aws_cause(exc)
    if isinstance(cause, boto.NoCredentialsError | boto.PartialCredentialsError):
        return NoEnvironment("no AWS credentials and no local environment", START_HINT)
    if isinstance(cause, boto.EndpointConnectionError | boto.ConnectionClosedError):
        return CliError(
            f"cannot reach AWS at {cause.kwargs.get('endpoint_url', '?')}",
            "is `partner-center dev` still running? start it again, or "
            "pass --aws with the URL its banner shows",
        )
    if isinstance(cause, boto.ClientError):
        code = cause.response.get("Error", {}).get("Code", "")
        if code == "ResourceNotFoundException":
            return CliError(
                "a table this command needs does not exist there",
                "pass --aws with the URL `partner-center dev` shows, or set "
                "the PC_*_TABLE variables of a deployed stack",
            )
        return CliError(f"AWS refused the request ({code or 'error'})")
    if isinstance(cause, boto.BotoCoreError):
        return CliError(f"AWS: {cause}")
    if isinstance(exc, httpx.HTTPError):
        return CliError(f"HTTP: {exc}")
    return None


def _aws_cause(exc: BaseException) -> BaseException:
    """pynamodb wraps botocore's errors; see through to them."""
    from pynamodb.exceptions import PynamoDBException

    seen: BaseException | None = exc
    while seen is not None:
        if not isinstance(seen, PynamoDBException):
            return seen
        seen = getattr(seen, "cause", None) or seen.__cause__
    return exc


def report(exc: BaseException) -> None:
    known = explain(exc)
    if known is None:
        console.print(f"[bold red]error:[/] unexpected {type(exc).__name__}: {escape(str(exc))}")
        console.print("  (run again with `partner-center --debug …` to see where)")
        return
    console.print(f"[bold red]error:[/] {escape(known.message)}")
    if known.hint:
        console.print(f"  {escape(known.hint)}")


class ExplainingGroup(TyperGroup):
    """The root group: runs the chosen command, turning failures into `report` lines."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, TyperException):
            raise  # typer's own: usage errors, exit codes
        except KeyboardInterrupt:
            console.print("interrupted")
            raise typer.Exit(code=130) from None
        except Exception as exc:
            if debugging() or (ctx.obj or {}).get("debug"):
                raise
            report(exc)
            raise typer.Exit(code=1) from None
