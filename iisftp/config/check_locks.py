"""Lock checks: lockAttributes, lockAllAttributesExcept, lockElements,
lockAllElementsExcept and lockItem set at one level, violated further down.

IIS-COMPAT: "Locking can occur at any level of the hierarchy ... takes effect
from that level downwards" — so a lock in the server-level section binds every
`<location>` below it, and a lock in `<location path="Site">` binds
`<location path="Site/sub">`, even inside the one applicationHost.config.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from iisftp.config.check_schema import LOCK_ATTRIBUTES, section_layers
from iisftp.config.diagnostics import ERROR
from iisftp.config.effective import item_key, remove_matcher
from iisftp.config.sections import elements
from iisftp.config.sink import Sink

__all__ = ["check_locks", "lock_violations"]


def _names(text: str | None) -> set[str]:
    return {p.strip() for p in (text or "").split(",") if p.strip()}


def lock_violations(config: Any) -> list[Any]:
    """The lock violations in a configuration, as Diagnostics."""
    sink = Sink(config.filename)
    check_locks(config, sink)
    return sink.items


def check_locks(config: Any, sink: Sink) -> None:
    for (path_key, _), insts in config.index.instances.items():
        if not path_key:
            continue  # the server level: nothing above it in this file
        name = insts[0].name
        layers = section_layers(config, sink, name, insts[0].path)
        own = {id(i.element) for i in insts}
        upper = [layer.element for layer in layers if id(layer.element) not in own]
        if not upper:
            continue
        schema = config.section_schema(name)
        for inst in insts:
            _compare(sink, upper, inst.element, schema.root if schema else None, name)


class _Upper:
    """What one upper element locks, read once per run (thousands of `<location>`s
    are compared with the same server-level section)."""

    __slots__ = (
        "allowed_attrs",
        "allowed_elems",
        "children",
        "line",
        "locked_attrs",
        "locked_elems",
        "locked_items",
    )

    def __init__(self, upper: etree._Element) -> None:
        self.line = upper.sourceline or 0
        self.locked_attrs = _names(upper.get("lockAttributes"))
        allowed = upper.get("lockAllAttributesExcept")
        self.allowed_attrs = _names(allowed) if allowed is not None else None
        self.locked_elems = _names(upper.get("lockElements"))
        allowed = upper.get("lockAllElementsExcept")
        self.allowed_elems = _names(allowed) if allowed is not None else None
        self.children = list(elements(upper))
        self.locked_items: dict[int, list[tuple[etree._Element, tuple[str, ...]]]] = {}

    def items_locked(self, coll: Any) -> list[tuple[etree._Element, tuple[str, ...]]]:
        found = self.locked_items.get(id(coll))
        if found is None:
            keys = coll.key_attributes
            found = self.locked_items[id(coll)] = [
                (item, item_key(item, coll.item, keys))
                for item in self.children
                if item.tag == coll.add_element and (item.get("lockItem") or "").lower() == "true"
            ]
        return found


def _upper(sink: Sink, upper: etree._Element) -> _Upper:
    memo = sink.memo.setdefault("lock_uppers", {})
    info = memo.get(upper)
    if info is None:
        info = memo[upper] = _Upper(upper)
    return info


def _compare(
    sink: Sink, uppers: list[etree._Element], lower: etree._Element, schema: Any, label: str
) -> None:
    set_attrs = [a for a in lower.attrib if a not in LOCK_ATTRIBUTES]
    children = list(elements(lower))
    coll = getattr(schema, "collection", None)
    infos = [_upper(sink, upper) for upper in uppers]
    for info in infos:
        where = info.line
        locked = info.locked_attrs
        for attr in set_attrs:
            if "*" in locked or attr in locked:
                _violation(sink, lower, f"<{label}>/@{attr} is locked", where, attr)
        allowed = info.allowed_attrs
        if allowed is not None:
            for attr in set_attrs:
                if attr not in allowed:
                    _violation(sink, lower, f"<{label}>/@{attr} is locked", where, attr)
        locked_elems, allowed_elems = info.locked_elems, info.allowed_elems
        for child in children:
            if child.tag in locked_elems or (
                allowed_elems is not None and child.tag not in allowed_elems
            ):
                _violation(sink, child, f"<{label}/{child.tag}> is locked", where)
        if coll is not None:
            _check_locked_items(sink, info, children, coll, label)
    for child in children:
        if coll is not None and child.tag in (
            coll.add_element,
            coll.remove_element,
            coll.clear_element,
        ):
            continue
        child_schema = schema.child(child.tag) if schema is not None else None
        matching = [u for info in infos for u in info.children if u.tag == child.tag]
        if matching:
            _compare(sink, matching, child, child_schema, f"{label}/{child.tag}")


def _check_locked_items(
    sink: Sink, upper: _Upper, children: list[etree._Element], coll: Any, label: str
) -> None:
    locked = upper.items_locked(coll)
    if not locked:
        return
    keys = coll.key_attributes
    unique = bool(keys) and any(coll.item.attribute(k).is_unique_key for k in keys)
    for child in children:
        if child.tag == coll.clear_element:
            item = locked[0][0]
            _violation(sink, child, f"<{label}/{child.tag}> removes locked items", item.sourceline)
        elif child.tag == coll.remove_element and keys:
            match = remove_matcher(child, coll.item, keys, unique)
            for item, key in locked:
                if match(key):
                    _violation(
                        sink, child, f"<{label}/{child.tag}> removes a locked item", item.sourceline
                    )


def _violation(
    sink: Sink, elem: etree._Element, message: str, lock_line: int | None, attr: str | None = None
) -> None:
    sink.add(
        elem,
        "IIS011",
        ERROR,
        f"{message} (lock set at line {lock_line or 0})",
        "remove the setting here, or unlock it at the level that locked it",
        attr=attr,
    )
