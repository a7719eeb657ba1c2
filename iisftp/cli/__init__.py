"""The `iisftp` command line: a thin typer layer over the library.

Each command group lives in its own module and is joined here with add_typer.
Library errors (IisftpError) become `error: ...` on stderr and an exit code in
one place (`main`); commands never catch Exception.
"""

from __future__ import annotations

import sys

import typer

from iisftp.errors import IisftpError

app = typer.Typer(
    name="iisftp",
    help="IIS-compatible FTP/FTPS server driven by applicationHost.config.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    # Imported here so each group module can import `app` helpers without cycles.
    from iisftp.cli import cert, config, migrate, quickstart, serve, site, user, validate

    app.add_typer(config.app, name="config")
    app.add_typer(cert.app, name="cert")
    app.add_typer(user.app, name="user")
    app.add_typer(site.app, name="site")
    validate.register(app)
    serve.register(app)
    migrate.register(app)
    quickstart.register(app)


_register()


def main() -> None:
    try:
        app()
    except IisftpError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
