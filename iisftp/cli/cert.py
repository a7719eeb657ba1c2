"""`iisftp cert` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="cert commands.", no_args_is_help=True)
