"""Effective settings: one pure resolver over layered XML elements.

An EffectiveElement is a schema node plus the XML elements that define it, from
the least specific layer to the most specific one (schema default < server
section < `<location path="Site">` < `<location path="Site/sub">`, or schema
default < siteDefaults < site). An attribute's value comes from the last layer
that sets it; a collection merges add/remove/clear layer by layer, keeping the
raw directives apart from the merged result. Values are parsed by the schema;
`[enc:...:enc]` values are returned verbatim, never parsed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from lxml import etree

from iisftp.errors import ConfigError, Location
from iisftp.schema import is_encrypted as _schema_is_encrypted

__all__ = ["EffectiveElement", "Layer", "collection_names", "expand_variables", "is_encrypted"]

_VAR = re.compile(r"%([^%\s]+)%")


def is_encrypted(raw: str | None) -> bool:
    """True for IIS `[enc:Provider:payload:enc]` values (kept verbatim, never parsed)."""
    return bool(raw) and bool(_schema_is_encrypted(raw or ""))


def expand_variables(
    raw: str, variables: Mapping[str, str], where: Location | None = None, attr: str = ""
) -> str:
    """Expand `%VAR%` like Windows: names are case-insensitive; undefined names are an error."""
    if "%" not in raw:
        return raw  # nothing to expand (and no fold of the whole environment)
    folded = {k.lower(): v for k, v in variables.items()}

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.lower() not in folded:
            what = f'{attr}="{raw}"' if attr else f'"{raw}"'
            raise ConfigError(
                f"{what} uses the environment variable %{name}%, which is not defined",
                hint=f"add a line `{name}=...` to variables.env in the configuration folder",
                where=where,
            )
        return folded[name.lower()]

    return _VAR.sub(sub, raw)


_NO_DEFAULTS: Mapping[str, tuple[Any, ...]] = MappingProxyType({})


@dataclass(frozen=True)
class Layer:
    """One XML element contributing to an effective element, with its file."""

    element: etree._Element
    file: str

    def location(self) -> Location:
        return Location(self.file, self.element.sourceline or 0)


def collection_names(schema: Any) -> tuple[str, str | None, str | None]:
    """(add, remove, clear) element names; IIS's usual names when there is no schema."""
    coll = getattr(schema, "collection", None) if schema is not None else None
    if coll is None:
        return "add", "remove", "clear"
    return coll.add_element, coll.remove_element, coll.clear_element


