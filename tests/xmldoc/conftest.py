"""Fixtures for the xmldoc tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from iisftp.xmldoc import Document


@pytest.fixture
def load_corpus(corpus_dir: Path):
    """Load a corpus file in place (read-only) by name; returns (document, original bytes)."""

    def load(name: str) -> tuple[Document, bytes]:
        path = corpus_dir / name
        return Document.load(path), path.read_bytes()

    return load
