"""Site, binding and FTP security checks (beyond what the schema can say).

Distrusts: the configuration file. Reports bindings that do not parse or
collide, FTP sites that require SSL without a certificate, thumbprints IIS
Manager cannot show, certificates missing from the store, authorization rules
that match nobody and locations that name no site.
"""

from __future__ import annotations

import os
import re
from typing import Any

from lxml import etree

from iisftp.config.bindings import ParsedBinding, is_windows_absolute, parse_binding_information
from iisftp.config.config import SITES, SiteView
from iisftp.config.diagnostics import ERROR, WARNING
from iisftp.config.sections import elements
from iisftp.config.sink import Sink
from iisftp.errors import IisftpError

__all__ = ["check_authorization_rules", "check_locations", "check_sites"]

# Protocols whose bindingInformation is ip:port:host (net.tcp and friends differ).
_IP_PORT_HOST = frozenset({"ftp", "http", "https"})
_THUMBPRINT = re.compile(r"[0-9A-Fa-f]{40}")
AUTHORIZATION = "system.ftpServer/security/authorization"


def check_sites(config: Any, sink: Sink, sites: list[SiteView]) -> None:
    # (port, host) -> listeners: collisions need the same port and host name.
    listeners: dict[tuple[int, str], list[tuple[ParsedBinding, SiteView, Any]]] = {}
    home, ssl_quiet, paths_quiet = _quiet(config, sink)
    for site in sites:
        for binding in site.bindings:
            protocol = binding.protocol.lower()
            if protocol not in _IP_PORT_HOST:
                continue
            try:
                parsed = parse_binding_information(binding.information)
            except ValueError as exc:
                sink.add(
                    binding.element,
                    "IIS020",
                    ERROR,
                    f"site '{site.name}': bindingInformation=\"{binding.information}\""
                    f" is malformed: {exc}",
                    "write ip:port:host, e.g. *:21: or 192.0.2.1:21:ftp.example.com or [::1]:21:",
                    attr="bindingInformation",
                )
                continue
            if protocol != "ftp":
                continue
            if parsed.port == 0:
                sink.add(
                    binding.element,
                    "IIS022",
                    WARNING,
                    f"site '{site.name}': FTP binding on port 0 (the OS picks a port at start)",
                    "fine for tests; give a fixed port (e.g. 21) for real clients",
                    attr="bindingInformation",
                )
            same = listeners.setdefault((parsed.port, parsed.host.lower()), [])
            for other, other_site, other_elem in same:
                if parsed.collides_with(other):
                    sink.add(
                        binding.element,
                        "IIS021",
                        ERROR,
                        f"site '{site.name}': FTP binding {binding.information} collides with "
                        f"'{other_site.name}' {other_elem.get('bindingInformation')} "
                        f"(line {other_elem.sourceline})",
                        "use another port, IP address or host name for one of them",
                        attr="bindingInformation",
                    )
                    break
            same.append((parsed, site, binding.element))
        if "ftp" in site.protocols:
            ours = home is not None and site.element.getparent() is home
            if not (ours and ssl_quiet):
                _check_ssl(config, sink, site)
            if not (ours and paths_quiet):
                _check_paths(config, sink, site)


# Whole-file prechecks, evaluated by libxml2 over the <sites> sections: when they
# find nothing, no site can have an SSL or physicalPath problem, and the per-site
# effective lookups (most of check_sites' time on big files) are skipped. They
# over-approximate: anything they find sends every site through the full checks.
_ODD_PATH = etree.XPath(
    'boolean(.//@physicalPath[contains(., "%") or contains(., ":") or contains(., "\\")])'
)
_ODD_HASH = etree.XPath(
    'boolean(.//@serverCertHash[string-length(.) != 40 or translate(., "0123456789ABCDEF", "")])'
)


