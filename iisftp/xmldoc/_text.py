"""The editable text of a document: a tree of raw text pieces mirroring the lxml elements.

The file's original text is the truth for formatting. On the first edit it is cut
into one `Node` per element (its start tag, the raw pieces between its tags, its
end tag); comments, whitespace, CDATA and PIs stay verbatim in those pieces.
Joining the pieces gives the text back exactly. Edits replace a start tag or
insert/remove pieces, so an edit touches only the bytes it must. lxml remains the
tree for queries; this module holds formatting only.

The input was already checked well-formed by lxml, so a simple tokenizer suffices.
"""

from __future__ import annotations

import gc
import re
from collections import Counter
from collections.abc import Iterator

from lxml import etree

__all__ = [
    "Node",
    "build_nodes",
    "escape_attr",
    "serialize",
]

# Split pattern: group 1 = comment/CDATA/PI (kept verbatim as text, so markup inside
# is never taken for tags), group 2 = a start, empty-element or end tag.
_SPLIT = re.compile(
    r"(<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>)"
    r"|(<[^!?][^>\"']*(?:(?:\"[^\"]*\"|'[^']*')[^>\"']*)*>)",
    re.S,
)
_NAME = re.compile(r"<([^\s/>]+)")
# One attribute: (separator)(name)(=)(quoted value); groups 4/5 = value without quotes.
_ATTR = re.compile(r"(\s+)([^\s=/>]+)(\s*=\s*)(?:\"([^\"]*)\"|'([^']*)')")
_WS = " \t\r\n"
_ESCAPES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "\n": "&#xA;",
    "\r": "&#xD;",
    "\t": "&#x9;",
}


class Node:
    """One element's text: `start` tag, `content` (raw strings and child Nodes), `end` tag.

    `end == ""` means a self-closing start tag. The document itself is a Node with
    empty start/end whose content is prolog, root node, epilog.
    """

    __slots__ = ("content", "end", "parent", "start")

    def __init__(self, start: str, parent: Node | None) -> None:
        self.start = start
        self.end = ""
        self.content: list[str | Node] = []
        self.parent = parent

    @property
    def name(self) -> str:
        m = _NAME.match(self.start)
        return m.group(1) if m else ""


def build_nodes(text: str, root: etree._Element) -> tuple[Node, dict[etree._Element, Node]]:
    """Cut `text` into Nodes and pair them with lxml's elements in document order."""
    gc_was_on = gc.isenabled()
    gc.disable()  # ~100k new objects and no cycles to find: collections only cost time
    try:
        top, order, depth = _tokenize(text)
        elements = list(root.iter(etree.Element))
        if len(elements) != len(order) or depth:
            raise RuntimeError("xmldoc: tokenizer and lxml disagree on the element count")
        return top, dict(zip(elements, order, strict=True))
    finally:
        if gc_was_on:
            gc.enable()


def _tokenize(text: str) -> tuple[Node, list[Node], int]:
    parts = _SPLIT.split(text)  # [text, g1, g2, text, g1, g2, ..., text]
    top = cur = Node("", None)
    stack = [top]
    order: list[Node] = []
    pending = parts[0]
    for i in range(1, len(parts), 3):
        tag = parts[i + 1]
        if tag is None:  # comment, CDATA or PI: part of the surrounding raw text
            pending += parts[i] + parts[i + 2]
            continue
        if pending:
            cur.content.append(pending)
        pending = parts[i + 2]
        if tag[1] == "/":
            stack.pop().end = tag
            cur = stack[-1]
        else:
            node = Node(tag, cur)
            cur.content.append(node)
            order.append(node)
            if tag[-2] != "/":
                stack.append(node)
                cur = node
    if pending:
        top.content.append(pending)
    return top, order, len(stack) - 1


