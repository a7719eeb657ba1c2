"""Read IIS schema files (`<configSchema>`) and merge them into one SchemaSet.

Distrusts: the schema files' bytes. Parsing is safe (no DTD, no entities, no
network); a malformed file or a bad declaration is a ConfigError at file:line.
Real IIS schema files load unchanged: comments, `<method>`, `extension=`,
`displayHex` and unknown attributes or validators are ignored or recorded.

IIS-COMPAT: several files may declare the same `<sectionSchema name>`; they are
merged recursively (same-named elements merged, new attributes added), which is
how FTP_schema.xml adds `ftpServer` to `system.applicationHost/sites/site`.
IIS_schema.xml is read first so core declarations keep their order and origin.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

from lxml import etree

from iisftp.errors import ConfigError, Location
from iisftp.schema._codecs import CODECS
from iisftp.schema._model import (
    AttributeSchema,
    CollectionSchema,
    ElementSchema,
    SchemaSet,
    SectionSchema,
)
from iisftp.schema._validators import build_validator

__all__ = ["DEFAULT_SCHEMA_DIR", "load_schemas", "parse_schema_file"]

DEFAULT_SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"
_MAX_SCHEMA_BYTES = 16 * 1024 * 1024
_HINT = "fix the schema file or remove it from the schema folder"

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_blank_text=True,
)


class _FileReader:
    """Turns one parsed schema file into frozen nodes; collects unknown validators."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.unknown: list[tuple[str, Location]] = []

    def where(self, node: etree._Element) -> Location:
        return Location(self.filename, node.sourceline or 0)

    def fail(self, node: etree._Element, message: str) -> ConfigError:
        return ConfigError(message, _HINT, self.where(node))

    def flag(self, node: etree._Element, name: str) -> bool:
        raw = node.get(name)
        if raw is None:
            return False
        if raw.lower() not in ("true", "false"):
            raise self.fail(node, f"{name}={raw!r} must be true or false")
        return raw.lower() == "true"

    def number(self, node: etree._Element) -> int:
        raw = node.get("value", "")
        try:
            return int(raw, 16) if raw.lower().startswith("0x") else int(raw)
        except ValueError:
            raise self.fail(node, f"<{node.tag}> value {raw!r} is not a number") from None

    def name_of(self, node: etree._Element) -> str:
        name = node.get("name")
        if not name:
            raise self.fail(node, f"<{node.tag}> has no name")
        return name

    def attribute(self, node: etree._Element) -> AttributeSchema:
        name = self.name_of(node)
        type_ = node.get("type", "string")
        if type_ not in CODECS:
            raise self.fail(node, f"attribute {name!r} has unknown type {type_!r}")
        span_format = node.get("timeSpanFormat", "string")
        if span_format not in ("string", "seconds", "minutes"):
            raise self.fail(
                node, f"timeSpanFormat={span_format!r} must be string, seconds or minutes"
            )
        values: dict[str, int] = {}
        for item in _children(node):
            if item.tag in ("enum", "flag"):
                values[self.name_of(item)] = self.number(item)
        vtype, vparam = node.get("validationType"), node.get("validationParameter")
        where = self.where(node)
        try:
            check = build_validator(vtype, vparam)
        except ValueError as exc:
            raise self.fail(node, f"attribute {name!r}: {exc}") from None
        if check is None:
            self.unknown.append((vtype or "", where))
        attr = AttributeSchema(
            name=name,
            type=type_,
            default=node.get("defaultValue"),
            required=self.flag(node, "required"),
            is_unique_key=self.flag(node, "isUniqueKey"),
            is_combined_key=self.flag(node, "isCombinedKey"),
            encrypted=self.flag(node, "encrypted"),
            expanded=self.flag(node, "expanded"),
            case_sensitive=self.flag(node, "caseSensitive"),
            allow_infinite=self.flag(node, "allowInfinite"),
            display_hex=self.flag(node, "displayHex"),
            time_span_format=span_format,
            validation_type=vtype,
            validation_parameter=vparam,
            values=MappingProxyType(values),
            extension=node.get("extension"),
            source=where,
        )
        if check is not None:
            attr = replace(attr, validator=check)
        if attr.default is not None and attr.extension is None:
            try:
                attr.default_value  # noqa: B018 - a bad default fails at load, not at use
            except ValueError as exc:
                raise self.fail(node, f"attribute {name!r} defaultValue: {exc}") from None
        return attr

    def element(self, node: etree._Element, name: str) -> ElementSchema:
        """Contents of an <element>, <sectionSchema> or <collection> (= its item)."""
        attrs: dict[str, AttributeSchema] = {}
        elements: dict[str, ElementSchema] = {}
        collection: CollectionSchema | None = None
        for child in _children(node):
            if child.tag == "attribute":
                attr = self.attribute(child)
                attrs.setdefault(attr.name, attr)
            elif child.tag == "element":
                sub = self.element(child, self.name_of(child))
                elements[sub.name] = (
                    _merge_element(elements[sub.name], sub) if sub.name in elements else sub
                )
            elif child.tag == "collection":
                coll = self.collection(child)
                collection = _merge_collection(collection, coll) if collection else coll
            # <method>, <enum>/<flag> (handled by attribute) and unknown tags: ignored
        return ElementSchema(
            name=name,
            attributes=MappingProxyType(attrs),
            elements=MappingProxyType(elements),
            collection=collection,
            is_collection_default=self.flag(node, "isCollectionDefault"),
            extension=node.get("extension"),
            source=self.where(node),
        )

    def collection(self, node: etree._Element) -> CollectionSchema:
        add = node.get("addElement")
        if not add:
            raise self.fail(node, "<collection> has no addElement")
        return CollectionSchema(
            add_element=add,
            item=self.element(node, add),
            remove_element=node.get("removeElement"),
            clear_element=node.get("clearElement"),
            default_element=node.get("defaultElement"),
            merge_append=node.get("mergeAppend", "true").lower() != "false",
            allow_duplicates=self.flag(node, "allowDuplicates"),
            allow_unrecognized_attributes=self.flag(node, "allowUnrecognizedAttributes"),
            source=self.where(node),
        )


