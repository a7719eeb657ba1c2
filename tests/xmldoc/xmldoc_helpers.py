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
    before = body.decode(doc.encoding).splitlines(keepends=True)
    after = doc.to_text().splitlines(keepends=True)
    # autojunk off: these files repeat lines so often that difflib would misalign them
    ops = difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    out: list[str] = []
    for tag, i1, i2, j1, j2 in ops:
        if tag != "equal":
            out += ["-" + line for line in before[i1:i2]] + ["+" + line for line in after[j1:j2]]
    return out


def elements(parent) -> list:
    """Element children only (comments skipped)."""
    return [c for c in parent if isinstance(c.tag, str)]
