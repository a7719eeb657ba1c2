"""Duplicate collection keys: an `<add>` whose key is already present, in the same
collection or inherited from the levels above, is an IIS error (IIS009).

Distrusts: the configuration file. Keys are compared the IIS way (parsed, case
folded unless the key is case-sensitive), by hash: no pairwise scans.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from iisftp.config.diagnostics import ERROR
from iisftp.config.effective import EffectiveElement, key_value, remove_matcher
from iisftp.config.sink import Sink

__all__ = ["check_duplicates"]


def _describe(elem: etree._Element, keys: tuple[str, ...]) -> str:
    return " ".join(f'{k}="{elem.get(k, "")}"' for k in keys)


class _Keys:
    """Item keys present in a collection, looked up by hash (no pairwise scans)."""

    def __init__(self, unique: bool, width: int) -> None:
        self.unique = unique
        self.entries: list[tuple[tuple[str, ...], int]] = []
        self.index: list[dict[object, int]] = [{} for _ in range(width if unique else 1)]

    def find(self, key: tuple[str, ...]) -> int | None:
        if not self.unique:
            return self.index[0].get(key)
        for position, value in enumerate(key):
            if value != "" and value in self.index[position]:
                return self.index[position][value]
        return None

    def add(self, key: tuple[str, ...], line: int) -> None:
        self.entries.append((key, line))
        if self.unique:
            for position, value in enumerate(key):
                self.index[position].setdefault(value, line)
        else:
            self.index[0].setdefault(key, line)

    def keep(self, predicate: Any) -> None:
        entries = [(k, line) for k, line in self.entries if predicate(k)]
        self.entries = []
        self.index = [{} for _ in self.index]
        for key, line in entries:
            self.add(key, line)


def check_duplicates(
    sink: Sink, elem: etree._Element, plan: Any, label: str, inherited: EffectiveElement | None
) -> None:
    """Adding a key that is already present (here or inherited) is an IIS error.

    `plan` is check_schema's per-schema plan of the collection element: `.coll`,
    `.unique` and `.key_schemas` (key name, AttributeSchema, raw -> key cache).
    """
    coll = plan.coll
    keys = coll.key_attributes
    if not keys or coll.allow_duplicates:
        return
    unique = plan.unique
    present = _Keys(unique, len(keys))
    if inherited is not None and inherited.layers:
        for key, line in _inherited_keys(sink, inherited):
            present.add(key, line)
    add, remove, clear = coll.add_element, coll.remove_element, coll.clear_element
    item = coll.item
    key_schemas = plan.key_schemas
    for child in elem:
        tag = child.tag
        if tag == add:
            parts = []
            for k, a, seen in key_schemas:
                raw = child.get(k)
                part = seen.get(raw)
                if part is None:
                    part = seen[raw] = key_value(a, raw)
                parts.append(part)
            key = tuple(parts)
            clash = present.find(key)
            if clash is not None:
                sink.add(
                    child,
                    "IIS009",
                    ERROR,
                    f"duplicate <{label}/{tag}> {_describe(child, keys)}"
                    f" (already defined at line {clash})",
                    "remove one of them, or put a <remove> of the inherited entry first"
                    if remove
                    else "remove one of them",
                )
            present.add(key, child.sourceline or 0)
        elif tag == remove:
            match = remove_matcher(child, item, keys, unique)
            present.keep(lambda k, match=match: not match(k))
        elif tag == clear:
            present.keep(lambda k: False)


def _inherited_keys(sink: Sink, inherited: EffectiveElement) -> list[tuple[tuple[str, ...], int]]:
    """(key, line) of the inherited items, merged once per distinct set of upper
    layers: thousands of `<location>`s share the one server-level section."""
    memo = sink.memo.setdefault("inherited_keys", {})
    ident = (id(inherited.schema), *(layer.element for layer in inherited.layers))
    found = memo.get(ident)
    if found is None:
        found = memo[ident] = [(key, item.line) for item, key in inherited.collection_with_keys()]
    return found