def _quiet(config: Any, sink: Sink) -> tuple[Any, bool, bool]:
    """(the server's <sites> element, no site can fail the SSL checks, no site can
    fail the path checks); (None, False, False) when that cannot be told cheaply."""
    home = config._sites_element() if config.root_kind == "configuration" else None
    schema = config.section_schema(SITES)
    coll = schema.root.collection if schema is not None else None
    add = coll.add_element if coll is not None else "site"
    if home is None or not add.isidentifier():
        return None, False, False
    sections = [inst.element for inst in config.index.at("", SITES)]
    paths_quiet = not any(_ODD_PATH(e) for e in sections) and _plain_default(coll)
    every_site_has_hash = not etree.XPath(
        f"boolean({add}[not(ftpServer/security/ssl/@serverCertHash)])"
    )(home)
    ssl_quiet = (
        _store(config, sink) is None
        and every_site_has_hash
        and not any(_ODD_HASH(e) for e in sections)
    )
    return home, ssl_quiet, paths_quiet


def _plain_default(sites: Any) -> bool:
    """The virtualDirectory schema's physicalPath default cannot expand or be a
    Windows path (site -> application -> virtualDirectory, as the lookups go)."""
    node = sites.item if sites is not None else None
    for _ in range(2):  # site's applications, then their virtual directories
        coll = node.collection if node is not None else None
        node = coll.item if coll is not None else None
    aschema = node.attribute("physicalPath") if node is not None else None
    default = aschema.default if aschema is not None else None
    return not default or not any(c in default for c in "%:\\")


def _check_paths(config: Any, sink: Sink, site: SiteView) -> None:
    """Physical paths the server will need: every %VAR% must be defined."""
    variables = config.variables
    for app in site.effective.collection():
        for vdir in app.collection():
            try:
                physical = vdir.expanded("physicalPath", variables) or ""
            except IisftpError as exc:
                sink.add(
                    vdir.element,
                    "IIS017",
                    WARNING,
                    f"FTP site '{site.name}': {exc.message}",
                    exc.hint,
                    attr="physicalPath",
                )
                continue
            if os.sep == "/" and is_windows_absolute(physical):
                sink.add(
                    vdir.element,
                    "IIS019",
                    WARNING,
                    f"FTP site '{site.name}': physicalPath \"{physical}\" is a Windows path",
                    "write it with a variable (%SystemDrive%\\inetpub\\ftproot with "
                    "SystemDrive=/srv in variables.env) or a local path, or map it with "
                    "`iisftp migrate`",
                    attr="physicalPath",
                )


def _policy(element: Any, attr: str) -> str:
    try:
        return str(element.get(attr) or "")
    except IisftpError:
        return ""  # an invalid value is reported by the schema checks


def _check_ssl(config: Any, sink: Sink, site: SiteView) -> None:
    ssl = site.effective.path("ftpServer/security/ssl")
    where = ssl.element if ssl.element is not None else site.element
    raw = ssl.raw("serverCertHash") or ""
    control = _policy(ssl, "controlChannelPolicy")
    data = _policy(ssl, "dataChannelPolicy")
    requires = control in ("SslRequire", "SslRequireCredentialsOnly") or data == "SslRequire"
    if requires and not raw.strip():

        def shown(attr: str, value: str) -> str:
            return f"{attr}={value}" + ("" if ssl.is_set(attr) else " (the default)")

        sink.add(
            where,
            "IIS030",
            ERROR,
            f"FTP site '{site.name}' requires SSL ({shown('controlChannelPolicy', control)}, "
            f"{shown('dataChannelPolicy', data)}) but has no serverCertHash",
            "set ssl/@serverCertHash to a certificate thumbprint (iisftp cert create-self-signed), "
            "or set both policies to SslAllow to allow plain FTP",
        )
    if not raw:
        return
    compact = "".join(raw.split())
    if not _THUMBPRINT.fullmatch(compact):
        sink.add(
            ssl.element,
            "IIS031",
            ERROR,
            f"FTP site '{site.name}': serverCertHash=\"{raw}\" is not a SHA-1 thumbprint "
            "(40 hex digits)",
            "copy the certificate's thumbprint (iisftp cert list)",
            attr="serverCertHash",
        )
        return
    if compact != raw or compact != compact.upper():
        sink.add(
            ssl.element,
            "IIS032",
            WARNING,
            f"FTP site '{site.name}': serverCertHash has lowercase letters or spaces",
            f'write serverCertHash="{compact.upper()}" (IIS Manager will not show it otherwise)',
            attr="serverCertHash",
        )
    _check_store(config, sink, site, ssl, compact.upper())


