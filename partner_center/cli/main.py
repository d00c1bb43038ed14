"""`partner-center`: run the product locally, get a token, request exports."""

from __future__ import annotations

import typer

from partner_center.cli import (
    bills,
    dev,
    export,
    graphiql_assets,
    incentives,
    leads,
    listing,
    rollup,
    scheduled,
    tokens,
    webhooks,
)
from partner_center.cli.errors import ExplainingGroup

app = typer.Typer(
    help="Partner Center API: local runtime and command-line client.",
    no_args_is_help=True,
    add_completion=False,
    cls=ExplainingGroup,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    ctx: typer.Context,
    debug: bool = typer.Option(
        False,
        "--debug",
        envvar="PC_DEBUG",
        help="Show the traceback of a failure instead of a one-line explanation.",
    ),
) -> None:
    """Partner Center API: local runtime and command-line client."""
    ctx.obj = {"debug": debug}


app.command(name="dev")(dev.dev)
app.command(name="token")(tokens.token)
app.command(name="schema")(dev.schema)
app.command(name="trusted-documents")(dev.trusted_documents)
app.command(name="rollup")(rollup.rollup)
app.add_typer(export.app, name="export")
app.add_typer(incentives.app, name="incentives")
app.add_typer(leads.app, name="leads")
# list/show join the dispatch commands under `leads`; the others have their own groups.
leads.app.registered_commands += listing.leads.registered_commands
app.add_typer(listing.customers, name="customers")
app.add_typer(listing.users, name="users")
app.add_typer(listing.jobs, name="jobs")
app.add_typer(bills.app, name="bills")
app.add_typer(scheduled.app, name="scheduled")
app.add_typer(webhooks.app, name="webhooks")
app.add_typer(webhooks.events_app, name="events")
app.add_typer(graphiql_assets.app, name="graphiql-assets")

if __name__ == "__main__":
    app()
