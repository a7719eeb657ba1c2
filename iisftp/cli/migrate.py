"""`iisftp migrate`: bring FTP sites over from real IIS exports (thin layer over iisftp.migrate)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from iisftp.errors import UsageError
from iisftp.migrate import (
    MigrateOptions,
    MigrationMapping,
    Report,
    load_mapping,
    migrate,
    parse_pairs,
    parse_ports,
)
from iisftp.migrate._engine import Progress
from iisftp.migrate._mapping import CertSource

# Show a progress bar (on a terminal only) when the inputs are at least this big.
PROGRESS_BYTES = 256 * 1024

Pairs = list[str] | None


def register(app: typer.Typer) -> None:
    """Add the command to the top-level app."""
    app.command("migrate")(migrate_command)


def migrate_command(
    sources: Annotated[
        list[Path],
        typer.Argument(
            help="applicationHost.config, appcmd `list site /config /xml` output, "
            "administration.config, PFX files, or an exported configuration folder."
        ),
    ],
    to: Annotated[Path, typer.Option("--to", help="Configuration folder to create or update.")],
    mapping_file: Annotated[
        Path | None,
        typer.Option("--mapping", "-m", help="TOML mapping file (see docs/migrating.md)."),
    ] = None,
    map_path: Annotated[
        Pairs, typer.Option("--map-path", help="WINDOWS_PATH=LOCAL_PATH; repeatable.")
    ] = None,
    map_address: Annotated[
        Pairs, typer.Option("--map-address", help="WINDOWS_IP=LOCAL_IP or '*'.")
    ] = None,
    map_port: Annotated[Pairs, typer.Option("--map-port", help="PORT=PORT, e.g. 21=2121.")] = None,
    map_account: Annotated[
        Pairs, typer.Option("--map-account", help="'DOMAIN\\user=iisftp_name'; repeatable.")
    ] = None,
    cert: Annotated[
        Pairs, typer.Option("--cert", help="THUMBPRINT=FILE.pfx (or PEM); repeatable.")
    ] = None,
    pfx_password_env: Annotated[
        str | None,
        typer.Option("--pfx-password-env", help="Environment variable holding PFX passwords."),
    ] = None,
    key: Annotated[
        Path | None, typer.Option("--key", help="The export's configEncKey.key, if any.")
    ] = None,
    fallback_root: Annotated[
        str | None,
        typer.Option(
            "--fallback-root", help="Where unmapped Windows paths go (default /srv/iisftp)."
        ),
    ] = None,
    site: Annotated[
        list[str] | None, typer.Option("--site", help="Only this FTP site; repeatable.")
    ] = None,
    keep_all: Annotated[
        bool, typer.Option("--keep-all", help="Keep non-FTP sites and sections too.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Show the mappings; write nothing.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a different applicationHost.config.")
    ] = False,
    format: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Migrate FTP sites from IIS exports into an iisftp configuration folder.

    Exit code 0: everything carried over; 1: carried over, items need attention; 2: nothing usable.
    """
    if format not in ("text", "json"):
        raise UsageError(f"--format {format!r} is not text or json", "use --format json")
    mapping = load_mapping(mapping_file) if mapping_file else MigrationMapping()
    given = MigrationMapping(
        paths=parse_pairs(map_path or [], "--map-path"),
        addresses=parse_pairs(map_address or [], "--map-address"),
        ports=parse_ports(parse_pairs(map_port or [], "--map-port"), "--map-port"),
        accounts=parse_pairs(map_account or [], "--map-account"),
        certificates={k: CertSource(Path(v)) for k, v in parse_pairs(cert or [], "--cert").items()},
        fallback_root=fallback_root or mapping.fallback_root,
        origin="command line",
    )
    password = os.environ.get(pfx_password_env, "").encode() if pfx_password_env else None
    with _progress(sources) as progress:
        report = migrate(
            MigrateOptions(
                sources=list(sources),
                to=to,
                mapping=mapping.merged(given),
                keep_all=keep_all,
                sites=site or [],
                dry_run=dry_run,
                force=force,
                key_file=key,
                pfx_password=password,
                progress=progress,
            )
        )
    _emit(report, format)
    raise typer.Exit(report.exit_code)


def _emit(report: Report, format: str) -> None:
    typer.echo(report.to_json() if format == "json" else report.render_text(), nl=False)


@contextmanager
def _progress(sources: list[Path]) -> Iterator[Progress | None]:
    """A rich progress bar on stderr for big inputs on a terminal; nothing otherwise."""
    if not sys.stderr.isatty() or _size(sources) < PROGRESS_BYTES:
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress as RichProgress

    with RichProgress(transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task("migrating", total=None)

        def update(what: str, done: int, total: int) -> None:
            bar.update(task, description=what, completed=done, total=total)

        yield update


def _size(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        files = path.rglob("*") if path.is_dir() else [path]
        total += sum(f.stat().st_size for f in files if f.is_file())
    return total
