"""Section registration and the index of section instances in one file.

`<configSections>` declares section groups and sections (overrideModeDefault,
allowDefinition, allowLocation). The index maps (location path, section name)
to the XML elements that define the section there, so an effective lookup costs
one dict probe per path segment, whatever the number of sites or locations.
Names and paths are compared case-insensitively, as IIS does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

__all__ = [
    "MACHINE_SECTIONS",
    "SectionDecl",
    "SectionIndex",
    "SectionInstance",
    "elements",
    "location_key",
    "normalize_location",
    "placement_problem",
]

# IIS-COMPAT: these are registered in machine.config / the .NET framework, not in
# applicationHost.config, yet may appear in it; they are kept and not validated.
MACHINE_SECTIONS = frozenset(
    {
        "configprotecteddata",
        "appsettings",
        "connectionstrings",
        "runtime",
        "startup",
        "system.web",
        "system.net",
        "system.data",
        "system.servicemodel",
        "system.diagnostics",
        "system.transactions",
        "system.xml.serialization",
    }
)


def elements(parent: etree._Element) -> Iterator[etree._Element]:
    """Element children only (comments and processing instructions skipped)."""
    return parent.iterchildren(etree.Element)  # filtered in C: no generator frame


def normalize_location(path: str | None) -> str:
    """`<location path>` as IIS reads it: "" and "." are the server level; no edge slashes."""
    text = (path or "").strip().replace("\\", "/")
    parts = [p for p in text.split("/") if p and p != "."]
    return "/".join(parts)


def location_key(path: str | None) -> str:
    return normalize_location(path).lower()


@dataclass(frozen=True)
class SectionDecl:
    """One `<section>` in `<configSections>`."""

    name: str  # full name, e.g. "system.ftpServer/security/authorization"
    element: etree._Element
    override_mode_default: str = "Allow"
    allow_definition: str = "Everywhere"
    allow_location: bool = True


@dataclass(frozen=True)
class SectionInstance:
    """A section element in the file, at the server level or inside a `<location>`."""

    name: str  # full name as written in the file
    element: etree._Element
    location: etree._Element | None
    path: str  # normalized location path as written ("" = server level)


@dataclass
class SectionIndex:
    decls: dict[str, SectionDecl] = field(default_factory=dict)  # lower name -> decl
    groups: set[str] = field(default_factory=set)  # lower group names
    instances: dict[tuple[str, str], list[SectionInstance]] = field(default_factory=dict)
    locations: dict[str, list[etree._Element]] = field(default_factory=dict)  # key -> elems
    # Elements that are neither a known section nor a group: (element, full name).
    unknown: list[tuple[etree._Element, str]] = field(default_factory=list)
    group_elements: list[tuple[etree._Element, str]] = field(default_factory=list)
    schema_names: set[str] = field(default_factory=set)  # lower names with a schema
    schema_groups: set[str] = field(default_factory=set)  # their lower group prefixes
    # full element name -> (kind, lower name), filled while building
    _kinds: dict[str, tuple[str | None, str]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @classmethod
    def build(cls, root: etree._Element, schema_names: set[str]) -> SectionIndex:
        """Index a `<configuration>` root; `schema_names` are lower-case schema section names."""
        index = cls(schema_names=set(schema_names))
        index.schema_groups = {
            name.rsplit("/", i)[0] for name in schema_names for i in range(1, name.count("/") + 1)
        }
        for child in elements(root):
            if child.tag == "configSections":
                index._read_decls(child, "")
        for child in elements(root):
            if child.tag in ("configSections",):
                continue
            if child.tag == "location":
                path = normalize_location(child.get("path"))
                index.locations.setdefault(path.lower(), []).append(child)
                for sub in child:  # (plain iteration: cheaper than iterchildren in lxml)
                    if isinstance(sub.tag, str):
                        index._walk(sub, "", child, path)
            else:
                index._walk(child, "", None, "")
        return index

    def _read_decls(self, group: etree._Element, prefix: str) -> None:
        for child in elements(group):
            name = child.get("name", "")
            full = f"{prefix}{name}"
            if child.tag == "sectionGroup":
                self.groups.add(full.lower())
                self._read_decls(child, full + "/")
            elif child.tag == "section":
                self.decls[full.lower()] = SectionDecl(
                    name=full,
                    element=child,
                    override_mode_default=child.get("overrideModeDefault", "Allow"),
                    allow_definition=child.get("allowDefinition", "Everywhere"),
                    allow_location=child.get("allowLocation", "true").lower() != "false",
                )

    def kind(self, full: str) -> str | None:
        """ "section", "group" or None for a full element name under `<configuration>`."""
        low = full.lower()
        if low in self.decls or low in self.schema_names:
            return "section"
        if low in self.groups or low in self.schema_groups:
            return "group"
        if low.split("/", 1)[0] in MACHINE_SECTIONS:
            return "section"
        return None

    def _walk(
        self, elem: etree._Element, prefix: str, location: etree._Element | None, path: str
    ) -> None:
        full = f"{prefix}{elem.tag}"
        # Thousands of <location>s repeat the same few names: classify each name once.
        known = self._kinds.get(full)
        if known is None:
            known = self._kinds[full] = (self.kind(full), full.lower())
        kind, low = known
        if kind == "section":
            inst = SectionInstance(full, elem, location, path)
            self.instances.setdefault((path.lower(), low), []).append(inst)
        elif kind == "group":
            self.group_elements.append((elem, full))
            for child in elem:
                if isinstance(child.tag, str):
                    self._walk(child, full + "/", location, path)
        else:
            self.unknown.append((elem, full))

    def at(self, path_key: str, section: str) -> list[SectionInstance]:
        return self.instances.get((path_key, section.lower()), [])

    def all_instances(self) -> Iterator[SectionInstance]:
        for insts in self.instances.values():
            yield from insts


# allowDefinition values that restrict a section to the server level: in
# applicationHost.config that means no `<location path="Site...">`.
_SERVER_LEVEL_ONLY = frozenset({"apphostonly", "machineonly", "machinetorootweb"})


def placement_problem(
    decl: SectionDecl, in_location: bool, path: str, is_application: bool
) -> tuple[str, str] | None:
    """(message, hint) when a section may not be set where it is, else None.

    IIS-COMPAT: allowDefinition limits configuration *paths*: AppHostOnly sections
    (system.ftpServer/firewallSupport, sites, ...) only at the server level,
    MachineToApplication down to application roots; allowLocation="false" bars
    `<location>` altogether.
    """
    if in_location and not decl.allow_location:
        return (
            f'section {decl.name} may not be set in a <location> (allowLocation="false")',
            "move it to the server level",
        )
    definition = decl.allow_definition.lower()
    if path and definition in _SERVER_LEVEL_ONLY:
        return (
            f"section {decl.name} can only be set at the server level "
            f'(allowDefinition="{decl.allow_definition}"), not for "{path}"',
            "move it out of the <location>",
        )
    if path and definition == "machinetoapplication" and not is_application:
        return (
            f"section {decl.name} can only be set down to application roots "
            f'(allowDefinition="MachineToApplication"), not for "{path}"',
            "set it on the site or application path instead",
        )
    return None
