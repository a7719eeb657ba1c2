"""Frozen schema nodes with the IIS names: section, element, attribute, collection.

The nodes mirror IIS's `<sectionSchema>`, `<element>`, `<attribute>` and
`<collection>` declarations once all schema files are merged (see _loader).
Each node records where it was declared. `AttributeSchema` also owns the value
codec and the validator built from `validationType`, so parsing and formatting a
value is one call on the attribute that describes it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

from iisftp.errors import Location
from iisftp.schema._codecs import CODECS, INFINITE, is_encrypted, split_encrypted
from iisftp.schema._validators import accept

__all__ = [
    "AttributeSchema",
    "CollectionSchema",
    "ElementSchema",
    "SchemaSet",
    "SectionSchema",
]

NOWHERE = Location("<schema>")  # nodes built in code, not read from a file
EMPTY: Mapping = MappingProxyType({})  # shared read-only empty mapping

# IIS-COMPAT: an attribute without `defaultValue` still reads as the type's zero
# (Microsoft.Web.Administration reports false / 0 / "" for it).
_IMPLICIT_DEFAULTS: dict[str, object] = {
    "bool": False,
    "uint": 0,
    "int": 0,
    "int64": 0,
    "string": "",
    "flags": 0,
    "timeSpan": datetime.timedelta(0),
}


_PARSE_CACHE_LIMIT = 50_000  # distinct raw values remembered per attribute


def _no_check(value: object) -> None:
    return None


@dataclass(frozen=True)
class AttributeSchema:
    """One `<attribute>`: its type, default, key role and value constraints."""

    name: str
    type: str
    default: str | None = None
    required: bool = False
    is_unique_key: bool = False
    is_combined_key: bool = False
    encrypted: bool = False
    expanded: bool = False
    case_sensitive: bool = False
    allow_infinite: bool = False
    display_hex: bool = False
    time_span_format: str = "string"
    validation_type: str | None = None
    validation_parameter: str | None = None
    values: Mapping[str, int] = field(default_factory=lambda: EMPTY)
    # Set for runtime-only attributes (IIS `extension=`); never persisted in config files.
    extension: str | None = None
    source: Location = NOWHERE
    validator: Callable[[object], None] = field(default=_no_check, repr=False, compare=False)

    def parse(self, raw: str) -> object:
        """Parse a raw XML value strictly; ValueError with a user-facing message."""
        if self.encrypted and is_encrypted(raw):
            return raw  # ciphertext is opaque: never parsed, never changed
        if self.allow_infinite and raw.lower() == INFINITE.lower():
            return INFINITE
        value = CODECS[self.type].parse(raw, self)
        self.validator(value)
        return value

    @cached_property
    def parse_cache(self) -> dict[str, tuple[bool, object]]:
        """raw -> (True, value) or (False, error message), filled by `parse_cached`.
        Read it, never write it (hot loops look values up here without a call)."""
        return {}

    @cached_property
    def is_plain_string(self) -> bool:
        """A string that parse returns unchanged, whatever it is (no validator,
        not encrypted, no "Infinite")."""
        return (
            self.type == "string"
            and not self.encrypted
            and not self.allow_infinite
            and self.validator in (_no_check, accept)
        )

    def parse_cached(self, raw: str) -> object:
        """`parse`, memoised by raw text: big files repeat the same few values.

        Parsed values are immutable (bool, int, str, timedelta) and parse is
        pure, so a hit is what `parse` would return; a bad value raises the
        same ValueError message again.
        """
        if self.is_plain_string:
            return raw
        cache = self.parse_cache
        hit = cache.get(raw)
        if hit is None:
            try:
                hit = (True, self.parse(raw))
            except ValueError as exc:
                hit = (False, str(exc))
            if len(cache) >= _PARSE_CACHE_LIMIT:
                cache.clear()  # bounded: a long-lived process reloads many files
            cache[raw] = hit
        if hit[0]:
            return hit[1]
        raise ValueError(hit[1])

    def format(self, value: object) -> str:
        """Render a value as IIS writes it (flags "Read, Write", bool "true").

        Raw text is parsed first, so this also canonicalises ("TRUE" -> "true").
        """
        if isinstance(value, str):
            value = self.parse(value)
            if value == INFINITE or (self.encrypted and is_encrypted(str(value))):
                return str(value)
        elif value == INFINITE:
            return INFINITE
        text = CODECS[self.type].format(value, self)
        self.validator(value)
        return text

    @cached_property
    def default_value(self) -> object | None:
        """The parsed default (or the IIS implicit zero when none is declared)."""
        if self.default is None:
            if self.type == "enum":
                return next((n for n, v in self.values.items() if v == 0), None)
            return _IMPLICIT_DEFAULTS.get(self.type)
        if self.encrypted and is_encrypted(self.default):
            # IIS-COMPAT: the schema's `[enc:AesProvider::enc]` has an empty
            # payload, which IIS decrypts to the empty string.
            return "" if split_encrypted(self.default)[1] == "" else self.default
        return self.parse(self.default)


@dataclass(frozen=True)
class CollectionSchema:
    """One `<collection>`: directive element names and the schema of its items."""

    add_element: str
    item: ElementSchema
    remove_element: str | None = None
    clear_element: str | None = None
    default_element: str | None = None
    merge_append: bool = True
    allow_duplicates: bool = False
    allow_unrecognized_attributes: bool = False
    source: Location = NOWHERE

    @cached_property
    def key_attributes(self) -> tuple[str, ...]:
        """isUniqueKey attributes if any, else the isCombinedKey set."""
        attrs = self.item.attributes.values()
        unique = tuple(a.name for a in attrs if a.is_unique_key)
        return unique or tuple(a.name for a in attrs if a.is_combined_key)

    def directive(self, tag: str) -> str | None:
        """Which directive an XML child tag is: "add", "remove", "clear" or None."""
        if tag == self.add_element:
            return "add"
        if tag == self.remove_element:
            return "remove"
        if tag == self.clear_element:
            return "clear"
        return None


@dataclass(frozen=True)
class ElementSchema:
    """One `<element>` (or a section root, or a collection item)."""

    name: str
    attributes: Mapping[str, AttributeSchema] = field(default_factory=lambda: EMPTY)
    elements: Mapping[str, ElementSchema] = field(default_factory=lambda: EMPTY)
    collection: CollectionSchema | None = None
    is_collection_default: bool = False
    extension: str | None = None
    source: Location = NOWHERE

    def attribute(self, name: str) -> AttributeSchema | None:
        return self.attributes.get(name)

    def child(self, name: str) -> ElementSchema | None:
        """A declared child element (not the collection item; see `.collection`)."""
        return self.elements.get(name)

    def find(self, path: str) -> ElementSchema | None:
        """Walk "a/b/c" through child elements and collection items (by add name)."""
        node: ElementSchema | None = self
        for part in filter(None, path.split("/")):
            if node is None:
                return None
            nxt = node.elements.get(part)
            if nxt is None and node.collection and part == node.collection.add_element:
                nxt = node.collection.item
            node = nxt
        return node


@dataclass(frozen=True)
class SectionSchema:
    """One `<sectionSchema name="group/section">` (merged across files)."""

    name: str
    root: ElementSchema
    source: Location = NOWHERE

    def find(self, path: str) -> ElementSchema | None:
        """Element at "site/ftpServer/security/ssl" below the section root."""
        return self.root.find(path)


@dataclass(frozen=True)
class SchemaSet:
    """All sections from a set of schema files."""

    sections: Mapping[str, SectionSchema] = field(default_factory=lambda: EMPTY)
    files: tuple[str, ...] = ()
    # validationType names the loader did not know (accepted as no-ops).
    unknown_validators: tuple[tuple[str, Location], ...] = ()

    def section(self, name: str) -> SectionSchema | None:
        return self.sections.get(name)

    @cached_property
    def default_element_names(self) -> frozenset[str]:
        """Names of collection-default elements (siteDefaults, applicationDefaults, ...)
        anywhere in these sections; computed once per schema set."""
        names: set[str] = set()

        def visit(elem: ElementSchema | None, depth: int) -> None:
            if elem is None or depth > 12:
                return
            coll = elem.collection
            if coll is not None:
                if coll.default_element:
                    names.add(coll.default_element)
                visit(coll.item, depth + 1)
            for child in elem.elements.values():
                visit(child, depth + 1)

        for section in self.sections.values():
            visit(section.root, 0)
        return frozenset(names)
