"""`iisftp serve`: run the FTP/FTPS server for every site with an `ftp` binding.

The folder is wired into a server by iisftp.app.server_for; this command logs
to stderr, prints where it listens, and stops cleanly on SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from typing import Annotated

import typer

from iisftp.cli.options import ConfigOption, folder
from iisftp.errors import UsageError


def _how_to_connect(addresses: list[tuple[str, str, int, bool]]) -> list[str]:
    lines = []
    for site, host, port, implicit in addresses:
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        if implicit:
            lines.append(f"  {site}: ftps://{shown}:{port}/  (implicit FTPS; curl -k ftps://...)")
        else:
            lines.append(
                f"  {site}: ftp://{shown}:{port}/  (explicit FTPS: curl -k --ssl-reqd ftp://..., "
                "lftp, FileZilla ftpes://)"
            )
    return lines


async def _run(server) -> None:
    await server.start()
    if not server.addresses:
        await server.stop()
        raise UsageError(
            "no site starts automatically (every ftp site has serverAutoStart=false)",
            "enable one with `iisftp site start-on-boot NAME`",
        )
    typer.echo("iisftp is listening:")
    for line in _how_to_connect(server.addresses):
        typer.echo(line)
    typer.echo("Press Ctrl+C to stop.")
    sys.stdout.flush()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        logging.getLogger("iisftp.server").info("stopping")
        await server.stop()


def serve(
    config: ConfigOption = None,
    log_level: Annotated[
        str, typer.Option("--log-level", help="debug, info, warning or error (stderr).")
    ] = "info",
) -> None:
    """Run the FTP/FTPS server for every site with an ftp binding."""
    level = getattr(logging, log_level.upper(), None)
    if not isinstance(level, int):
        raise UsageError(f"unknown log level {log_level!r}", "use debug, info, warning or error")
    logging.basicConfig(
        stream=sys.stderr, level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from iisftp.app import server_for

    server = server_for(folder(config))
    asyncio.run(_run(server))


def register(app: typer.Typer) -> None:
    """Add the command to the top-level app."""
    app.command("serve")(serve)
