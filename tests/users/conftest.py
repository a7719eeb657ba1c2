"""Fixtures for the user store tests."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from iisftp.users import passwords


@pytest.fixture
def users_file(tmp_path: Path) -> Path:
    return tmp_path / "config" / "users.json"


@pytest.fixture
def scrypt_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[int, int, int]]]:
    """Record the (n, r, p) of every real scrypt computation (the real function still runs)."""
    calls: list[tuple[int, int, int]] = []
    real = hashlib.scrypt

    def counting(password: bytes, **kw: int) -> bytes:
        calls.append((kw["n"], kw["r"], kw["p"]))
        return real(password, **kw)

    monkeypatch.setattr(passwords.hashlib, "scrypt", counting)
    yield calls
