"""Edits in appcmd addressing: set / unset / add / remove / clear.

Every edit is planned against the schema first (element names, attribute
names, value types, duplicate keys) and only then applied to the document, so a
rejected edit writes nothing. `location` = appcmd's config path with
/commit:apphost: the change goes into `<location path="...">`, created when
missing. New elements go where the schema declares them; values are always
written explicitly (a value equal to the default is kept, not dropped).
Distrusts: the caller's section names, paths and values (command-line input).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from iisftp.config.address import Step, format_path, parse_path
from iisftp.config.check_schema import LOCK_ATTRIBUTES
from iisftp.config.effective import EffectiveElement, is_encrypted, item_key, key_value
from iisftp.config.sections import (
    elements,
    location_key,
    normalize_location,
    placement_problem,
)
from iisftp.errors import UsageError

__all__ = ["add_item", "clear_element", "remove_item", "set_attribute", "unset_attribute"]


@dataclass
class _Plan:
    """A resolved address: the schema node at its end and the steps to get there."""

    section: str
    schema: Any  # SectionSchema
    steps: list[Step]
    node: Any  # ElementSchema at the end of the path
    location: str  # normalized location path; "" = server level


def _plan(config: Any, section: str, element_path: str, location: str | None) -> _Plan:
    schema = config.section_schema(section)
    if schema is None:
        known = ", ".join(sorted(config.schemas.sections)) if config.schemas else "none"
        raise UsageError(
            f"no schema for section {section!r}, so it cannot be edited safely",
            f"sections with a schema: {known}",
        )
    where = normalize_location(location)
    decl = config.index.decls.get(schema.name.lower())
    problem = (
        placement_problem(decl, bool(where), where, config.is_application_path(where))
        if decl is not None
        else None
    )
    if problem:
        raise UsageError(problem[0], "drop --location" if where else problem[1])
    steps = parse_path(element_path)
    node = schema.root
    for number, step in enumerate(steps):
        here = format_path(steps[:number]) or "(the section)"
        if step.is_item:
            if node.collection is None:
                raise UsageError(
                    f"{schema.name}: {here} is not a collection", "remove the [..] selector"
                )
            node = node.collection.item
        else:
            child = node.child(step.name)
            if child is None:
                raise UsageError(
                    f"{schema.name}: {here} has no element {step.name!r}",
                    "known elements: " + (", ".join(node.elements) or "none"),
                )
            node = child
    return _Plan(schema.name, schema, steps, node, where)


def _text(config: Any, plan: _Plan, node: Any, attr: str, value: Any) -> str:
    """The value as IIS writes it, checked against the schema (UsageError if invalid)."""
    aschema = node.attribute(attr)
    label = format_path(plan.steps) or plan.section
    if aschema is None and attr in LOCK_ATTRIBUTES:
        # appcmd's `lock config`: lock lists, and lockItem on collection items.
        text = str(value).lower() if isinstance(value, bool) else str(value)
        if attr == "lockItem" and text.lower() not in ("true", "false"):
            raise UsageError(f"lockItem={value!r} is not valid", "use true or false")
        return text
    if aschema is None:
        raise UsageError(
            f"{plan.section}: {label} has no attribute {attr!r}",
            "known attributes: " + (", ".join(node.attributes) or "none"),
        )
    if isinstance(value, str) and is_encrypted(value):
        return value
    if aschema.encrypted:
        raise UsageError(
            f"{attr} is stored encrypted by IIS and iisftp cannot encrypt it",
            "pass a value already in [enc:Provider:...:enc] form",
        )
    try:
        return str(aschema.format(value))
    except (ValueError, TypeError) as exc:
        hint = (
            "use one of: " + ", ".join(aschema.values)
            if aschema.values
            else f"give a valid {aschema.type}"
        )
        raise UsageError(f"{attr}={value!r} is not valid: {exc}", hint) from None


# -- finding and creating XML ---------------------------------------------------------


def _section_element(config: Any, plan: _Plan, create: bool) -> etree._Element | None:
    doc, root = config.document, config.root
    if config.root_kind != "configuration":
        raise UsageError(f"{config.filename} is not an applicationHost.config", "edit a full file")
    container = root
    if plan.location:
        key = location_key(plan.location)
        found = config.index.locations.get(key)
        if found:
            container = found[0]
        elif not create:
            return None
        else:
            index = len(list(elements(root)))
            container = doc.insert_element(root, "location", [("path", plan.location)], index)
    else:
        insts = config.index.at("", plan.section)
        for inst in insts:
            if inst.location is None:
                return inst.element
    parts = plan.section.split("/")
    parent = container
    for number, part in enumerate(parts):
        found_child = next((c for c in elements(parent) if c.tag == part), None)
        if found_child is None:
            if not create:
                return None
            if number == len(parts) - 1:
                _register(config, plan.section)
            found_child = doc.insert_element(parent, part, (), _group_index(parent, number))
        parent = found_child
    return parent


# IIS-COMPAT: how stock IIS 10 registers the sections iisftp edits (FTP_schema.xml
# and IIS_schema.xml installs); every one is overrideModeDefault="Deny".
_APPHOST_ONLY = frozenset(
    {
        "system.applicationHost/sites",
        "system.applicationHost/confighistory",
        "system.ftpServer/log",
        "system.ftpServer/firewallsupport",
        "system.ftpServer/caching",
        "system.ftpServer/serverruntime",
    }
)


def _register(config: Any, section: str) -> None:
    """Add a missing `<section>` line to `<configSections>` (IIS refuses unregistered
    sections), when the file has a `<configSections>` at all."""
    if section.lower() in config.index.decls:
        return
    doc = config.document
    parent = next((c for c in elements(config.root) if c.tag == "configSections"), None)
    if parent is None:
        return
    *groups, name = section.split("/")
    for group in groups:
        found = next(
            (c for c in elements(parent) if c.tag == "sectionGroup" and c.get("name") == group),
            None,
        )
        parent = (
            found
            if found is not None
            else doc.insert_element(parent, "sectionGroup", [("name", group)])
        )
    attrs = [("name", name), ("overrideModeDefault", "Deny")]
    if section.lower() in {s.lower() for s in _APPHOST_ONLY}:
        attrs.append(("allowDefinition", "AppHostOnly"))
    doc.insert_element(parent, "section", attrs)


def _group_index(parent: etree._Element, depth: int) -> int | None:
    """New top-level groups go before the first <location>; nested ones at the end."""
    if depth:
        return None
    for index, child in enumerate(elements(parent)):
        if child.tag == "location":
            return index
    return None


def _match(item: etree._Element, selector: tuple[tuple[str, str], ...], schema: Any) -> bool:
    return all(
        key_value(schema.attribute(k), item.get(k)) == key_value(schema.attribute(k), v)
        for k, v in selector
    )


def _walk(
    config: Any, plan: _Plan, create: bool, steps: list[Step] | None = None
) -> etree._Element | None:
    """The XML element at the end of the path at this level (created when `create`)."""
    elem = _section_element(config, plan, create)
    node = plan.schema.root
    for step in plan.steps if steps is None else steps:
        if elem is None:
            return None
        if step.is_item:
            coll = node.collection
            found = [
                c
                for c in elements(elem)
                if c.tag == coll.add_element and _match(c, step.selector, coll.item)
            ]
            if not found:
                raise UsageError(
                    f"{plan.section}: no {coll.add_element} {format_path([step])} at "
                    + (f"location {plan.location!r}" if plan.location else "the server level"),
                    _existing(elem, coll),
                )
            elem, node = found[0], coll.item
        else:
            child = next((c for c in elements(elem) if c.tag == step.name), None)
            if child is None and create:
                child = config.document.insert_element(
                    elem, step.name, (), _schema_index(elem, node, step.name)
                )
            elem, node = child, node.child(step.name)
    return elem


def _existing(elem: etree._Element, coll: Any) -> str:
    keys = coll.key_attributes or tuple(coll.item.attributes)[:1]
    items = [
        "[" + ",".join(f"{k}='{c.get(k, '')}'" for k in keys) + "]"
        for c in elements(elem)
        if c.tag == coll.add_element
    ]
    return "items here: " + (", ".join(items[:10]) or "none")


def _schema_index(parent: etree._Element, node: Any, name: str) -> int | None:
    """Insert position that keeps the schema's declaration order of child elements."""
    order = list(node.elements)
    rank = order.index(name) if name in order else len(order)
    for index, child in enumerate(elements(parent)):
        if child.tag in order and order.index(child.tag) > rank:
            return index
    return None


