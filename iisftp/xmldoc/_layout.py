"""Layout of inserted and removed elements: indentation, line breaks, whitespace runs.

New elements copy the whitespace that puts their siblings on their own lines (so the
file's line ending and indent come along); an element without element children gets
its own line indent plus the file's indent unit. Removal takes the element's line(s).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from iisftp.xmldoc._text import Node, open_tag, serialize

__all__ = [
    "indent_of",
    "indent_unit",
    "insert_child",
    "line_of",
    "remove_child",
    "self_closing_style",
    "ws_before",
]

_WS = " \t\r\n"


def _before(node: Node) -> Iterator[str]:
    """The text preceding `node`, piece by piece, walking backwards to the file start."""
    while node.parent is not None:
        parent = node.parent
        idx = _index(parent, node)
        for item in reversed(parent.content[:idx]):
            yield item if isinstance(item, str) else serialize(item)
        yield parent.start
        node = parent


def line_of(node: Node) -> int:
    """1-based line of `node` in the current text, counted like libxml2 (LF only)."""
    return sum(piece.count("\n") for piece in _before(node)) + 1


def _line_prefix(node: Node) -> str:
    """Text from the start of `node`'s line up to `node`."""
    collected: list[str] = []
    for piece in _before(node):
        cut = max(piece.rfind("\n"), piece.rfind("\r"))
        if cut >= 0:
            collected.append(piece[cut + 1 :])
            break
        collected.append(piece)
    return "".join(reversed(collected))


def indent_of(node: Node) -> str:
    """The leading whitespace of the line `node` starts on."""
    prefix = _line_prefix(node)
    return prefix[: len(prefix) - len(prefix.lstrip(" \t"))]


def _index(parent: Node, node: Node) -> int:
    """Position of `node` in `parent.content` (appends make the last items the usual hit)."""
    content = parent.content
    for i in range(len(content) - 1, max(len(content) - 8, 0) - 1, -1):
        if content[i] is node:
            return i
    return content.index(node)  # identity first; a Node never equals a str or another Node


def ws_before(node: Node) -> str:
    """The whitespace run directly before `node` if it begins a line (else "")."""
    parent = node.parent
    assert parent is not None
    idx = _index(parent, node)
    prev = parent.content[idx - 1] if idx > 0 else ""
    if not isinstance(prev, str):
        return ""
    ws = prev[len(prev.rstrip(_WS)) :]
    return ws if ("\n" in ws or "\r" in ws) else ""


_TAG_LINE = re.compile(r"[\r\n]([ \t]*)<[^/!?]")


def indent_unit(text: str) -> str:
    """The file's indent step: the most common growth of indentation between tag lines."""
    steps: Counter[str] = Counter()
    prev = ""
    for n, m in enumerate(_TAG_LINE.finditer(text)):
        if n == 2000:  # plenty to tell the style; keeps the first edit fast on huge files
            break
        ind = m.group(1)
        if len(ind) > len(prev) and ind.startswith(prev):
            steps[ind[len(prev) :]] += 1
        prev = ind
    return steps.most_common(1)[0][0] if steps else "    "


def self_closing_style(text: str) -> str:
    """IIS writes `<add a="b" />`; keep a file that mostly writes `<add a="b"/>` that way."""
    spaced = text.count(" />")
    return " />" if spaced * 2 >= text.count("/>") else "/>"


def insert_child(parent: Node, new: Node, before: Node | None, sep: str) -> None:
    """Place `new` before sibling `before` (or append), separated by `sep` (newline+indent)."""
    new.parent = parent
    if before is not None:
        idx = _index(parent, before)
        parent.content[idx:idx] = [new, sep] if sep else [new]
        return
    if not parent.end:
        open_tag(parent)
    content = parent.content
    first_child = not any(isinstance(item, Node) for item in content)
    last = content.pop() if content and isinstance(content[-1], str) else ""
    head = last.rstrip(_WS)
    trailing = last[len(head) :]
    if first_child and sep and not _has_break(trailing):  # put the end tag on its own line
        trailing = _newline_of(sep) + indent_of(parent)
    content.extend(p for p in (head, sep, new, trailing) if p != "")


def _newline_of(sep: str) -> str:
    return sep[: len(sep.rstrip(" \t"))]


def remove_child(node: Node) -> None:
    """Drop `node` with the whitespace that put it on its own line(s).

    When the element ends its line, the whitespace run before it (line break(s) and
    indentation) goes; when something follows on the same line, the spaces after it go.
    """
    parent = node.parent
    assert parent is not None
    idx = _index(parent, node)
    content = parent.content
    prev = content[idx - 1] if idx > 0 and isinstance(content[idx - 1], str) else ""
    nxt = content[idx + 1] if idx + 1 < len(content) and isinstance(content[idx + 1], str) else ""
    prev_ws = prev[len(prev.rstrip(_WS)) :]
    next_ws = nxt[: len(nxt) - len(nxt.lstrip(_WS))]
    ends_line = idx + 1 == len(content) or _has_break(next_ws)
    if prev_ws and (ends_line or not (next_ws or _has_break(prev_ws))):
        content[idx - 1] = prev[: len(prev) - len(prev_ws)]
    elif next_ws and not ends_line:
        content[idx + 1] = nxt[len(next_ws) :]
    # Drop the node and any neighbour the trimming emptied (highest index first).
    for i in (idx + 1, idx, idx - 1):
        if i == idx or (0 <= i < len(content) and content[i] == ""):
            del content[i]
    node.parent = None


def _has_break(ws: str) -> bool:
    return "\n" in ws or "\r" in ws
