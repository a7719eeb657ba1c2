"""Options shared by every command."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated

import typer

from iisftp.folder import ENV_VAR, ConfigFolder

ConfigOption = Annotated[
    str | None,
    typer.Option(
        "--config",
        "-c",
        help=f"Configuration folder or its applicationHost.config (default: ${ENV_VAR}, "
        "else the current folder).",
        envvar=ENV_VAR,
        show_envvar=True,
    ),
]

JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def folder(config: str | None) -> ConfigFolder:
    return ConfigFolder.resolve(config)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A rich table (with colours) on a terminal; tab-separated lines otherwise, so
    scripts can cut and grep. Cells may carry rich markup such as [red]...[/red]."""
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(*headers)
        for row in rows:
            table.add_row(*row)
        Console().print(table)
        return
    from rich.text import Text

    for row in rows:
        typer.echo("\t".join(Text.from_markup(cell).plain for cell in row))
