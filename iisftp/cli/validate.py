"""`iisftp validate PATH...`: check configuration files, for people and for CI.

Exit status: 0 no errors, 1 errors found, 2 unusable input (missing file, not
XML). Formats: text (`file:line:col: severity CODE: message; hint`), json, and
github (workflow annotations).
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from iisftp.cli.options import ConfigOption, folder
from iisftp.config.validate import is_unusable, render, summary, validate_file
from iisftp.folder import ConfigFolder


class Format(enum.StrEnum):
    text = "text"
    json = "json"
    github = "github"


def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="applicationHost.config files or configuration folders (default: -c's)."
        ),
    ] = None,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
    ] = Format.text,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Treat warnings and unvalidated sections as errors."),
    ] = False,
    schema_dir: Annotated[
        list[Path] | None,
        typer.Option(
            "--schema-dir", help="Folder of IIS schema files (repeatable; default: built-in)."
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Leave out notes (info diagnostics).")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Validate configuration files against the IIS schema and iisftp's checks."""
    from iisftp.schema import load_schemas

    paths = paths or [folder(config).apphost]
    schemas = load_schemas(schema_dir or None)
    diagnostics = []
    for path in paths:
        target = ConfigFolder.resolve(path).apphost if path.is_dir() else path
        diagnostics.extend(validate_file(target, schemas=schemas, strict=strict))
    shown = [d for d in diagnostics if not (quiet and d.severity == "info")]
    output = render(shown, fmt.value)
    if output:
        typer.echo(output)
    if fmt is Format.text:
        counts = summary(diagnostics)
        typer.echo(
            f"{len(paths)} file(s): {counts['errors']} error(s), {counts['warnings']} warning(s),"
            f" {counts['infos']} note(s)",
            err=True,
        )
    if is_unusable(diagnostics):
        raise typer.Exit(2)
    if any(d.severity == "error" for d in diagnostics):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add `iisftp validate` to the top-level app."""
    app.command("validate")(validate)
