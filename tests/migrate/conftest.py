"""Fixtures for migrate tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def ftp_root(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    (root / "pub").mkdir(parents=True)
    (root / "welcome.txt").write_text("hello\n")
    (root / "pub" / "readme.txt").write_text("public\n")
    return root
