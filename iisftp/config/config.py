"""The loaded configuration: document + schemas + index, and effective lookups.

`load()` reads applicationHost.config (or a configuration folder) through
iisftp.xmldoc, loads the IIS schemas through iisftp.schema and indexes sites by
name and section instances by location path once, so that `effective()` and
`site()` cost a few dict probes (path depth), never a scan over all sites.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from iisftp.config._gc import gc_paused
from iisftp.config.effective import EffectiveElement, Layer
from iisftp.config.sections import SectionIndex, elements, location_key, normalize_location
from iisftp.errors import ConfigError, Location, UsageError
from iisftp.folder import ConfigFolder

__all__ = ["SITES", "BindingView", "Config", "SiteView", "load"]

SITES = "system.applicationHost/sites"


@dataclass(frozen=True)
class BindingView:
    protocol: str
    information: str  # bindingInformation as written: "ip:port:host"
    element: etree._Element
    line: int


@dataclass(frozen=True)
class SiteView:
    """A `<site>` as written (name, id, bindings) plus its effective element."""

    name: str
    id: int | None
    bindings: tuple[BindingView, ...]
    element: etree._Element
    line: int
    effective: EffectiveElement

    @property
    def protocols(self) -> frozenset[str]:
        return frozenset(b.protocol.lower() for b in self.bindings)


def load(
    path: str | Path,
    *,
    schema_dirs: Sequence[Path] | None = None,
    variables: Mapping[str, str] | None = None,
    schemas: Any = None,
) -> Config:
    """Load applicationHost.config, or the one in a configuration folder.

    `variables` gives `%VAR%` expansions for `expanded` attributes; by default
    the process environment overlaid with the folder's variables.env. `schemas`
    (a loaded SchemaSet) skips loading them again.
    Raises ConfigError (file:line) for unreadable or malformed files.
    """
    from iisftp.schema import load_schemas
    from iisftp.xmldoc import Document

    folder = ConfigFolder.resolve(path)
    if not folder.apphost.is_file():
        raise ConfigError(
            f"{folder.apphost}: no such configuration file",
            hint="pass -c with a configuration folder or an applicationHost.config file",
        )
    with gc_paused():
        document = Document.load(folder.apphost)
    if schemas is None:
        schemas = load_schemas(list(schema_dirs) if schema_dirs else None)
    with gc_paused():
        return Config(document, schemas, folder=folder, variables=variables)


class Config:
    """An applicationHost.config with IIS semantics (see the package doc for the API)."""

    def __init__(
        self,
        document: Any,
        schemas: Any,
        *,
        folder: ConfigFolder | None = None,
        variables: Mapping[str, str] | None = None,
    ) -> None:
        self.document = document
        self.schemas = schemas
        self.folder = folder or ConfigFolder.resolve(document.filename)
        self._variables = dict(variables) if variables is not None else None
        self.reindex()

    # -- indexing ---------------------------------------------------------------

    @property
    def root(self) -> etree._Element:
        return self.document.root

    @property
    def filename(self) -> str:
        return str(self.document.filename)

    @property
    def root_kind(self) -> str:
        """ "configuration", "appcmd" (an `appcmd list ... /xml` export), "site" (a
        fragment) or the unexpected root tag."""
        return str(self.root.tag)

    @property
    def variables(self) -> dict[str, str]:
        if self._variables is None:
            self._variables = self.folder.variables()
        return self._variables

    def reindex(self) -> None:
        """Rebuild the indexes (after edits that add or remove elements)."""
        sections = self.schemas.sections if self.schemas else {}
        self._schema_by_name = {name.lower(): schema for name, schema in sections.items()}
        names = set(self._schema_by_name)
        self._default_names = self.schemas.default_element_names if self.schemas else frozenset()
        if self.root_kind == "configuration":
            self.index = SectionIndex.build(self.root, names)
        else:
            self.index = SectionIndex(schema_names=names)
        self._sites_view: EffectiveElement | None = None
        self._locations_by_site: dict[str, list[str]] = {}
        for key in self.index.locations:
            if key:
                self._locations_by_site.setdefault(key.split("/")[0], []).append(key)
        self._sites: dict[str, list[etree._Element]] = {}
        sites_elem = self._sites_element()
        if sites_elem is not None:
            add = "site"
            section = self.schemas.section(SITES) if self.schemas else None
            if section is not None and section.root.collection is not None:
                add = section.root.collection.add_element
            for child in elements(sites_elem):
                if child.tag == add:
                    self._sites.setdefault(child.get("name", "").lower(), []).append(child)
        elif self.root_kind == "site":
            self._sites.setdefault(self.root.get("name", "").lower(), []).append(self.root)

    def _sites_element(self) -> etree._Element | None:
        insts = self.index.at("", SITES)
        return insts[0].element if insts else None

    # -- effective settings -----------------------------------------------------

    def section_schema(self, section: str) -> Any:
        """The SectionSchema for a section name (case-insensitive), or None."""
        return self._schema_by_name.get(section.lower())

    @property
    def default_names(self) -> frozenset[str]:
        return self._default_names

    def _element(self, name: str, schema: Any, layers: list[Layer]) -> EffectiveElement:
        return EffectiveElement(name, schema, tuple(layers), default_names=self._default_names)

    def section_layers(self, section: str, path: str = "") -> list[Layer]:
        """The section elements that apply at `path`, least specific first.

        # IIS-COMPAT: a `<location inheritInChildApplications="false">` does not
        # reach into applications below its own path.
        """
        normalized = normalize_location(path)
        parts = normalized.split("/") if normalized else []
        name, instances, file = section.lower(), self.index.instances, self.filename
        layers: list[Layer] = []
        for depth in range(len(parts) + 1):
            found = instances.get(("/".join(parts[:depth]).lower(), name))
            if not found:
                continue
            for inst in found:
                if depth < len(parts) and not self._inherits(inst.location, parts, depth):
                    continue
                layers.append(Layer(inst.element, file))
        return layers

    def _inherits(self, location: etree._Element | None, parts: list[str], depth: int) -> bool:
        if location is None or location.get("inheritInChildApplications", "").lower() != "false":
            return True
        if depth == 0:
            return False  # every site root is a child application of the server level
        site = self._find_site(parts[0])
        if site is None:
            return True
        owner = "/" + "/".join(parts[1:depth]).lower()
        inner = "/" + "/".join(parts[1:]).lower()
        for app in elements(site):
            if app.tag != "application":
                continue
            app_path = "/" + (app.get("path") or "").strip("/").lower()
            if app_path != owner and _under(app_path, owner) and _under(inner, app_path):
                return False
        return True

    def effective(self, section: str, path: str = "") -> EffectiveElement:
        """The effective section at a path ("" = server, "Site Name[/sub/dir]")."""
        schema = self.section_schema(section)
        root_schema = schema.root if schema is not None else None
        return self._element(section, root_schema, self.section_layers(section, path))

    # -- sites ------------------------------------------------------------------

    def find_site_element(self, name: str) -> etree._Element | None:
        """The `<site>` element named `name` (case-insensitive), or None."""
        return self._find_site(name)

    def _find_site(self, name: str) -> etree._Element | None:
        found = self._sites.get(name.lower())
        return found[0] if found else None

    def _sites_effective(self) -> EffectiveElement:
        # Built once per index: its collection defaults (siteDefaults, ...) are
        # found by scanning the <sites> children, which must not happen per lookup.
        if self._sites_view is None:
            if self.root_kind == "site":
                schema = self.section_schema(SITES)
                self._sites_view = self._element(SITES, schema.root if schema else None, [])
            else:
                self._sites_view = self.effective(SITES)
        return self._sites_view

    def site_view(self, elem: etree._Element) -> SiteView:
        """A SiteView for any `<site>` element (also the ones inside appcmd exports)."""
        return self._site_view(elem)

    def _site_effective(self, elem: etree._Element) -> EffectiveElement:
        """A `<site>` as an effective element: schema default < siteDefaults < site."""
        sites = self._sites_effective()
        item_schema = None
        coll = getattr(sites.schema, "collection", None)
        if coll is not None:
            item_schema = coll.item
        defaults = sites._inherited_defaults()
        default_layers = defaults.get(getattr(coll, "default_element", None) or "siteDefaults", ())
        return EffectiveElement(
            f"site[@name='{elem.get('name', '')}']",
            item_schema,
            (*default_layers, Layer(elem, self.filename)),
            defaults=defaults,
            default_names=self._default_names,
        )

    def _site_view(self, elem: etree._Element) -> SiteView:
        effective = self._site_effective(elem)
        bindings = tuple(
            BindingView(
                b.get("protocol", ""),
                b.get("bindingInformation", ""),
                b,
                b.sourceline or 0,
            )
            for bs in elem
            if bs.tag == "bindings"
            for b in bs
            if b.tag == "binding"
        )
        raw_id = elem.get("id")
        return SiteView(
            name=elem.get("name", ""),
            id=int(raw_id) if raw_id and raw_id.strip().isdigit() else None,
            bindings=bindings,
            element=elem,
            line=elem.sourceline or 0,
            effective=effective,
        )

    def sites(self) -> list[SiteView]:
        """Every `<site>` in file order."""
        found = [e for elems in self._sites.values() for e in elems]
        found.sort(key=lambda e: e.sourceline or 0)
        return [self._site_view(e) for e in found]

    def site(self, name: str) -> SiteView:
        """A site by name, case-insensitive; UsageError when there is none."""
        elem = self._find_site(name)
        if elem is None:
            known = ", ".join(sorted(f"'{s.name}'" for s in self.sites())) or "none"
            raise UsageError(
                f"{self.filename}: no site named '{name}'",
                hint=f"sites in this file: {known}",
            )
        return self._site_view(elem)

    def site_element(self, site_name: str, element_path: str = "") -> EffectiveElement:
        """A site-level element, e.g. "ftpServer/security/ssl": schema default <
        siteDefaults < site."""
        elem = self._find_site(site_name)
        if elem is None:
            self.site(site_name)  # raises the UsageError naming the sites there are
        assert elem is not None
        # No SiteView: its bindings are not needed for one element's settings.
        return self._site_effective(elem).path(element_path)

    def is_application_path(self, path: str) -> bool:
        """True for "Site" or "Site/app" where /app is one of the site's applications."""
        parts = normalize_location(path).split("/")
        site = self._find_site(parts[0]) if parts[0] else None
        if site is None:
            return False
        inner = "/" + "/".join(parts[1:]).lower()
        return inner == "/" or any(
            app.tag == "application" and "/" + (app.get("path") or "").strip("/").lower() == inner
            for app in elements(site)
        )

    def blocks_child_applications(self, path: str) -> bool:
        """True when a `<location>` for `path` has inheritInChildApplications="false"."""
        return any(
            (loc.get("inheritInChildApplications") or "").lower() == "false"
            for loc in self.index.locations.get(location_key(path), [])
        )

    def location_paths(self, site: str | None = None) -> list[str]:
        """Every `<location path>` in the file (normalized, as written), or only those
        at or below one site (from an index: no scan over all locations)."""
        if site is None:
            keys: list[str] = list(self.index.locations)
        else:
            keys = self._locations_by_site.get(site.lower(), [])
        return [normalize_location(self.index.locations[k][0].get("path")) for k in keys]

    def origin(self, elem: etree._Element) -> Location:
        return Location(self.filename, elem.sourceline or 0)

    # -- bytes ------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        return bytes(self.document.to_bytes())

    def save(self) -> Path | None:
        """Write the edits (atomic; ConfigError if the file changed on disk), keeping
        the previous version in the configuration history (configHistory).

        Returns the snapshot folder, or None (history off, or nothing to save)."""
        from iisftp.config.history import snapshot_then_save

        return snapshot_then_save(self)

    # -- edits and validation (implemented in their own modules) ------------------

    def set(
        self, section: str, element_path: str, attr: str, value: Any, location: str | None = None
    ) -> None:
        """Set an attribute: `set(SITES, "[name='FTP'].ftpServer.security.ssl",
        "controlChannelPolicy", "SslAllow")`. The value is checked against the schema
        before anything is written (UsageError with a hint)."""
        from iisftp.config.edits import set_attribute

        self._guarded(set_attribute, section, element_path, attr, value, location)

    def add(
        self,
        section: str,
        element_path: str,
        attrs: Mapping[str, Any],
        location: str | None = None,
    ) -> None:
        """Add a collection item: `add("system.ftpServer/security/authorization", "",
        {"accessType": "Allow", "users": "*", "permissions": "Read"}, location="FTP")`."""
        from iisftp.config.edits import add_item

        self._guarded(add_item, section, element_path, attrs, location)

    def remove(
        self,
        section: str,
        element_path: str,
        key: Mapping[str, Any],
        location: str | None = None,
    ) -> None:
        """Remove a collection item by key: deletes it when defined at this level, else
        writes a `<remove>` directive that hides the inherited item."""
        from iisftp.config.edits import remove_item

        self._guarded(remove_item, section, element_path, key, location)

    def clear(self, section: str, element_path: str = "", location: str | None = None) -> None:
        """Clear a collection at a level (local items dropped, `<clear/>` hides inherited
        ones), or drop a non-collection element's local settings."""
        from iisftp.config.edits import clear_element

        self._guarded(clear_element, section, element_path, location)

    def unset(
        self, section: str, element_path: str, attr: str, location: str | None = None
    ) -> None:
        """Remove an explicit attribute so the inherited/default value applies again."""
        from iisftp.config.edits import unset_attribute

        self._guarded(unset_attribute, section, element_path, attr, location)

    def _guarded(self, edit: Any, *args: Any) -> None:
        """Run an edit on a scratch copy first: a failing edit, or one that breaks a
        lock (lockAttributes, lockElements, lockItem, ...), leaves this document as it
        was; then apply it for real."""
        from iisftp.config.check_locks import lock_violations
        from iisftp.xmldoc import Document

        scratch = Config(
            Document.from_bytes(self.to_bytes(), self.filename),
            self.schemas,
            folder=self.folder,
            variables=self._variables,
        )
        edit(scratch, *args)
        before = lock_violations(self)
        after = lock_violations(scratch)
        if len(after) > len(before):
            known = {d.message for d in before}
            new = next((d for d in after if d.message not in known), after[-1])
            raise UsageError(f"this change is not allowed: {new.message}", new.hint)
        edit(self, *args)

    def validate(self, *, strict: bool = False) -> list[Any]:
        """Every problem found in the file, as Diagnostic values (see iisftp.config.validate)."""
        from iisftp.config.validate import validate_config

        return validate_config(self, strict=strict)


def _under(path: str, parent: str) -> bool:
    """True when URL path `path` is `parent` or below it."""
    return parent == "/" or path == parent or path.startswith(parent.rstrip("/") + "/")