def _store(config: Any, sink: Sink) -> Any:
    """The configuration folder's certificate store (looked up once per run), or None."""
    if "cert_store" not in sink.memo:
        store = None
        folder = getattr(config, "folder", None)
        if folder is not None and folder.cert_dir.is_dir():
            try:
                from iisftp.certs import CertStore
            except ImportError:
                pass
            else:
                store = CertStore(folder.cert_dir)
        sink.memo["cert_store"] = store
    return sink.memo["cert_store"]


def _check_store(config: Any, sink: Sink, site: SiteView, ssl: Any, thumbprint: str) -> None:
    store = _store(config, sink)
    if store is None:
        return  # not an iisftp configuration folder: no store to look in
    folder = config.folder
    store_name = str(ssl.raw("serverCertStoreName") or "MY")
    try:
        found = store.find(thumbprint, store_name)
    except IisftpError:
        found = None
    if found is None:
        sink.add(
            ssl.element,
            "IIS033",
            ERROR,
            f"FTP site '{site.name}': certificate {thumbprint} is not in the {store_name} "
            f"store of {folder.cert_dir}",
            "import it (iisftp cert import) or create one (iisftp cert create-self-signed)",
            attr="serverCertHash",
        )


def check_authorization_rules(config: Any, sink: Sink) -> None:
    for inst in config.index.all_instances():
        if inst.name.lower() != AUTHORIZATION.lower():
            continue
        for rule in elements(inst.element):
            if rule.tag != "add":
                continue
            if not (rule.get("users") or "").strip() and not (rule.get("roles") or "").strip():
                sink.add(
                    rule,
                    "IIS034",
                    WARNING,
                    "authorization rule has neither users nor roles: it matches nobody",
                    'set users="*" (everyone), users="?" (anonymous), a user list or roles',
                )


_LOCATION_VALUES = {
    "overrideMode": ("Allow", "Deny", "Inherit"),
    "allowOverride": ("true", "false"),
    "inheritInChildApplications": ("true", "false"),
}


def _check_location_values(sink: Sink, location: Any) -> None:
    for name, raw in location.attrib.items():
        allowed = _LOCATION_VALUES.get(name)
        if name == "path":
            continue
        if allowed is None:
            sink.add(
                location,
                "IIS006",
                ERROR,
                f"<location> has no attribute '{name}'",
                "known: path, " + ", ".join(_LOCATION_VALUES),
                attr=name,
            )
        elif raw.lower() not in (v.lower() for v in allowed):
            sink.add(
                location,
                "IIS007",
                ERROR,
                f'<location>/@{name}="{raw}" is not valid',
                "use one of: " + ", ".join(allowed),
                attr=name,
            )


def check_locations(config: Any, sink: Sink) -> None:
    """overrideMode/allowOverride conflicts, locations naming no site, duplicates."""
    has_sites = bool(config.index.at("", "system.applicationHost/sites"))
    site_names: str | None = None
    for path_key, locations in config.index.locations.items():
        for location in locations:
            _check_location_values(sink, location)
            if location.get("overrideMode") is not None and location.get("allowOverride"):
                sink.add(
                    location,
                    "IIS012",
                    ERROR,
                    "<location> sets both overrideMode and allowOverride",
                    "keep overrideMode (Allow|Deny|Inherit) and drop allowOverride",
                    attr="allowOverride",
                )
        site = path_key.split("/")[0]
        if path_key and has_sites and config.find_site_element(site) is None:
            if site_names is None:  # once, not per stray location
                site_names = ", ".join(s.name for s in config.sites())
            sink.add(
                locations[0],
                "IIS040",
                WARNING,
                f'<location path="{locations[0].get("path")}"> names no existing site',
                f"check the site name (sites: {site_names}) or remove the location",
            )
    for (_, _), insts in config.index.instances.items():
        for inst in insts[1:]:
            sink.add(
                inst.location if inst.location is not None else inst.element,
                "IIS016",
                ERROR,
                f'section {inst.name} is defined again for path "{inst.path}" '
                f"(first at line {insts[0].element.sourceline})",
                "merge the two into one",
            )