def _pieces(node: Node) -> Iterator[str]:
    stack: list[Iterator[str | Node]] = [iter((node,))]
    while stack:
        for item in stack[-1]:
            if isinstance(item, str):
                yield item
            else:
                yield item.start
                stack.append(iter([*item.content, item.end]))
                break
        else:
            stack.pop()


def serialize(node: Node) -> str:
    return "".join(_pieces(node))


def escape_attr(value: str, quote: str = '"') -> str:
    """Escape an attribute value for the given quote character (IIS style char refs)."""
    out = []
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch == quote:
            out.append("&quot;" if quote == '"' else "&apos;")
        else:
            out.append(ch)
    return "".join(out)


# --- start-tag edits -------------------------------------------------------------


def _find_attr(start: str, name: str) -> re.Match[str] | None:
    name_end = _NAME.match(start).end()  # type: ignore[union-attr]
    for m in _ATTR.finditer(start, name_end):
        if m.group(2) == name:
            return m
    return None


def set_attr(start: str, name: str, value: str) -> str:
    """Return `start` with attribute `name` set: value replaced in place, or appended."""
    m = _find_attr(start, name)
    if m:
        group = 4 if m.group(4) is not None else 5
        quote = '"' if group == 4 else "'"
        return start[: m.start(group)] + escape_attr(value, quote) + start[m.end(group) :]
    name_end = _NAME.match(start).end()  # type: ignore[union-attr]
    last = None
    for last in _ATTR.finditer(start, name_end):  # noqa: B007 - we want the last match
        pass
    at, sep = (last.end(), last.group(1)) if last else (name_end, " ")
    return f'{start[:at]}{sep}{name}="{escape_attr(value)}"{start[at:]}'


def remove_attr(start: str, name: str) -> str:
    m = _find_attr(start, name)
    return start[: m.start()] + start[m.end() :] if m else start


def new_start(tag: str, attrs: list[tuple[str, str]], close: str) -> str:
    """A self-closing start tag `<tag a="b" />`; `close` is the file's " />" or "/>"."""
    parts = "".join(f' {n}="{escape_attr(v)}"' for n, v in attrs)
    return f"<{tag}{parts}{close}"


def open_tag(node: Node) -> None:
    """Turn a self-closing `<x a="b" />` into `<x a="b">` ... `</x>`."""
    node.start = re.sub(r"\s*/>$", ">", node.start)
    node.end = f"</{node.name}>"


# --- layout ----------------------------------------------------------------------


def _before(node: Node) -> Iterator[str]:
    """The text preceding `node`, piece by piece, walking backwards to the file start."""
    while node.parent is not None:
        parent = node.parent
        idx = _index(parent, node)
        for item in reversed(parent.content[:idx]):
            yield item if isinstance(item, str) else serialize(item)
        yield parent.start
        node = parent


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
    for i, item in enumerate(parent.content):
        if item is node:
            return i
    raise ValueError("node not in parent")


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


def insert_child(parent: Node, new: Node, before: Node | None, sep: str, close: str) -> None:
    """Place `new` before sibling `before` (or append), separated by `sep` (newline+indent)."""
    new.parent = parent
    if before is not None:
        idx = _index(parent, before)
        parent.content[idx:idx] = [new, sep] if sep else [new]
        return
    if not parent.end:
        open_tag(parent)
    content = parent.content
    last = content.pop() if content and isinstance(content[-1], str) else ""
    head = last.rstrip(_WS)
    trailing = last[len(head) :]
    if sep and "\n" not in trailing and "\r" not in trailing:
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
    if prev_ws and (ends_line or not _has_break(prev_ws)) and not (next_ws and not ends_line):
        content[idx - 1] = prev[: len(prev) - len(prev_ws)]
    elif next_ws and not ends_line:
        content[idx + 1] = nxt[len(next_ws) :]
    del content[idx]
    parent.content = [p for p in content if p != ""]
    node.parent = None


def _has_break(ws: str) -> bool:
    return "\n" in ws or "\r" in ws