def _effective_at(config: Any, plan: _Plan, steps: list[Step]) -> EffectiveElement | None:
    """The effective element at the path, at the plan's level (inherited + local)."""
    view = config.effective(plan.section, plan.location)
    for step in steps:
        if step.is_item:
            found = view.find_item(dict(step.selector))
            if found is None:
                return None
            view = found
        else:
            view = view.child(step.name)
    return view


# -- the edits ----------------------------------------------------------------------


def set_attribute(
    config: Any, section: str, element_path: str, attr: str, value: Any, location: str | None
) -> None:
    plan = _plan(config, section, element_path, location)
    text = _text(config, plan, plan.node, attr, value)
    elem = _walk(config, plan, create=True)
    assert elem is not None
    config.document.set_attribute(elem, attr, text)
    config.reindex()


def unset_attribute(
    config: Any, section: str, element_path: str, attr: str, location: str | None
) -> None:
    plan = _plan(config, section, element_path, location)
    elem = _walk(config, plan, create=False)
    if elem is None or elem.get(attr) is None:
        raise UsageError(
            f"{attr} is not set at {format_path(plan.steps) or section}"
            + (f" in location {plan.location!r}" if plan.location else ""),
            "nothing to remove; `iisftp config get` shows where the value comes from",
        )
    config.document.remove_attribute(elem, attr)
    config.reindex()


