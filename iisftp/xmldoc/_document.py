"""Document: a lossless, editable XML configuration file.

Loading is one safe lxml parse and nothing else: the original bytes are kept and
`to_bytes()` returns them unchanged until the first edit. The first edit cuts the
text into per-element pieces (`_text.build_nodes`); each edit then changes the lxml
tree (the tree callers query) and patches the matching text pieces, so saving
changes only the lines an edit must change. Callers must edit through these
methods, never through lxml directly, or the text will not follow.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from itertools import islice
from pathlib import Path

from lxml import etree

from iisftp.errors import ConfigError, Location, UsageError
from iisftp.fsutil import atomic_write
from iisftp.xmldoc import _layout, _text
from iisftp.xmldoc._parse import DEFAULT_MAX_SIZE, check_size, decode_text, parse_bytes

__all__ = ["Document"]

# lxml can report any line number but only store an unsigned short.
_MAX_SETTABLE_LINE = 65535
# IIS element and attribute names: plain XML names, no namespaces.
_XML_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")


class Document:
    """An XML configuration file kept byte-exact except where edited."""

    def __init__(
        self,
        data: bytes,
        filename: str = "<memory>",
        *,
        max_size: int = DEFAULT_MAX_SIZE,
        _path: Path | None = None,
        _stat: os.stat_result | None = None,
    ) -> None:
        parsed = parse_bytes(data, filename, max_size)
        self.root: etree._Element = parsed.root
        self.filename = filename
        self.encoding = parsed.encoding
        self.bom = bool(parsed.bom)
        self.newline = parsed.newline
        self.modified = False
        self._bom_bytes = parsed.bom
        self._data = data  # bytes as on disk (or as given); the baseline for to_bytes/save
        self._text = parsed.text
        self._path = _path
        self._stat = _stat
        # Built on the first edit: the text pieces and element -> Node map. The map
        # also keeps every element's lxml proxy alive, so element identity is stable.
        self._top: _text.Node | None = None
        self._nodes: dict[etree._Element, _text.Node] = {}
        self._unit = "    "
        self._close = " />"

    # --- loading -------------------------------------------------------------

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, max_size: int = DEFAULT_MAX_SIZE) -> Document:
        p = Path(path)
        try:
            with open(p, "rb") as f:
                st = os.fstat(f.fileno())
                check_size(st.st_size, max_size, str(p))
                data = f.read(max_size + 1)
        except OSError as exc:
            raise ConfigError(
                f"cannot read the file: {exc.strerror or exc}",
                "check the path and its permissions",
                Location(str(p)),
            ) from None
        return cls(data, str(p), max_size=max_size, _path=p, _stat=st)

    @classmethod
    def from_bytes(
        cls, data: bytes, filename: str = "<memory>", *, max_size: int = DEFAULT_MAX_SIZE
    ) -> Document:
        return cls(bytes(data), filename, max_size=max_size)

    def __repr__(self) -> str:
        state = "modified" if self.modified else "unmodified"
        return f"<Document {self.filename!r} {self.encoding} {state}>"

    # --- output --------------------------------------------------------------

    def to_text(self) -> str:
        """The current text (without BOM)."""
        if self._top is not None:
            return _text.serialize(self._top)
        return self._decoded()

    def to_bytes(self) -> bytes:
        if not self.modified:
            return self._data
        # A character the file's encoding lacks can only come from an attribute value
        # we wrote, where a character reference is valid XML.
        return self._bom_bytes + self.to_text().encode(self.encoding, "xmlcharrefreplace")

    def save(self, path: str | os.PathLike[str] | None = None) -> None:
        """Write atomically to `path` (default: the loaded file); refuse if it changed on disk."""
        if path is None and self._path is None:
            raise UsageError(f"{self.filename} was not loaded from a file", "pass save(path=...)")
        target = Path(path) if path is not None else self._path
        assert target is not None
        if self._path is not None and _same_file(target, self._path):
            self._check_unchanged()
        mode = os.stat(self._path).st_mode & 0o7777 if self._path and self._path.exists() else None
        data = self.to_bytes()
        self._stat = atomic_write(target, data, new_file_mode=mode)
        self._data, self._path, self.filename = data, target, str(target)
        self.modified = False

    def _check_unchanged(self) -> None:
        assert self._path is not None and self._stat is not None
        hint = "reload the file and make your change again (someone else edited it)"
        where = Location(str(self._path))
        try:
            st = os.stat(self._path)
            same = (st.st_mtime_ns, st.st_size) == (self._stat.st_mtime_ns, self._stat.st_size)
            # mtime can be coarse: compare the bytes too, it is cheap next to a save.
            same = same and self._path.read_bytes() == self._data
        except FileNotFoundError:
            raise ConfigError("the file was deleted since it was loaded", hint, where) from None
        if not same:
            raise ConfigError("the file changed on disk since it was loaded", hint, where)

    # --- edits ---------------------------------------------------------------

    def set_attribute(self, elem: etree._Element, name: str, value: str) -> None:
        node = self._node(elem)
        _check_name(name, "attribute")
        if elem.get(name) == value:
            return
        _lxml_call(elem.set, name, value)
        node.start = _text.set_attr(node.start, name, value)
        self.modified = True

    def remove_attribute(self, elem: etree._Element, name: str) -> None:
        node = self._node(elem)
        if name not in elem.attrib:
            return
        del elem.attrib[name]
        node.start = _text.remove_attr(node.start, name)
        self.modified = True

    def insert_element(
        self,
        parent: etree._Element,
        tag: str,
        attrs: Sequence[tuple[str, str]] = (),
        index: int | None = None,
    ) -> etree._Element:
        """Add `<tag attrs... />` as element child number `index` (None = last) of `parent`."""
        pnode = self._node(parent)
        _check_name(tag, "element")
        attrs = [(str(n), v) for n, v in attrs]
        names = [n for n, _ in attrs]
        for n in names:
            _check_name(n, "attribute")
        if len(set(names)) != len(names):
            raise UsageError(f"duplicate attribute in {names}", "give each attribute once")
        default_ns = parent.nsmap.get(None)  # `<x>` written under xmlns="..." is in it
        new = parent.makeelement(f"{{{default_ns}}}{tag}" if default_ns else tag)
        for n, v in attrs:
            _lxml_call(new.set, n, v)
        ref, insert_before = _reference(parent, index)
        node = _text.Node(_text.new_start(tag, attrs, self._close), None)
        before: _text.Node | None = None
        if insert_before and ref is not None:
            ref.addprevious(new)
            before = self._nodes[ref]
        else:
            parent.append(new)
        if ref is not None:
            sep = _layout.ws_before(self._nodes[ref])
            line = (ref.sourceline or 0) + (before is None)
        else:
            sep = self.newline + _layout.indent_of(pnode) + self._unit
            line = (parent.sourceline or 0) + 1
        if line <= _MAX_SETTABLE_LINE:  # approximate: lines are those of the loaded file
            new.sourceline = line
        _layout.insert_child(pnode, node, before, sep)
        self._nodes[new] = node
        self.modified = True
        return new

    def remove_element(self, elem: etree._Element) -> None:
        node = self._node(elem)
        parent = elem.getparent()
        if parent is None:
            raise UsageError("cannot remove the document's root element", "edit its children")
        _layout.remove_child(node)
        parent.remove(elem)
        for el in elem.iter(etree.Element):
            self._nodes.pop(el, None)
        self.modified = True

    def line_of(self, elem: etree._Element) -> int:
        """The line `elem` starts on in the current text (its sourceline until edited)."""
        if self._top is None:
            return elem.sourceline or 0
        return _layout.line_of(self._node(elem))

    # --- internals -----------------------------------------------------------

    def _decoded(self) -> str:
        if self._text is None:
            body = self._data[len(self._bom_bytes) :]
            self._text = decode_text(body, self.encoding, self.filename)
        return self._text

    def _node(self, elem: etree._Element) -> _text.Node:
        if self._top is None:
            text = self._decoded()
            self._top, self._nodes = _text.build_nodes(text, self.root)
            self._unit = _layout.indent_unit(text)
            self._close = _layout.self_closing_style(text)
            self._text = None  # the pieces are the text now; do not keep a second copy
        node = self._nodes.get(elem)
        if node is None:
            raise UsageError(
                f"element <{getattr(elem, 'tag', elem)}> is not part of {self.filename}",
                "pass an element taken from this document's root (removed elements are gone)",
            )
        if elem.tag.rpartition("}")[2] != node.name.rpartition(":")[2]:  # cheap sanity check
            raise RuntimeError(f"xmldoc: text <{node.name}> does not match element {elem.tag}")
        return node


def _reference(parent: etree._Element, index: int | None) -> tuple[etree._Element | None, bool]:
    """The element child to insert before (True), or the last one to append after (False)."""
    if index is None:  # the common case: no need to list thousands of siblings
        last = next((c for c in reversed(parent) if isinstance(c.tag, str)), None)
        return last, False
    if index < 0:
        index += sum(1 for _ in parent.iterchildren(etree.Element))
    at = next(islice(parent.iterchildren(etree.Element), max(index, 0), None), None)
    if at is not None:
        return at, True
    return _reference(parent, None)


def _check_name(name: str, kind: str) -> None:
    if not isinstance(name, str) or not _XML_NAME.match(name):
        raise UsageError(f"invalid {kind} name {name!r}", "use a plain XML name like 'enabled'")


def _lxml_call(setter, name: str, value: str) -> None:  # type: ignore[no-untyped-def]
    if not isinstance(value, str):
        raise UsageError(
            f"value for {name!r} must be a string, not {type(value).__name__}",
            "format the value first (e.g. 'true', '21')",
        )
    try:
        setter(name, value)
    except (ValueError, UnicodeError) as exc:  # control characters, lone surrogates
        hint = "remove control characters from the value"
        raise UsageError(f"invalid value for {name!r}: {exc}", hint) from None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)
