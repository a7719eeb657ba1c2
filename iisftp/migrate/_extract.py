"""Building the output document: FTP sites and their configuration, nothing else.

The output starts from the first applicationHost.config that has FTP sites (a
copy: sources are never written), or from a minimal template when the sites come
from appcmd `/config /xml` exports or bare `<site>` fragments. Every kept unit (a
site, a `<location>`, a top-level section) is tagged with a temporary marker
attribute; units from other sources are spliced in as their original text; then
the whole text is parsed again and the markers tell which source element (and so
which file:line) each output element came from. Markers are removed with the
lossless editor, so they leave no trace.

Distrusts: nothing new; sources were parsed safely by iisftp.xmldoc, and spliced
text is whole elements cut at tag boundaries and re-parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from iisftp.config.template import new_apphost
from iisftp.errors import Location
from iisftp.migrate._report import Report
from iisftp.migrate._sources import Source
from iisftp.xmldoc import Document

__all__ = [
    "Output",
    "Unit",
    "all_sites",
    "build_output",
    "ftp_sites",
    "has_ftp_binding",
    "location_site",
]

MARK = "iisftp-migrate-origin"
SPLICE = "iisftp-migrate-splice"
FTP_GROUPS = ("system.applicationHost", "system.ftpServer")


@dataclass
class Output:
    """The output document plus where each of its elements came from."""

    doc: Document
    origin: dict[etree._Element, tuple[Source, etree._Element]] = field(default_factory=dict)

    def where(self, elem: etree._Element) -> Location | None:
        """file:line of the source element `elem` was copied from."""
        found = self.origin.get(elem)
        if found is None:
            return None
        source, src = found
        return Location(str(source.path), src.sourceline or 0)

    def source_of(self, elem: etree._Element) -> Source | None:
        found = self.origin.get(elem)
        return found[0] if found else None


def has_ftp_binding(site: etree._Element) -> bool:
    return any(
        b.get("protocol", "").strip().lower() == "ftp" for b in site.iterfind("bindings/binding")
    )


def all_sites(source: Source) -> list[etree._Element]:
    root = source.doc.root if source.doc is not None else None
    if root is None:
        return []
    if source.kind == "apphost":
        return root.findall("system.applicationHost/sites/site")
    if source.kind == "appcmd-sites":
        return [s for s in (S.find("site") for S in root.iterfind("SITE")) if s is not None]
    if source.kind == "site-fragment":
        return [root]
    return []


def ftp_sites(source: Source) -> list[etree._Element]:
    return [s for s in all_sites(source) if has_ftp_binding(s)]


def location_site(path: str, site_names: dict[str, str]) -> str | None:
    """The FTP site (original spelling) a `<location path>` is in, or None. Keys are casefolded."""
    first = path.strip().strip("/").split("/", 1)[0].casefold()
    return site_names.get(first) if first else None


def _is_global(location: etree._Element) -> bool:
    return location.get("path", "").strip().strip("/") in ("", ".")


# --- pruning the base applicationHost.config ------------------------------------------------


def prune_top(doc: Document, site_names: dict[str, str], report: Report) -> None:
    """Drop non-FTP sites, sections and locations (whole units only). `site_names`: the
    FTP sites to keep (casefolded name -> name)."""
    dropped: dict[str, list[str]] = {}

    def drop(elem: etree._Element, what: str, name: str) -> None:
        dropped.setdefault(what, []).append(name)
        doc.remove_element(elem)

    for child in _elements(doc.root):
        tag = child.tag
        if tag == "configSections":
            for reg in _elements(child):
                if reg.get("name") not in FTP_GROUPS:
                    drop(reg, "section registrations", reg.get("name", reg.tag))
        elif tag == "system.applicationHost":
            for part in _elements(child):
                if part.tag != "sites":
                    drop(part, "sections", f"{tag}/{part.tag}")
            for site in child.findall("sites/site"):
                if site.get("name", "").casefold() not in site_names:
                    what = "FTP sites not chosen" if has_ftp_binding(site) else "non-FTP sites"
                    drop(site, what, f"'{site.get('name', '')}'")
        elif tag == "location":
            path = child.get("path", "")
            keep_location = _is_global(child) or location_site(path, site_names)
            for section in _elements(child):
                if not keep_location or section.tag != "system.ftpServer":
                    drop(section, "sections in <location>", f"'{path}' {section.tag}")
            if not _elements(child):
                doc.remove_element(child)
        elif tag not in ("system.ftpServer", "configProtectedData"):
            drop(child, "sections", tag)
    for what, names in dropped.items():
        report.dropped.append(f"{what}: {', '.join(names)}")


def _elements(parent: etree._Element) -> list[etree._Element]:
    return [c for c in parent if isinstance(c.tag, str)]


# --- assembling ---------------------------------------------------------------------------


@dataclass
class Unit:
    """A whole element to carry: a site or a <location> (from any source)."""

    source: Source
    elem: etree._Element


def build_output(
    base: Source | None,
    extra_sites: list[Unit],
    extra_locations: list[Unit],
    site_names: dict[str, str],
    keep_all: bool,
    report: Report,
    sources_label: str,
) -> Output:
    """The output document with origins, before any value is rewritten."""
    table: list[tuple[Source, etree._Element]] = []
    if base is not None and base.doc is not None:
        doc = Document.from_bytes(base.doc.to_bytes(), base.doc.filename)
        twins = dict(zip(doc.root.iter(), base.doc.root.iter(), strict=True))
        if not keep_all:
            prune_top(doc, site_names, report)
        if not extra_sites and not extra_locations:
            # One source: the copy is the output; its elements stay valid through edits.
            alive = doc.root.iter(etree.Element)
            return Output(doc, {elem: (base, twins[elem]) for elem in alive})
        for elem in list(doc.root.iter(etree.Element)):
            doc.set_attribute(elem, MARK, str(len(table)))
            table.append((base, twins[elem]))
    else:
        label = sources_label.replace("--", "- -")
        doc = Document.from_bytes(
            new_apphost(f"FTP sites migrated by `iisftp migrate` from: {label}").encode(),
            "applicationHost.config",
        )
    sites = doc.root.find("system.applicationHost/sites")
    assert sites is not None  # the base has FTP sites, the template has <sites>
    before = next((c for c in _elements(sites) if c.tag != "site"), None)
    splices: list[tuple[str, Unit]] = []
    placed = [(unit, sites, "site") for unit in extra_sites]
    placed += [(unit, doc.root, "location") for unit in extra_locations]
    for unit, parent, tag in placed:
        index = _elements(sites).index(before) if before is not None and tag == "site" else None
        key = f"s{len(splices)}"
        doc.insert_element(parent, tag, [(SPLICE, key)], index)
        splices.append((key, unit))
    bodies = _unit_texts([unit for _, unit in splices], table)
    by_key = {key: bodies[i] for i, (key, _) in enumerate(splices)}

    def fill(hole: re.Match[str]) -> str:
        indent, _ = _line_of(hole.string, hole.start())
        body, src_indent = by_key[hole.group(1)]
        return _reindent(body, src_indent, indent, doc.newline)

    text = re.sub(rf'<(?:site|location) {SPLICE}="(s\d+)"\s*/>', fill, doc.to_text())
    out = Output(Document.from_bytes(_encode(text, doc), doc.filename))
    for elem in list(out.doc.root.iter(etree.Element)):
        mark = elem.get(MARK)
        if mark is not None:
            out.origin[elem] = table[int(mark)]
            out.doc.remove_attribute(elem, MARK)
    return out


def _encode(text: str, doc: Document) -> bytes:
    bom = "\ufeff" if doc.bom else ""
    return (bom + text).encode(doc.encoding)


def _line_of(text: str, pos: int) -> tuple[str, int]:
    """(indentation of the line holding `pos`, start of that line)."""
    start = max(text.rfind("\n", 0, pos), text.rfind("\r", 0, pos)) + 1
    line = text[start:pos]
    return line[: len(line) - len(line.lstrip(" \t"))], start


_TOKEN = re.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<(/?)([^\s/>!?]+)(?:[^>\"']|\"[^\"]*\"|'[^']*')*?(/?)>",
    re.S,
)


def _unit_texts(
    units: list[Unit], table: list[tuple[Source, etree._Element]]
) -> list[tuple[str, str]]:
    """(source text, indentation of its first line) per unit, every element marked with
    its index in `table`. One marked copy per source file, however many units it has."""
    found: dict[int, tuple[str, str]] = {}
    for source in {id(u.source): u.source for u in units}.values():
        doc = source.doc
        assert doc is not None
        mine = [u for u in units if u.source is source]
        copy = Document.from_bytes(doc.to_bytes(), doc.filename)
        twins = dict(zip(doc.root.iter(), copy.root.iter(), strict=True))
        firsts = []
        for unit in mine:
            firsts.append(len(table))
            for src in unit.elem.iter(etree.Element):
                copy.set_attribute(twins[src], MARK, str(len(table)))
                table.append((source, src))
        text = copy.to_text()
        marks = {m.group(1): m.start() for m in re.finditer(rf'{MARK}="(\d+)"', text)}
        for unit, first in zip(mine, firsts, strict=True):
            found[id(unit)] = _cut(text, text.rfind("<", 0, marks[str(first)]))
    return [found[id(u)] for u in units]


def _cut(text: str, start: int) -> tuple[str, str]:
    """The element starting at `start` (to its matching end tag) and its line's indent."""
    depth = 0
    for m in _TOKEN.finditer(text, start):
        if m.group(2) is None:
            continue
        depth += -1 if m.group(1) else (0 if m.group(3) else 1)
        if depth == 0:
            return text[start : m.end()], _line_of(text, start)[0]
    raise ValueError("unterminated element")  # cannot happen: the text parsed


def _reindent(body: str, src_indent: str, indent: str, newline: str) -> str:
    """Re-indent an element's text for its new place, with the output's line breaks."""
    lines = re.split(r"\r\r\n|\r\n|\r|\n", body)
    # IIS-COMPAT: appcmd output captured through PowerShell is often double-spaced
    # (every other line empty); the blank lines are an artefact, not formatting.
    if len(lines) > 2 and all(not line.strip() for line in lines[1::2]):
        lines = lines[0::2]
    moved = [lines[0]]
    for line in lines[1:]:
        rest = line[len(src_indent) :] if line.startswith(src_indent) else line.lstrip(" \t")
        moved.append(indent + rest if rest else "")
    return newline.join(moved)
