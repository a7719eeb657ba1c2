"""Schema checks: sections, elements, attributes, values, collections, locations.

Distrusts: everything in the configuration file. Walks each section instance
against its schema and reports through a Sink; never raises for bad content.
Sections without a schema are kept and reported once as "not validated".
"""

from __future__ import annotations

import difflib
from typing import Any

from lxml import etree

from iisftp.config.diagnostics import ERROR, INFO, WARNING
from iisftp.config.effective import (
    EffectiveElement,
    is_encrypted,
    item_key,
    remove_matcher,
)
from iisftp.config.sections import (
    MACHINE_SECTIONS,
    SectionInstance,
    elements,
    placement_problem,
)
from iisftp.config.sink import Sink

__all__ = ["LOCK_ATTRIBUTES", "Sink", "check_element", "check_sections"]

# Attributes the configuration system accepts on any element.
LOCK_ATTRIBUTES = frozenset(
    {
        "lockAttributes",
        "lockAllAttributesExcept",
        "lockElements",
        "lockAllElementsExcept",
        "lockItem",
    }
)
_SECTION_ATTRIBUTES = LOCK_ATTRIBUTES | {"configSource"}
_DIRECTIVES = frozenset({"add", "remove", "clear"})


def _suggest(name: str, known: list[str], what: str = "attributes") -> str:
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"known: {', '.join(known)}" if known else f"it takes no {what} here"


def check_element(
    sink: Sink,
    elem: etree._Element,
    schema: Any,
    label: str,
    *,
    item_of: Any = None,
    meta: frozenset[str] = LOCK_ATTRIBUTES,
    inherited: EffectiveElement | None = None,
) -> None:
    """Check one element and its subtree against an ElementSchema.

    `item_of` is the CollectionSchema when `elem` is a collection item;
    `inherited` is the same element's effective view from the levels above
    (for duplicate keys against inherited items).
    """
    _check_attributes(sink, elem, schema, label, item_of, meta)
    coll = schema.collection
    for child in elements(elem):
        tag = child.tag
        if coll is not None and tag == coll.add_element:
            check_element(sink, child, coll.item, f"{label}/{tag}", item_of=coll)
        elif coll is not None and tag in (coll.remove_element, coll.clear_element):
            _check_directive(sink, child, coll, label)
        elif schema.child(tag) is not None:
            below = inherited.child(tag) if inherited is not None else None
            check_element(sink, child, schema.child(tag), f"{label}/{tag}", inherited=below)
        elif tag in _DIRECTIVES:
            supported = (
                [n for n in (coll.add_element, coll.remove_element, coll.clear_element) if n]
                if coll
                else []
            )
            sink.add(
                child,
                "IIS010",
                ERROR,
                f"<{label}> does not support <{tag}>",
                f"this collection supports only {', '.join(f'<{n}>' for n in supported)}"
                if supported
                else f"<{label}> is not a collection",
            )
        else:
            known = list(schema.elements)
            if coll is not None:
                known.append(coll.add_element)
            sink.add(
                child,
                "IIS005",
                ERROR,
                f"<{label}> has no child element <{tag}>",
                _suggest(tag, known, "child elements"),
            )
    if coll is not None:
        _check_duplicates(sink, elem, coll, label, inherited)


def _check_attributes(
    sink: Sink, elem: etree._Element, schema: Any, label: str, item_of: Any, meta: frozenset[str]
) -> None:
    for name, raw in elem.attrib.items():
        if name in meta or (name == "lockItem" and item_of is not None):
            continue
        aschema = schema.attribute(name)
        if aschema is None:
            if item_of is not None and item_of.allow_unrecognized_attributes:
                continue
            sink.add(
                elem,
                "IIS006",
                ERROR,
                f"<{label}> has no attribute '{name}'",
                _suggest(name, list(schema.attributes)),
                attr=name,
            )
            continue
        if getattr(aschema, "extension", None):
            sink.add(
                elem,
                "IIS014",
                WARNING,
                f"<{label}>/@{name} is runtime state, not configuration",
                "remove it; IIS computes it at run time",
                attr=name,
            )
            continue
        if is_encrypted(raw):
            sink.add(
                elem,
                "IIS015",
                INFO,
                f"<{label}>/@{name} is encrypted ({raw.split(':')[1]}); kept verbatim, not checked",
                attr=name,
            )
            continue
        try:
            aschema.parse(raw)
        except ValueError as exc:
            sink.add(
                elem,
                "IIS007",
                ERROR,
                f'<{label}>/@{name}="{raw}" is not valid: {exc}',
                _value_hint(aschema),
                attr=name,
            )
    if item_of is not None:
        for aschema in schema.attributes.values():
            if aschema.required and elem.get(aschema.name) is None:
                sink.add(
                    elem,
                    "IIS008",
                    ERROR,
                    f"<{label}> is missing the required attribute '{aschema.name}'",
                    f'add {aschema.name}="..."',
                )


