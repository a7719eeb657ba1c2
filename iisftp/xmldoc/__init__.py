"""Lossless XML configuration documents: load, query via lxml, edit with minimal diffs, save."""

from __future__ import annotations

from iisftp.xmldoc._document import Document
from iisftp.xmldoc._parse import DEFAULT_MAX_SIZE

__all__ = ["DEFAULT_MAX_SIZE", "Document"]
