"""Schema checks: sections, elements, attributes, values, collections, locations.

Distrusts: everything in the configuration file. Walks each section instance
against its schema and reports through a Sink; never raises for bad content.
Sections without a schema are kept and reported once as "not validated".
"""

from __future__ import annotations

import difflib
from typing import Any

from lxml import etree

from iisftp.config.check_keys import check_duplicates
from iisftp.config.diagnostics import ERROR, INFO, WARNING
from iisftp.config.effective import EffectiveElement, is_encrypted
from iisftp.config.sections import (
    MACHINE_SECTIONS,
    SectionInstance,
    location_key,
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


# How a child tag is handled under one element schema (see _Plan.kind).
_ADD, _DIRECTIVE, _CHILD, _BAD_DIRECTIVE, _UNKNOWN = range(5)


class _Plan:
    """Per-ElementSchema lookups done once per validation run, not once per element:
    collection facts, required attributes and how each child tag is handled."""

    __slots__ = (
        "attributes",
        "coll",
        "key_schemas",
        "kinds",
        "plans",
        "required",
        "schema",
        "unique",
    )

    def __init__(self, schema: Any, plans: dict[int, _Plan]) -> None:
        self.schema = schema
        self.plans = plans
        self.attributes = schema.attributes
        coll = self.coll = schema.collection
        keys = coll.key_attributes if coll is not None else ()
        self.unique = any(coll.item.attribute(k).is_unique_key for k in keys) if keys else False
        # (key attribute, its schema, raw -> key_value): what item_key computes for
        # every item, remembered per raw value for this run
        self.key_schemas = [(k, coll.item.attribute(k), {}) for k in keys]
        self.required = [a for a in schema.attributes.values() if a.required]
        self.kinds: dict[str, tuple[int, _Plan | None]] = {}

    def kind(self, tag: str) -> tuple[int, _Plan | None]:
        found = self.kinds.get(tag)
        if found is None:
            coll, child = self.coll, self.schema.child(tag)
            if coll is not None and tag == coll.add_element:
                found = (_ADD, _plan(self.plans, coll.item))
            elif coll is not None and tag in (coll.remove_element, coll.clear_element):
                found = (_DIRECTIVE, None)
            elif child is not None:
                found = (_CHILD, _plan(self.plans, child))
            elif tag in _DIRECTIVES:
                found = (_BAD_DIRECTIVE, None)
            else:
                found = (_UNKNOWN, None)
            self.kinds[tag] = found
        return found


def _plan(plans: dict[int, _Plan], schema: Any) -> _Plan:
    # Keyed by id: the schema set outlives the run (the plans die with the sink).
    plan = plans.get(id(schema))
    if plan is None:
        plan = plans[id(schema)] = _Plan(schema, plans)
    return plan


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
    plan = _plan(sink.memo.setdefault("plans", {}), schema)
    _check(sink, elem, plan, label, item_of, meta, inherited)


# A frame of the walk: [plan, label, item_of, meta, inherited, number of <add> children].
_PLAN, _LABEL, _ITEM_OF, _META, _INHERITED, _ADDS = range(6)


def _check(
    sink: Sink,
    top: etree._Element,
    plan: _Plan,
    label: str,
    item_of: Any,
    meta: frozenset[str],
    inherited: EffectiveElement | None,
) -> None:
    """The subtree walk: one iterwalk (lxml) with a stack of frames instead of a
    recursive call and a child iterator per element; reports in the same order
    (element checks before the subtree, duplicate keys after it)."""
    walker = etree.iterwalk(top, events=("start", "end"))
    stack: list[list[Any] | None] = []
    for event, elem in walker:
        if event == "end":
            done = stack.pop()
            if done is not None and done[_PLAN].coll is not None:
                adds, above = done[_ADDS], done[_INHERITED]
                # One item and nothing inherited cannot be a duplicate: skip the key work.
                if adds > 1 or (adds and above is not None and above.layers):
                    check_duplicates(sink, elem, done[_PLAN], done[_LABEL], above)
            continue
        if not stack:
            frame: list[Any] = [plan, label, item_of, meta, inherited, 0]
        else:
            parent = stack[-1]
            assert parent is not None  # skipped subtrees yield no start events
            tag = elem.tag
            pplan = parent[_PLAN]
            kind, sub = pplan.kinds.get(tag) or pplan.kind(tag)
            if kind == _ADD:
                parent[_ADDS] += 1
                frame = [
                    sub,
                    f"{parent[_LABEL]}/{tag}",
                    parent[_PLAN].coll,
                    LOCK_ATTRIBUTES,
                    None,
                    0,
                ]
            elif kind == _CHILD:
                above = parent[_INHERITED]
                below = above.child(tag) if above is not None else None
                frame = [sub, f"{parent[_LABEL]}/{tag}", None, LOCK_ATTRIBUTES, below, 0]
            else:
                _check_other_child(sink, elem, tag, kind, parent[_PLAN], parent[_LABEL])
                walker.skip_subtree()
                stack.append(None)
                continue
        stack.append(frame)
        # Most attributes are valid: the per-attribute work stays inline until one is not.
        fplan, fmeta = frame[_PLAN], frame[_META]
        attributes = fplan.attributes
        for name, raw in elem.items():
            aschema = attributes.get(name)
            if (
                aschema is not None
                and name not in fmeta
                and not aschema.extension
                and not raw.startswith("[enc:")
            ):
                if aschema.is_plain_string:
                    continue
                hit = aschema.parse_cache.get(raw)
                if hit is not None and hit[0]:
                    continue  # a value seen before, and valid
                try:
                    aschema.parse_cached(raw)
                    continue
                except ValueError:
                    pass
            # Something to report (or skip): the full check, from the first attribute.
            _check_attributes(sink, elem, fplan, frame[_LABEL], frame[_ITEM_OF], fmeta)
            break
        else:
            if frame[_ITEM_OF] is not None:
                for aschema in fplan.required:
                    if elem.get(aschema.name) is None:
                        _check_required(sink, elem, fplan, frame[_LABEL])
                        break


def _check_other_child(
    sink: Sink, child: etree._Element, tag: str, kind: int, plan: _Plan, label: str
) -> None:
    """A child that is not an item or a declared element: a directive, or an error."""
    coll = plan.coll
    if kind == _DIRECTIVE:
        _check_directive(sink, child, coll, label)
    elif kind == _BAD_DIRECTIVE:
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
        known = list(plan.schema.elements)
        if coll is not None:
            known.append(coll.add_element)
        sink.add(
            child,
            "IIS005",
            ERROR,
            f"<{label}> has no child element <{tag}>",
            _suggest(tag, known, "child elements"),
        )


def _check_attributes(
    sink: Sink, elem: etree._Element, plan: _Plan, label: str, item_of: Any, meta: frozenset[str]
) -> None:
    attributes = plan.attributes
    for name, raw in elem.items():
        if name in meta or (name == "lockItem" and item_of is not None):
            continue
        aschema = attributes.get(name)
        if aschema is None:
            if item_of is not None and item_of.allow_unrecognized_attributes:
                continue
            sink.add(
                elem,
                "IIS006",
                ERROR,
                f"<{label}> has no attribute '{name}'",
                _suggest(name, list(attributes)),
                attr=name,
            )
            continue
        if aschema.extension:
            sink.add(
                elem,
                "IIS014",
                WARNING,
                f"<{label}>/@{name} is runtime state, not configuration",
                "remove it; IIS computes it at run time",
                attr=name,
            )
            continue
        if raw.startswith("[enc:") and is_encrypted(raw):
            sink.add(
                elem,
                "IIS015",
                INFO,
                f"<{label}>/@{name} is encrypted ({raw.split(':')[1]}); kept verbatim, not checked",
                attr=name,
            )
            continue
        try:
            aschema.parse_cached(raw)
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
        _check_required(sink, elem, plan, label)


def _check_required(sink: Sink, elem: etree._Element, plan: _Plan, label: str) -> None:
    for aschema in plan.required:
        if elem.get(aschema.name) is None:
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
        inherited = _inherited(config, sink, inst)
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


def section_layers(config: Any, sink: Sink, section: str, path: str) -> list[Any]:
    """`config.section_layers`, once per (section, path) in a run (the lock checks
    ask again for every instance the schema checks asked for)."""
    memo = sink.memo.setdefault("layers", {})
    key = (section.lower(), location_key(path))
    found = memo.get(key)
    if found is None:
        found = memo[key] = config.section_layers(section, path)
    return found


def _inherited(config: Any, sink: Sink, inst: SectionInstance) -> EffectiveElement | None:
    """The section as it stands just above this instance (for duplicate-key checks)."""
    layers = section_layers(config, sink, inst.name, inst.path)
    own = next((i for i, layer in enumerate(layers) if layer.element is inst.element), None)
    if own is None or own == 0:
        return None
    schema = config.section_schema(inst.name)
    return EffectiveElement(
        inst.name, schema.root, tuple(layers[:own]), default_names=config.default_names
    )