def _value_hint(aschema: Any) -> str:
    if aschema.type == "enum":
        return "use one of: " + ", ".join(aschema.values)
    if aschema.type == "flags":
        return "use a comma-separated list of: " + ", ".join(aschema.values)
    if aschema.type == "bool":
        return "use true or false"
    if aschema.type == "timeSpan":
        return "use [d.]hh:mm:ss, e.g. 00:02:00"
    if aschema.type in ("uint", "int", "int64"):
        return "use a whole number" + (
            f" ({aschema.validation_type} {aschema.validation_parameter})"
            if aschema.validation_type
            else ""
        )
    return "fix the value"


def _check_directive(sink: Sink, elem: etree._Element, coll: Any, label: str) -> None:
    keys = coll.key_attributes
    for name in elem.attrib:
        if name in LOCK_ATTRIBUTES:
            continue
        if elem.tag == coll.clear_element or name not in keys:
            sink.add(
                elem,
                "IIS006",
                ERROR,
                f"<{label}/{elem.tag}> has no attribute '{name}'",
                f"<{elem.tag}> takes only the key attributes: {', '.join(keys)}"
                if elem.tag == coll.remove_element and keys
                else f"<{elem.tag}> takes no attributes",
                attr=name,
            )


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


def _check_duplicates(
    sink: Sink, elem: etree._Element, coll: Any, label: str, inherited: EffectiveElement | None
) -> None:
    """Adding a key that is already present (here or inherited) is an IIS error."""
    keys = coll.key_attributes
    if not keys or coll.allow_duplicates:
        return
    unique = any(coll.item.attribute(k).is_unique_key for k in keys)
    present = _Keys(unique, len(keys))
    if inherited is not None and inherited.layers:
        for item, key in inherited.collection_with_keys():
            present.add(key, item.line)
    for child in elements(elem):
        if child.tag == coll.add_element:
            key = item_key(child, coll.item, keys)
            clash = present.find(key)
            if clash is not None:
                sink.add(
                    child,
                    "IIS009",
                    ERROR,
                    f"duplicate <{label}/{child.tag}> {_describe(child, keys)}"
                    f" (already defined at line {clash})",
                    "remove one of them, or put a <remove> of the inherited entry first"
                    if coll.remove_element
                    else "remove one of them",
                )
            present.add(key, child.sourceline or 0)
        elif child.tag == coll.remove_element:
            match = remove_matcher(child, coll.item, keys, unique)
            present.keep(lambda k, match=match: not match(k))
        elif child.tag == coll.clear_element:
            present.keep(lambda k: False)


def check_sections(config: Any, sink: Sink) -> None:
    """Every section instance of a `<configuration>` file, plus unknown elements."""
    index = config.index
    not_validated: dict[str, tuple[etree._Element, int]] = {}
    has_registry = bool(index.decls)
    for inst in sorted(index.all_instances(), key=lambda i: i.element.sourceline or 0):
        schema = config.section_schema(inst.name)
        decl = index.decls.get(inst.name.lower())
        problem = (
            placement_problem(
                decl, inst.location is not None, inst.path, config.is_application_path(inst.path)
            )
            if decl is not None
            else None
        )
        if problem:
            sink.add(inst.element, "IIS013", ERROR, *problem)
        if inst.element.get("configSource") is not None:
            sink.add(
                inst.element,
                "IIS018",
                WARNING,
                f'section {inst.name} is kept in configSource="{inst.element.get("configSource")}",'
                " which iisftp does not read",
                "move the section's content into this file",
                attr="configSource",
            )
        if schema is None:
            top = inst.name.split("/")[0]
            first, count = not_validated.get(top, (inst.element, 0))
            not_validated[top] = (first, count + 1)
            continue
        if (
            decl is None
            and has_registry
            and inst.name.split("/")[0].lower() not in MACHINE_SECTIONS
        ):
            sink.add(
                inst.element,
                "IIS004",
                WARNING,
                f"section {inst.name} is not registered in <configSections>",
                "add a <section> line for it in <configSections> (IIS refuses the file otherwise)",
            )
        inherited = _inherited(config, inst)
        check_element(
            sink,
            inst.element,
            schema.root,
            inst.name,
            meta=_SECTION_ATTRIBUTES,
            inherited=inherited,
        )
    for top, (first, count) in not_validated.items():
        sink.add(
            first,
            "IIS003",
            INFO,
            f"{top}: {count} section instance(s) not validated (no schema loaded)",
            "they are kept as they are; add the schema file with --schema-dir to check them",
        )
    for elem, name in index.unknown:
        sink.add(
            elem,
            "IIS004",
            WARNING,
            f"unknown section <{name}>: not registered in <configSections> and no schema",
            "check the spelling, or register the section",
        )


def _inherited(config: Any, inst: SectionInstance) -> EffectiveElement | None:
    """The section as it stands just above this instance (for duplicate-key checks)."""
    layers = config.section_layers(inst.name, inst.path)
    own = next((i for i, layer in enumerate(layers) if layer.element is inst.element), None)
    if own is None or own == 0:
        return None
    schema = config.section_schema(inst.name)
    return EffectiveElement(
        inst.name, schema.root, tuple(layers[:own]), default_names=config.default_names
    )
