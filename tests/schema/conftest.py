"""Fixtures for the schema tests: the repo's merged schema set and a file writer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from iisftp.schema import SchemaSet, load_schemas


@pytest.fixture(scope="session")
def schemas() -> SchemaSet:
    return load_schemas()


@pytest.fixture
def write_schema(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write `<configSchema>` text to tmp_path/<name> and return the folder."""

    def write(name: str, body: str) -> Path:
        (tmp_path / name).write_text(body, encoding="utf-8")
        return tmp_path

    return write
