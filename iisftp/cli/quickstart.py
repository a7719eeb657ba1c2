"""`iisftp quickstart`: prepare the quickstart sample on first run, then serve it."""

from __future__ import annotations

from typing import Annotated

import typer

from iisftp.cli.options import ConfigOption, folder
from iisftp.cli.serve import serve


def quickstart(
    config: ConfigOption = None,
    port: Annotated[
        int | None, typer.Option(help="Listen on this port instead of the one in the file.")
    ] = None,
    prepare_only: Annotated[
        bool, typer.Option("--prepare-only", help="Create what is missing, then exit.")
    ] = False,
) -> None:
    """Run a demo FTPS site from samples/quickstart (creating its certificate and
    demo user on first run)."""
    from iisftp.quickstart import DEMO_USER, prepare

    result = prepare(folder(config), port)
    for action in result.actions:
        typer.echo(f"first run: {action}")
    typer.echo(f"log in as '{DEMO_USER}' with password '{result.password}', for example:")
    typer.echo(f"  curl -k --ssl-reqd -u {DEMO_USER}:{result.password} ftp://127.0.0.1:PORT/")
    typer.echo(f"  lftp -u {DEMO_USER} -e 'set ssl:verify-certificate no' 127.0.0.1:PORT")
    if not prepare_only:
        serve(config=str(result.folder.root), log_level="info")


def register(app: typer.Typer) -> None:
    app.command("quickstart")(quickstart)
