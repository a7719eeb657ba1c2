"""Options shared by every command."""

from __future__ import annotations

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
