"""`iisftp migrate`."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the command to the top-level app (filled in by its owner)."""