def _collection(plan: _Plan) -> Any:
    coll = plan.node.collection
    if coll is None:
        raise UsageError(
            f"{plan.section}: {format_path(plan.steps) or 'the section'} is not a collection",
            "point the path at a collection (e.g. ...commandFiltering)",
        )
    return coll


def _split_selector(
    config: Any, section: str, element_path: str, attrs: Mapping[str, Any], location: str | None
) -> tuple[_Plan, dict[str, Any]]:
    """Which collection, and the item's attributes.

    A trailing [k='v',...] is the item itself (appcmd's /+"path.[...]"), unless it
    names an existing item that holds a collection: then the path steps into it
    (`[name='Site']` + {"path": "/app"} adds an application to that site).
    """
    steps = parse_path(element_path)
    if steps and steps[-1].is_item:
        inner = _plan(config, section, element_path, location)
        if inner.node.collection is not None and _effective_at(config, inner, steps) is not None:
            return inner, dict(attrs)
        merged: dict[str, Any] = dict(steps[-1].selector)
        merged.update(attrs)
        return _plan(config, section, format_path(steps[:-1]), location), merged
    return _plan(config, section, element_path, location), dict(attrs)


def add_item(
    config: Any, section: str, element_path: str, attrs: Mapping[str, Any], location: str | None
) -> None:
    plan, values = _split_selector(config, section, element_path, attrs, location)
    coll = _collection(plan)
    item = coll.item
    if coll.add_element == "site" and "id" not in values and item.attribute("id") is not None:
        # IIS-COMPAT: appcmd add site picks the next free id.
        values["id"] = str(1 + max([s.id or 0 for s in config.sites()], default=0))
    texts: dict[str, str] = {}
    for name, value in values.items():
        if item.attribute(name) is None and coll.allow_unrecognized_attributes:
            texts[name] = str(value)
        else:
            texts[name] = _text(config, plan, item, name, value)
    missing = [a.name for a in item.attributes.values() if a.required and a.name not in texts]
    if missing:
        raise UsageError(
            f"a new <{coll.add_element}> needs {', '.join(missing)}",
            "give them as " + ",".join(f"{m}='...'" for m in missing),
        )
    _check_not_present(config, plan, coll, texts)
    order = list(item.attributes)
    ordered = sorted(texts.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 999)
    parent = _walk(config, plan, create=True)
    assert parent is not None
    config.document.insert_element(parent, coll.add_element, ordered, _item_index(parent, coll))
    config.reindex()


def _check_not_present(config: Any, plan: _Plan, coll: Any, texts: Mapping[str, str]) -> None:
    keys = coll.key_attributes
    if not keys or coll.allow_duplicates:
        return
    current = _effective_at(config, plan, plan.steps)
    if current is None:
        return
    probe = etree.Element(coll.add_element, {k: v for k, v in texts.items() if k in keys})
    new_key = item_key(probe, coll.item, keys)
    unique = any(coll.item.attribute(k).is_unique_key for k in keys)
    for existing, key in current.collection_with_keys():
        clash = (
            any(a == b and a != "" for a, b in zip(key, new_key, strict=True))
            if unique
            else key == new_key
        )
        if clash:
            origin = existing.layers[-1].location()
            raise UsageError(
                f"{coll.add_element} {_describe(texts, keys)} already exists ({origin})",
                "remove it first, or change it with `set`",
            )


