"""`partner-center customers|leads|jobs list|show`: what the other commands take IDs of.

Each list reads one page of the API's connection (`--first`, `--after CURSOR`) or every
page (`--all`), and prints a table, or with `--json` the nodes as JSON (one document:
`{"nodes": [...], "endCursor": ..., "hasNextPage": ...}`) for scripts. The ID column is
the global ID the other commands take (`leads dispatch --lead`, `--staff`, `--customer`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from partner_center.cli.errors import CliError
from partner_center.cli.jobs import DEFAULT_API, Api, User, ask
from partner_center.cli.tokens import resolve_token

out = Console(soft_wrap=True)

First = Annotated[int, typer.Option("--first", min=1, max=100, help="Page size.")]
After = Annotated[str | None, typer.Option("--after", help="The cursor a page ended at.")]
All = Annotated[bool, typer.Option("--all", help="Every page, not just one.")]
Json = Annotated[bool, typer.Option("--json", help="JSON for scripts instead of a table.")]


def _pages(
    api: str | None,
    token: str,
    operation: str,
    field: str,
    variables: dict[str, Any],
    first: int,
    after: str | None,
    every: bool,
) -> tuple[list[dict[str, Any]], str | None, bool]:
    nodes: list[dict[str, Any]] = []
    cursor = after
    while True:
        connection = ask(api, token, operation, {**variables, "first": first, "after": cursor})[
            field
        ]
        nodes += [edge["node"] for edge in connection["edges"]]
        info = connection["pageInfo"]
        cursor = info["endCursor"]
        if not (every and info["hasNextPage"]):
            return nodes, cursor, bool(info["hasNextPage"])


def _show(
    nodes: list[dict[str, Any]],
    end: str | None,
    more: bool,
    as_json: bool,
    columns: list[tuple[str, Callable[[dict[str, Any]], Any]]],
) -> None:
    if as_json:
        typer.echo(
            json.dumps(
                {"nodes": nodes, "endCursor": end, "hasNextPage": more},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    rows = [
        ["" if (v := value(node)) is None else str(v) for _, value in columns] for node in nodes
    ]
    table = Table()
    for number, (name, _) in enumerate(columns):
        if name == "id":
            # The ID is what other commands take: whole, on one line, whatever the width
            # (the other columns are cut instead).
            widest = max((len(row[number]) for row in rows), default=len(name))
            table.add_column(name, no_wrap=True, min_width=widest)
        else:
            table.add_column(name)
    for row in rows:
        table.add_row(*row)
    out.print(table)
    if more:
        out.print(f"more: --after {end}  (or --all)")


def _one(value: dict[str, Any] | None, as_json: bool, noun: str) -> None:
    if value is None:
        raise CliError(
            f"no {noun} with that ID that this user may see",
            f"list them with `partner-center {noun}s list`",
        )
    if as_json:
        typer.echo(json.dumps(value, ensure_ascii=False, indent=2))
        return
    table = Table("field", "value")
    for key, item in value.items():
        table.add_row(
            key,
            json.dumps(item, ensure_ascii=False)
            if isinstance(item, dict | list)
            else ("" if item is None else str(item)),
        )
    out.print(table)


customers = typer.Typer(help="The partner's customers.", no_args_is_help=True)


@customers.command("list")
def list_customers(
    search: str | None = typer.Option(None, help="Name or account contains."),
    manager: str | None = typer.Option(None, help="A customer manager's (User) global ID."),
    first: First = 20,
    after: After = None,
    every: All = False,
    as_json: Json = False,
    api: Api = DEFAULT_API,
    user: User = None,
) -> None:
    """Customers (a customer manager: its own, R2)."""
    flt = {k: v for k, v in {"search": search, "managerId": manager}.items() if v}
    nodes, end, more = _pages(
        api,
        resolve_token(user),
        "Customers",
        "customers",
        {"filter": flt or None},
        first,
        after,
        every,
    )
    _show(
        nodes,
        end,
        more,
        as_json,
        [
            ("id", lambda n: n["id"]),
            ("name", lambda n: n["name"]),
            ("association", lambda n: n["association"]),
            ("manager", lambda n: (n.get("manager") or {}).get("login")),
            ("open alerts", lambda n: n.get("openAlertCount")),
        ],
    )


@customers.command("show")
def show_customer(
    customer_id: str = typer.Argument(..., help="The customer's global ID."),
    as_json: Json = False,
    api: Api = DEFAULT_API,
    user: User = None,
) -> None:
    """One customer with its assignment history."""
    _one(
        ask(api, resolve_token(user), "Customer", {"id": customer_id})["customer"],
        as_json,
        "customer",
    )


# The columns of a list of users (customer managers, staff): the ID other commands take.
USER_COLUMNS: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
    ("id", lambda n: n["id"]),
    ("login", lambda n: n["login"]),
    ("name", lambda n: n["displayName"]),
]


@customers.command("managers")
def list_managers(as_json: Json = False, api: Api = DEFAULT_API, user: User = None) -> None:
    """The customer managers customers can be assigned to."""
    nodes = ask(api, resolve_token(user), "CustomerManagers", {})["customerManagers"]
    _show(
        nodes,
        None,
        False,
        as_json,
        USER_COLUMNS,
    )


leads = typer.Typer(help="Leads (list, show).", no_args_is_help=True)


@leads.command("list")
def list_leads(
    status: str | None = typer.Option(
        None, help="undispatched, dispatched, recalled, converted or closed."
    ),
    assignee: str | None = typer.Option(None, help="The staff (User) global ID."),
    name: str | None = typer.Option(None, help="Lead name contains."),
    first: First = 20,
    after: After = None,
    every: All = False,
    as_json: Json = False,
    api: Api = DEFAULT_API,
    user: User = None,
) -> None:
    """Leads, newest first (partner staff: the leads dispatched to them)."""
    flt: dict[str, Any] = {}
    if status:
        flt["statuses"] = [status.upper()]
    if assignee:
        flt["assignedTo"] = assignee
    if name:
        flt["nameContains"] = name
    nodes, end, more = _pages(
        api, resolve_token(user), "Leads", "leads", {"filter": flt or None}, first, after, every
    )
    _show(
        nodes,
        end,
        more,
        as_json,
        [
            ("id", lambda n: n["id"]),
            ("name", lambda n: n["name"]),
            ("status", lambda n: n["status"].lower()),
            ("region", lambda n: n["region"]),
            ("assignee", lambda n: n.get("assigneeId")),
        ],
    )


@leads.command("show")
def show_lead(
    lead_id: str = typer.Argument(..., help="The lead's global ID."),
    as_json: Json = False,
    api: Api = DEFAULT_API,
    user: User = None,
) -> None:
    """One lead with its dispatch history."""
    _one(ask(api, resolve_token(user), "Lead", {"id": lead_id})["lead"], as_json, "lead")


users = typer.Typer(help="The partner's users other commands name.", no_args_is_help=True)


@users.command("list")
def list_users(as_json: Json = False, api: Api = DEFAULT_API, user: User = None) -> None:
    """The partner's staff, whom leads are dispatched to (`leads dispatch --staff`)."""
    nodes = ask(api, resolve_token(user), "PartnerStaff", {})["partnerStaff"]
    _show(
        nodes,
        None,
        False,
        as_json,
        USER_COLUMNS,
    )


jobs = typer.Typer(help="Export and dispatch jobs (list, show).", no_args_is_help=True)


@jobs.command("list")
def list_jobs(
    first: First = 20,
    after: After = None,
    every: All = False,
    as_json: Json = False,
    api: Api = DEFAULT_API,
    user: User = None,
) -> None:
    """The user's jobs, newest first (an administrator: every job of its partner)."""
    nodes, end, more = _pages(api, resolve_token(user), "Jobs", "jobs", {}, first, after, every)
    _show(
        nodes,
        end,
        more,
        as_json,
        [
            ("id", lambda n: n["id"]),
            ("kind", lambda n: n["kind"]),
            ("status", lambda n: n["status"].lower()),
            ("progress", lambda n: n["progress"]),
            ("rows", lambda n: n["rowCount"]),
            ("created", lambda n: n["createdAt"]),
        ],
    )


@jobs.command("show")
def show_job(
    job_id: str = typer.Argument(..., help="The job's global ID."),
    as_json: Json = False,
    api: Api = DEFAULT_API,
    user: User = None,
) -> None:
    """One job, with its download link when it has a file."""
    _one(ask(api, resolve_token(user), "Job", {"id": job_id})["job"], as_json, "job")
