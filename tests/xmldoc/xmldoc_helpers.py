"""Helpers for the xmldoc tests: corpus file lists and line diffs."""

from __future__ import annotations

import difflib
from pathlib import Path

from iisftp.xmldoc import Document

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
BROKEN = "09_jexus_tests_original2_missing_closing_BROKEN.xml"
WELL_FORMED = sorted(p.name for p in CORPUS.glob("*.xml") if p.name != BROKEN)
_BOMS = {"utf-8": b"\xef\xbb\xbf", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}


def changed_lines(doc: Document, original: bytes) -> list[str]:
    """The '-'/'+' lines of a diff between the original bytes and the document now."""
    body = original[len(_BOMS[doc.encoding]) :] if doc.bom else original
    before, after = body.decode(doc.encoding), doc.to_text()
    diff = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), n=0
    )
    return [d for d in diff if d[:1] in "+-" and not d.startswith(("+++", "---"))]


def elements(parent) -> list:
    """Element children only (comments skipped)."""
    return [c for c in parent if isinstance(c.tag, str)]
