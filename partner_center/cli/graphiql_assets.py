"""`partner-center graphiql-assets`: the vendored browser files of GraphiQL."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="The React, GraphiQL and explorer builds GraphiQL loads from the API.",
    no_args_is_help=True,
)


@app.command()
def refresh(
    pin: list[str] = typer.Option(
        [],
        "--pin",
        help="NAME@VERSION to move a package to, e.g. graphiql@3.8.3 "
        "(repeatable); others keep the manifest's version.",
    ),
) -> None:
    """Re-download the pinned versions with `npm pack` and rewrite the manifest."""
    from partner_center.api.graphiql import assets

    versions = {}
    for spec in pin:
        name, sep, version = spec.rpartition("@")
        if not sep or not name or not version:
            raise typer.BadParameter(f"{spec!r} is not NAME@VERSION", param_hint="--pin")
        versions[name] = version
    try:
        manifest = assets.refresh(versions)
    except (RuntimeError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    for entry in manifest["packages"]:
        typer.echo(
            f"{entry['name']}@{entry['version']}: " + ", ".join(f["path"] for f in entry["files"])
        )
    typer.echo(f"wrote {assets.MANIFEST}")


@app.command()
def verify() -> None:
    """Check the vendored files against the manifest's SHA-256 checksums."""
    from partner_center.api.graphiql import assets

    problems = assets.verify()
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        raise typer.Exit(1)
    typer.echo("GraphiQL assets match the manifest")
