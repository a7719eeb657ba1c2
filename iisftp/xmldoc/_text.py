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
from collections.abc import Iterator

from lxml import etree

__all__ = [
    "Node",
    "build_nodes",
    "escape_attr",
    "new_start",
    "open_tag",
    "remove_attr",
    "serialize",
    "set_attr",
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