def _children(node: etree._Element) -> Iterable[etree._Element]:
    return (c for c in node if isinstance(c.tag, str))


def _merge_element(first: ElementSchema, second: ElementSchema) -> ElementSchema:
    attrs = dict(first.attributes)
    for name, attr in second.attributes.items():
        attrs.setdefault(name, attr)
    elements = dict(first.elements)
    for name, elem in second.elements.items():
        elements[name] = _merge_element(elements[name], elem) if name in elements else elem
    collection = first.collection
    if second.collection is not None:
        collection = (
            _merge_collection(collection, second.collection) if collection else second.collection
        )
    return replace(
        first,
        attributes=MappingProxyType(attrs),
        elements=MappingProxyType(elements),
        collection=collection,
        is_collection_default=first.is_collection_default or second.is_collection_default,
    )


def _merge_collection(first: CollectionSchema, second: CollectionSchema) -> CollectionSchema:
    return replace(
        first,
        item=_merge_element(first.item, second.item),
        remove_element=first.remove_element or second.remove_element,
        clear_element=first.clear_element or second.clear_element,
        default_element=first.default_element or second.default_element,
    )


def parse_schema_file(path: Path) -> tuple[list[SectionSchema], list[tuple[str, Location]]]:
    """Sections declared in one file (unmerged) and its unknown validator names."""
    filename = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"cannot read schema file: {exc.strerror}", _HINT, Location(filename)
        ) from None
    if len(data) > _MAX_SCHEMA_BYTES:
        raise ConfigError("schema file is too large", _HINT, Location(filename))
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (0, 0)
        raise ConfigError(
            f"malformed schema XML: {exc.msg}", _HINT, Location(filename, line, column)
        ) from None
    tree = root.getroottree()
    if tree.docinfo.doctype:
        raise ConfigError("schema files must not contain a DOCTYPE", _HINT, Location(filename, 1))
    reader = _FileReader(filename)
    if root.tag != "configSchema":
        raise reader.fail(root, f"root element is <{root.tag}>, expected <configSchema>")
    sections = []
    for node in _children(root):
        if node.tag == "sectionSchema":
            name = reader.name_of(node)
            body = reader.element(node, name.rsplit("/", 1)[-1])
            sections.append(SectionSchema(name=name, root=body, source=reader.where(node)))
    return sections, reader.unknown


def _schema_files(dirs: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for folder in dirs:
        folder = Path(folder)
        if not folder.is_dir():
            raise ConfigError(
                "schema folder does not exist",
                "pass a folder of IIS schema *.xml files",
                Location(str(folder)),
            )
        # IIS-COMPAT: the core IIS_schema.xml first, then the rest by name.
        files.extend(
            sorted(
                folder.glob("*.xml"),
                key=lambda p: (p.name.lower() != "iis_schema.xml", p.name.lower()),
            )
        )
    return files


# Loaded sets keyed by (path, mtime, size) of every file: a SchemaSet is frozen,
# so callers loading many configs share one instead of re-reading the files.
_CACHE: dict[tuple[tuple[str, int, int], ...], SchemaSet] = {}
_CACHE_SIZE = 8


def load_schemas(dirs: Sequence[Path] | None = None) -> SchemaSet:
    """Load and merge every *.xml schema file in `dirs` (default: the repo's schemas/)."""
    files = _schema_files([DEFAULT_SCHEMA_DIR] if dirs is None else list(dirs))
    try:
        key = tuple((str(p), st.st_mtime_ns, st.st_size) for p in files for st in [p.stat()])
    except OSError:
        key = None
    if key is not None and key in _CACHE:
        return _CACHE[key]
    sections: dict[str, SectionSchema] = {}
    unknown: list[tuple[str, Location]] = []
    for path in files:
        declared, file_unknown = parse_schema_file(path)
        unknown.extend(file_unknown)
        for section in declared:
            known = sections.get(section.name)
            sections[section.name] = (
                replace(known, root=_merge_element(known.root, section.root)) if known else section
            )
    result = SchemaSet(
        sections=MappingProxyType(sections),
        files=tuple(str(p) for p in files),
        unknown_validators=tuple(unknown),
    )
    if key is not None:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = result
    return result
