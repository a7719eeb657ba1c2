"""`iisftp serve`: run the FTP/FTPS server for every site with an `ftp` binding.

Wires config -> build_server_settings -> FtpServer with the folder's user and
certificate stores; logs to stderr, prints where it listens, and stops cleanly
on SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

from iisftp.cli.options import ConfigOption, folder
from iisftp.errors import IisftpError, UsageError
from iisftp.folder import ConfigFolder


def _stores(cfg_folder: ConfigFolder):
    """The authenticate and certificate callbacks, backed by the folder's stores."""
    try:
        from iisftp.certs import CertStore
        from iisftp.users import UserStore
    except ImportError as exc:  # a partial installation
        raise IisftpError(
            f"user/certificate stores unavailable: {exc}", "reinstall iisftp"
        ) from exc
    certs = CertStore(cfg_folder.cert_dir)
    cache: dict[str, object] = {}

    def authenticate(name: str, password: str):
        # Re-open the store when users.json changed, so `iisftp user add` needs no restart.
        path = cfg_folder.users_file
        stamp = path.stat().st_mtime_ns if path.exists() else 0
        if cache.get("stamp") != stamp:
            cache["store"], cache["stamp"] = UserStore.open(path), stamp
        return cache["store"].authenticate(name, password)  # type: ignore[attr-defined]

    def certificate(store_name: str, thumbprint: str) -> tuple[Path, Path] | None:
        found = certs.find(thumbprint, store_name)
        if found is None or found.key_file is None:
            return None
        return found.cert_file, found.key_file

    return authenticate, certificate


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
    cfg_folder = folder(config)
    try:
        from iisftp.config import load
        from iisftp.model.build import build_server_settings
    except ImportError as exc:
        raise IisftpError(f"configuration engine unavailable: {exc}", "reinstall iisftp") from exc
    from iisftp.server import FtpServer

    settings = build_server_settings(load(cfg_folder.apphost))
    if not settings.sites:
        raise UsageError(
            f"{cfg_folder.apphost}: no site has an ftp binding",
            "add one, e.g. `iisftp site add NAME --binding *:21: --path DIR`",
        )
    authenticate, certificate = _stores(cfg_folder)
    server = FtpServer(settings, authenticate=authenticate, certificate=certificate)
    asyncio.run(_run(server))


def register(app: typer.Typer) -> None:
    """Add the command to the top-level app."""
    app.command("serve")(serve)