def _describe(texts: Mapping[str, str], keys: tuple[str, ...]) -> str:
    return "[" + ",".join(f"{k}='{texts.get(k, '')}'" for k in keys) + "]"


def _item_index(parent: etree._Element, coll: Any) -> int:
    """After the last add/remove/clear directive; first when there is none."""
    directives = {coll.add_element, coll.remove_element, coll.clear_element} - {None}
    last = -1
    for index, child in enumerate(elements(parent)):
        if child.tag in directives:
            last = index
    return last + 1


def remove_item(
    config: Any, section: str, element_path: str, key: Mapping[str, Any], location: str | None
) -> None:
    plan, given = _split_selector(config, section, element_path, key, location)
    coll = _collection(plan)
    if not given:
        raise UsageError("say which item to remove", "give its key, e.g. [users='*',roles='']")
    selector = tuple((k, str(v)) for k, v in given.items())
    for name, value in selector:
        _text(config, plan, coll.item, name, value)  # known attribute, valid value
    local = _walk(config, plan, create=False)
    if local is not None:
        for child in elements(local):
            if child.tag == coll.add_element and _match(child, selector, coll.item):
                config.document.remove_element(child)
                config.reindex()
                return
    current = _effective_at(config, plan, plan.steps)
    inherited = current.find_item(dict(selector)) if current is not None else None
    if inherited is None:
        raise UsageError(
            f"no {coll.add_element} {format_path([Step(selector=selector)])} "
            + (f"at location {plan.location!r}" if plan.location else "at the server level"),
            "`iisftp config get` lists the effective items",
        )
    if coll.remove_element is None:
        raise UsageError(
            f"<{coll.add_element}> items here are inherited and this collection has no <remove>",
            "use `clear` to drop all inherited items at this level",
        )
    source = inherited.layers[-1].element
    keys = coll.key_attributes
    unique = any(coll.item.attribute(k).is_unique_key for k in keys)
    # IIS-COMPAT: a combined key names every key attribute, empty ones included
    # (<remove users="*" roles="" permissions="Read" />).
    names = [k for k in keys if not unique or source.get(k) is not None]
    attrs = [(k, source.get(k) or "") for k in names]
    parent = _walk(config, plan, create=True)
    assert parent is not None
    first_add = next((i for i, c in enumerate(elements(parent)) if c.tag == coll.add_element), None)
    config.document.insert_element(parent, coll.remove_element, attrs, first_add)
    config.reindex()


def clear_element(config: Any, section: str, element_path: str, location: str | None) -> None:
    plan = _plan(config, section, element_path, location)
    coll = plan.node.collection
    if coll is None:
        elem = _walk(config, plan, create=False)
        if elem is None:
            raise UsageError(
                f"nothing set at {format_path(plan.steps) or plan.section}"
                + (f" in location {plan.location!r}" if plan.location else ""),
                "nothing to clear",
            )
        _remove_and_prune(config, elem)
        config.reindex()
        return
    local = _walk(config, plan, create=False)
    directives = {coll.add_element, coll.remove_element, coll.clear_element} - {None}
    if local is not None:
        for child in [c for c in elements(local) if c.tag in directives]:
            config.document.remove_element(child)
        config.reindex()
    current = _effective_at(config, plan, plan.steps)
    if current is not None and current.collection():
        if coll.clear_element is None:
            raise UsageError(
                "inherited items remain and this collection has no <clear>",
                "remove them where they are defined",
            )
        parent = _walk(config, plan, create=True)
        assert parent is not None
        config.document.insert_element(parent, coll.clear_element, (), 0)
        config.reindex()


def _remove_and_prune(config: Any, elem: etree._Element) -> None:
    """Remove an element, then any parent left empty up to (and including) a <location>."""
    parent = elem.getparent()
    config.document.remove_element(elem)
    while (
        parent is not None
        and parent.getparent() is not None
        and not list(elements(parent))
        and not {a for a in parent.attrib if a != "path" or parent.tag != "location"}
    ):
        grand = parent.getparent()
        config.document.remove_element(parent)
        if parent.tag == "location":
            break
        parent = grand