class EffectiveElement:
    """The effective view of one configuration element (see module doc)."""

    def __init__(
        self,
        name: str,
        schema: Any,
        layers: tuple[Layer, ...],
        *,
        defaults: Mapping[str, tuple[Layer, ...]] | None = None,
        default_names: frozenset[str] = frozenset(),
    ) -> None:
        self.name = name
        self.schema = schema  # ElementSchema | None (no schema: raw strings only)
        self.layers = layers
        # Collection-default elements (siteDefaults, applicationDefaults, ...) seen in
        # enclosing elements, inherited by collections further down. Read-only and
        # shared between siblings (never copied per element); for a child() they are
        # asked of the parent only when a collection needs them.
        self._defaults = defaults
        self._parent: EffectiveElement | None = None
        self._default_names = default_names
        self._inherited: Mapping[str, tuple[Layer, ...]] | None = None

    def __repr__(self) -> str:
        return f"EffectiveElement({self.name!r}, layers={len(self.layers)})"

    # -- attributes -------------------------------------------------------------

    def attribute_schema(self, attr: str) -> Any:
        if self.schema is None:
            return None
        return self.schema.attribute(attr)

    def _find(self, attr: str) -> tuple[str | None, Layer | None]:
        for layer in reversed(self.layers):
            raw = layer.element.get(attr)
            if raw is not None:
                return raw, layer
        return None, None

    def raw(self, attr: str) -> str | None:
        """The raw text of the effective value; the schema default text when unset."""
        raw, _ = self._find(attr)
        if raw is not None:
            return raw
        aschema = self.attribute_schema(attr)
        return getattr(aschema, "default", None)

    def is_set(self, attr: str) -> bool:
        return self._find(attr)[1] is not None

    def origin(self, attr: str) -> Location | None:
        """file:line of the element that sets `attr`; None when it is the schema default."""
        _, layer = self._find(attr)
        return layer.location() if layer else None

    def is_encrypted(self, attr: str) -> bool:
        return is_encrypted(self.raw(attr))

    def get(self, attr: str, default: Any = None) -> Any:
        """Parsed effective value: the most specific explicit value, else the schema's
        defaultValue, else `default` (None): an attribute the schema gives no default,
        such as a required one, reads as None rather than a guessed zero.

        Raises ConfigError (file:line) when the explicit text does not parse.
        """
        # (_find and attribute_schema inline: building the server settings calls
        # this dozens of times per site)
        raw = layer = None
        for layer in reversed(self.layers):
            raw = layer.element.get(attr)
            if raw is not None:
                break
        schema = self.schema
        aschema = schema.attribute(attr) if schema is not None else None
        if raw is None:
            if aschema is None or aschema.default is None:
                return default
            # (an encrypted default with an empty payload reads as "", as in IIS)
            return aschema.default_value
        if aschema is None or (raw.startswith("[enc:") and is_encrypted(raw)):
            return raw
        try:
            return aschema.parse_cached(raw)
        except ValueError as exc:
            assert layer is not None
            raise ConfigError(
                f'{self.name}/@{attr}="{raw}" is not valid: {exc}',
                hint="fix the value (run `iisftp validate` for every problem in the file)",
                where=layer.location(),
            ) from exc

    def expanded(self, attr: str, variables: Mapping[str, str]) -> str | None:
        """The raw value with `%VAR%` expanded from `variables` (ConfigError if undefined)."""
        raw, layer = self._find(attr)
        if raw is None:
            raw = self.raw(attr)
        if raw is None:
            return None
        return expand_variables(raw, variables, layer.location() if layer else None, attr)

    def attributes(self) -> dict[str, Any]:
        """Every schema attribute plus any attribute set in the file, as parsed values."""
        names: list[str] = list(self.schema.attributes) if self.schema is not None else []
        for layer in self.layers:
            for key in layer.element.attrib:
                if key not in names:
                    names.append(key)
        return {name: self.get(name) for name in names}

    # -- structure --------------------------------------------------------------

    @property
    def element(self) -> etree._Element | None:
        """The most specific XML element (None when only defaults apply)."""
        return self.layers[-1].element if self.layers else None

    @property
    def line(self) -> int:
        elem = self.element
        return (elem.sourceline or 0) if elem is not None else 0

    def _inherited_defaults(self) -> Mapping[str, tuple[Layer, ...]]:
        if self._inherited is None:
            self._inherited = self._compute_inherited_defaults()
        return self._inherited

    def _base_defaults(self) -> Mapping[str, tuple[Layer, ...]]:
        if self._defaults is None:
            parent = self._parent
            self._defaults = parent._inherited_defaults() if parent is not None else _NO_DEFAULTS
        return self._defaults

    def _compute_inherited_defaults(self) -> Mapping[str, tuple[Layer, ...]]:
        result = self._base_defaults()
        names = self._default_names
        if not names:
            return result
        copied = False
        for layer in self.layers:
            for child in layer.element:  # comments' tags are not names: never in `names`
                tag = child.tag
                if tag in names:
                    if not copied:
                        result, copied = dict(result), True
                    result[tag] = (*result.get(tag, ()), Layer(child, layer.file))  # type: ignore[index]
        return result

    def child(self, name: str) -> EffectiveElement:
        """A child element (always returned; with no layers it holds schema defaults)."""
        schema = self.schema.child(name) if self.schema is not None else None
        # Plain iteration and a tag compare: cheaper in lxml than iterchildren(tag).
        layers = []
        for layer in self.layers:
            for c in layer.element:
                if c.tag == name:
                    layers.append(Layer(c, layer.file))
        node = EffectiveElement(
            f"{self.name}/{name}", schema, tuple(layers), default_names=self._default_names
        )
        node._parent = self
        return node

    def path(self, element_path: str) -> EffectiveElement:
        """Descend a "a/b/c" path of child elements."""
        node = self
        for part in element_path.replace(".", "/").split("/"):
            if part:
                node = node.child(part)
        return node

    def collection(self) -> list[EffectiveElement]:
        """The merged collection items (add/remove/clear applied layer by layer)."""
        return [item for item, _ in self._merged(with_keys=False)]

    def collection_with_keys(self) -> list[tuple[EffectiveElement, tuple[str, ...]]]:
        return self._merged(with_keys=True)  # type: ignore[return-value]

    def _merged(self, with_keys: bool) -> list[tuple[EffectiveElement, tuple[str, ...] | None]]:
        add, remove, clear = collection_names(self.schema)
        coll = getattr(self.schema, "collection", None)
        item_schema = getattr(coll, "item", None)
        keys = tuple(getattr(coll, "key_attributes", ()) or ())
        append = getattr(coll, "merge_append", True)
        # The collection-default children (siteDefaults, ...) are gathered in the same
        # pass over the layers' children, unless an earlier call already did.
        names = self._default_names
        inherited = self._inherited
        gather = inherited is None and bool(names)
        if inherited is None:
            inherited = self._base_defaults()
        copied = False

        # Entries are [layer, key]; keys are computed only when a <remove> needs
        # them or the caller asked for them (item_key parses values).
        def keyed(entries: list[list[Any]]) -> list[list[Any]]:
            for entry in entries:
                if entry[1] is None:
                    entry[1] = item_key(entry[0].element, item_schema, keys)
            return entries

        merged: list[list[Any]] = []
        for layer in self.layers:
            parent, local = merged, []
            for child in layer.element:  # comments' tags are not names: never match
                tag = child.tag
                if gather and tag in names:
                    if not copied:
                        inherited, copied = dict(inherited), True
                    inherited[tag] = (*inherited.get(tag, ()), Layer(child, layer.file))  # type: ignore[index]
                if tag == add:
                    local.append([Layer(child, layer.file), None])
                elif remove is not None and tag == remove:
                    unique = (
                        bool(keys)
                        and item_schema is not None
                        and any(
                            getattr(item_schema.attribute(k), "is_unique_key", False) for k in keys
                        )
                    )
                    match = remove_matcher(child, item_schema, keys, unique)
                    parent = [entry for entry in keyed(parent) if not match(entry[1])]
                    local = [entry for entry in keyed(local) if not match(entry[1])]
                elif clear is not None and tag == clear:
                    parent, local = [], []
            merged = parent + local if append else local + parent
        if with_keys:
            keyed(merged)
        self._inherited = inherited
        default_name = getattr(coll, "default_element", None)
        default_layers = inherited.get(default_name, ()) if default_name else ()

        name = f"{self.name}/{add}"
        return [
            (
                EffectiveElement(
                    name,
                    item_schema,
                    (*default_layers, item_layer),
                    defaults=inherited,
                    default_names=names,
                ),
                key,
            )
            for item_layer, key in merged
        ]

    def find_item(self, selector: Mapping[str, str]) -> EffectiveElement | None:
        """The merged item whose attributes match `selector` (IIS key comparison)."""
        for item in self.collection():
            if all(
                key_value(item.attribute_schema(k), item.layers[-1].element.get(k))
                == key_value(item.attribute_schema(k), v)
                for k, v in selector.items()
            ):
                return item
        return None


