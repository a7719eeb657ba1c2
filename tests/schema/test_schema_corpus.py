"""Real configs: every sites / system.ftpServer attribute they use is declared and parses.

Walks the corpus files (read in place) with the schema: each element must be a
declared child, collection directive or item, each attribute declared, and each
value accepted by its codec and validator. Locking attributes (lockAttributes,
lockItem, ...) belong to the config system, not to a section schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from iisftp.schema import ElementSchema, SchemaSet

_CONFIG_SYSTEM_ATTRS = {
    "lockAttributes",
    "lockAllAttributesExcept",
    "lockElements",
    "lockAllElementsExcept",
    "lockItem",
    "configSource",
}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _walk(node: etree._Element, schema: ElementSchema, path: str, problems: list[str]) -> None:
    for name, raw in node.attrib.items():
        if name in _CONFIG_SYSTEM_ATTRS or name.startswith("{"):
            continue
        attr = schema.attribute(name)
        if attr is None:
            if not (schema.collection and schema.collection.allow_unrecognized_attributes):
                problems.append(f"{path}@{name}: not declared")
            continue
        try:
            attr.parse(raw)
        except ValueError as exc:
            problems.append(f"{path}@{name}: {exc}")
    for child in node:
        if not isinstance(child.tag, str):
            continue
        where = f"{path}/{child.tag}:{child.sourceline}"
        coll = schema.collection
        kind = coll.directive(child.tag) if coll else None
        if kind == "add":
            _walk(child, coll.item, where, problems)
        elif kind == "remove":
            keys = {k: coll.item.attributes[k] for k in coll.key_attributes}
            _walk(child, ElementSchema(child.tag, attributes=keys), where, problems)
        elif kind == "clear":
            continue
        elif (sub := schema.child(child.tag)) is not None:
            _walk(child, sub, where, problems)
        else:
            problems.append(f"{where}: element not declared")


def _sections(
    root: etree._Element, schemas: SchemaSet
) -> Iterator[tuple[ElementSchema, etree._Element]]:
    """(schema, element) for each sites / configHistory / system.ftpServer section used."""

    def in_group(
        group: etree._Element, prefix: str
    ) -> Iterator[tuple[ElementSchema, etree._Element]]:
        for node in group:
            if not isinstance(node.tag, str):
                continue
            section = schemas.section(f"{prefix}/{node.tag}")
            if section is not None:
                yield section.root, node
            elif prefix.startswith("system.ftpServer"):
                yield from in_group(node, f"{prefix}/{node.tag}")  # a sectionGroup

    for name in ("system.applicationHost", "system.ftpServer"):
        for group in root.iter(name):
            yield from in_group(group, name)
    site_item = schemas.section("system.applicationHost/sites").root.collection.item
    for site in root.iter("site"):  # appcmd exports and bare <site> fragments
        parent = site.getparent()
        if parent is None or parent.tag != "sites":
            yield site_item, site


def _corpus_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.glob("*.xml") if "BROKEN" not in p.name)


def test_corpus_uses_only_declared_and_valid_values(corpus_dir: Path, schemas: SchemaSet) -> None:
    problems: list[str] = []
    checked = 0
    for path in _corpus_files(corpus_dir):
        try:
            root = etree.parse(str(path), _PARSER).getroot()
        except etree.XMLSyntaxError:
            continue  # encoding traps are the XML layer's business
        for section, node in _sections(root, schemas):
            _walk(node, section, f"{path.name}:{node.sourceline}:{node.tag}", problems)
            checked += 1
    assert checked > 40
    assert problems == []
