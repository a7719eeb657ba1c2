"""Where diagnostics point: file, line and column of an element or attribute.

lxml reports the line where a start tag *ends*; for `file:line:col` output we
want where the tag, or the attribute at fault, begins. The source text is
searched backwards from that line (a few lines at most), so multi-line start
tags point at the right line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from lxml import etree

from iisftp.config.diagnostics import Diagnostic

__all__ = ["Sink"]

_LOOKBACK = 50  # lines a start tag may span


@dataclass
class Sink:
    """Collects diagnostics for one file."""

    file: str
    document: Any = None  # iisftp.xmldoc.Document, for columns (optional)
    items: list[Diagnostic] = field(default_factory=list)
    # Per-run caches of the checks (schema plans, merged inherited keys, ...): a
    # Sink lives for one validation of an unchanging document.
    memo: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def _lines(self) -> list[str]:
        if self.document is None:
            return []
        try:
            return str(self.document.to_text()).splitlines()
        except (AttributeError, ValueError):
            return []

    def add(
        self,
        where: etree._Element | int | None,
        code: str,
        severity: str,
        message: str,
        hint: str = "",
        *,
        attr: str | None = None,
    ) -> None:
        if isinstance(where, etree._Element):
            line, column = self.position(where, attr)
        else:
            line, column = where or 0, 0
        self.items.append(Diagnostic(self.file, line, column, code, severity, message, hint))

    def _ordinal(self, elem: etree._Element, line: int) -> int:
        """How many earlier siblings with elem's tag start-tag-end on the same line.

        The siblings are grouped once per parent and run (not rescanned for each
        diagnostic: a `<location>` among 10,000 would cost a scan each)."""
        parent = elem.getparent()
        if parent is None:
            return 0  # the root: its siblings are comments and processing instructions
        groups = self.memo.setdefault("siblings", {})
        by_line = groups.get(parent)
        if by_line is None:
            by_line = groups[parent] = {}
            for child in parent:
                by_line.setdefault((child.tag, child.sourceline), []).append(child)
        same = by_line.get((elem.tag, line), [])
        return next((i for i, sib in enumerate(same) if sib is elem), 0)

    def position(self, elem: etree._Element, attr: str | None = None) -> tuple[int, int]:
        """1-based (line, column) of `<tag` or of `attr=` inside it; column 0 = unknown."""
        end = elem.sourceline or 0
        lines = self._lines
        if not end or end > len(lines):
            return end, 0
        # Several same-named siblings may share a line: take the right occurrence.
        ordinal = self._ordinal(elem, end)
        tag = re.compile(r"<" + re.escape(str(elem.tag)) + r"(?=[\s/>]|$)")
        for number in range(end, max(0, end - _LOOKBACK), -1):
            found = list(tag.finditer(lines[number - 1]))
            if number == end and ordinal < len(found):
                found = found[: ordinal + 1]
            if found:
                start_line, start_col = number, found[-1].start()
                break
        else:
            return end, 0
        if attr:
            name = re.compile(r"(?<![\w:.-])" + re.escape(attr) + r"\s*=")
            for number in range(start_line, end + 1):
                offset = start_col if number == start_line else 0
                match = name.search(lines[number - 1], offset)
                if match:
                    return number, match.start() + 1
        return start_line, start_col + 1