def key_value(aschema: Any, raw: str | None) -> str:
    """A key attribute's value normalized for comparison (missing = schema default or "")."""
    if raw is None:
        raw = getattr(aschema, "default", None) or ""
    if aschema is None:
        return raw.lower()
    try:
        value = aschema.parse_cached(raw) if raw != "" or aschema.type != "string" else ""
    except ValueError:
        return raw.lower()
    if isinstance(value, str) and not aschema.case_sensitive:
        return value.lower()
    return str(value)


def item_key(elem: etree._Element, item_schema: Any, keys: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(
        key_value(item_schema.attribute(k) if item_schema is not None else None, elem.get(k))
        for k in keys
    )


def remove_matcher(
    elem: etree._Element, item_schema: Any, keys: tuple[str, ...], unique: bool
) -> Any:
    """A predicate over item keys for one `<remove>` directive.

    Unique keys: the key attributes given on `<remove>` must match. Combined keys:
    every key attribute takes part, a missing one meaning empty
    (`<remove users="*" roles="" permissions="Read" />`).
    """
    wanted = item_key(elem, item_schema, keys)
    if unique:
        given = [i for i, k in enumerate(keys) if elem.get(k) is not None]
        return lambda key: bool(given) and all(key[i] == wanted[i] for i in given)
    return lambda key: key == wanted
