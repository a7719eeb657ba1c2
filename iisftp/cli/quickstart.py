"""`iisftp quickstart`: prepare the quickstart sample on first run, then serve it."""

from __future__ import annotations

from typing import Annotated

import typer

from iisftp.cli.serve import serve
from iisftp.folder import ConfigFolder


def quickstart(
    config: Annotated[
        str,
        typer.Option(
            "--config",
            "-c",
            help="Quickstart folder (created on first run; never $IISFTP_CONFIG, so a real "
            "installation is not touched).",
        ),
    ] = "iisftp-quickstart",
    port: Annotated[
        int | None, typer.Option(help="Listen on this port instead of the one in the file.")
    ] = None,
    prepare_only: Annotated[
        bool, typer.Option("--prepare-only", help="Create what is missing, then exit.")
    ] = False,
) -> None:
    """Run a demo FTPS site from samples/quickstart (copying it, and creating its
    certificate and demo user, on first run)."""
    from iisftp.quickstart import DEMO_USER, prepare

    result = prepare(ConfigFolder.resolve(config), port)
    for action in result.actions:
        typer.echo(f"first run: {action}")
    typer.echo(f"log in as '{DEMO_USER}' with password '{result.password}', for example:")
    typer.echo(f"  curl -k --ssl-reqd -u {DEMO_USER}:{result.password} ftp://{result.address}/")
    typer.echo(f"  lftp -u {DEMO_USER} -e 'set ssl:verify-certificate no' {result.address}")
    if not prepare_only:
        serve(config=str(result.folder.root), log_level="info")


def register(app: typer.Typer) -> None:
    app.command("quickstart")(quickstart)
