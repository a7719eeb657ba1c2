"""Fixtures for the configuration engine: hand-written files under data/."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import iisftp.config as config_api

DATA = Path(__file__).resolve().parent / "data"
VARIABLES = {"FTPROOT": "/srv/ftp", "SystemDrive": "C:"}


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture
def load_data() -> Callable[..., config_api.Config]:
    def load(name: str, **kwargs: object) -> config_api.Config:
        kwargs.setdefault("variables", VARIABLES)
        return config_api.load(DATA / name, **kwargs)  # type: ignore[arg-type]

    return load


@pytest.fixture
def config_folder(tmp_path: Path) -> Callable[[Path | str], Path]:
    """Copy a file into a fresh configuration folder as applicationHost.config."""

    def make(source: Path | str) -> Path:
        source = Path(source)
        if not source.is_absolute():
            source = DATA / source
        target = tmp_path / "cfg"
        target.mkdir(exist_ok=True)
        shutil.copyfile(source, target / "applicationHost.config")
        return target

    return make
