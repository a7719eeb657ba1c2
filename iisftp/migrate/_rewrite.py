"""Rewriting the output document for this host: bindings, folders, accounts, Windows-only features.

Every change goes through the lossless editor (`set_attribute`, `remove_attribute`,
`remove_element`, `insert_element`) so the rest of each line stays as IIS wrote it.
Every change and everything that cannot carry over becomes a report entry with the
source file:line it came from.

Distrusts: the source values (any shape: bad binding strings, odd paths, account
names with domains); bad values are reported, never guessed at silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from iisftp.config.bindings import parse_binding_information
from iisftp.migrate._extract import Output, has_ftp_binding
from iisftp.migrate._mapping import MigrationMapping
from iisftp.migrate._report import Report, SiteResult
from iisftp.model.site import Binding
from iisftp.schema import is_encrypted, split_encrypted
from iisftp.xmldoc import Document

__all__ = ["Rewriter"]

IMPLICIT_PORT = 990
# Site children that only the HTTP stack reads (with Windows log paths in them).
HTTP_ONLY = ("logFile", "traceFailedRequestsLogging", "limits", "hsts")
# IIS-COMPAT: the two providers IIS ships in system.ftpServer/providerDefinitions.
KNOWN_PROVIDERS = {"iismanagerauth": "IIS Manager users", "aspnetauth": "ASP.NET membership users"}


@dataclass
class Rewriter:
    out: Output
    mapping: MigrationMapping
    report: Report
    privileged: bool
    keep_all: bool = False
    users: set[str] = field(default_factory=set)  # named users in authorization rules
    roles: set[str] = field(default_factory=set)
    certificates: list[tuple[str, str, str]] = field(default_factory=list)  # (thumb, store, site)
    needs_iis_manager_users: bool = False
    # IIS-COMPAT: rules may name the anonymous account (IUSR by default) instead of "?".
    anonymous_names: set[str] = field(default_factory=lambda: {"iusr"})
    key_file: Path | None = None  # --key: the export's configEncKey.key, if given
    tick: Callable[[str, int, int], None] | None = None  # progress: (what, done, total)
    chosen: set[str] | None = None  # casefolded names of the sites to migrate; None = all

    @property
    def doc(self) -> Document:
        return self.out.doc

    def run(self) -> list[SiteResult]:
        root = self.doc.root
        sites_elem = root.find("system.applicationHost/sites")
        assert sites_elem is not None  # the output always has the FTP sites' <sites>
        results = []
        children = [c for c in sites_elem if isinstance(c.tag, str)]
        for n, site in enumerate(children, 1):
            if self.tick:
                self.tick(f"site {site.get('name', site.tag)}", n, len(children))
            if site.tag == "site" and has_ftp_binding(site):
                if self._chosen(site):
                    results.append(self.site(site))
                else:  # kept by --keep-all but not migrated: never started
                    ftp = site.find("ftpServer")
                    if ftp is None:
                        ftp = self.doc.insert_element(site, "ftpServer")
                    self.doc.set_attribute(ftp, "serverAutoStart", "false")
            elif site.tag == "siteDefaults":
                if not self.keep_all:
                    self.strip_http(site, "siteDefaults")
                self.ftp_server(site.find("ftpServer"), "siteDefaults")
                self.folder_attrs(site, "siteDefaults", None)
            elif site.tag in ("applicationDefaults", "virtualDirectoryDefaults"):
                self.folder_attrs(site, "sites", None)
        for elem in root.iter("centralLogFile"):
            self.path_attr(elem, "directory", "log folder", check=False)
        self.providers(root.find("system.ftpServer/providerDefinitions"))
        for auth in root.iter("authorization"):
            if _in_ftp_section(auth):
                self.authorization(auth)
        self.encrypted()
        return results

    # --- sites ---------------------------------------------------------------------------

    def _chosen(self, site: etree._Element) -> bool:
        return self.chosen is None or site.get("name", "").casefold() in self.chosen

    def site(self, site: etree._Element) -> SiteResult:
        name = site.get("name", "")
        source = self.out.source_of(site)
        result = SiteResult(name, site.get("id", ""), str(source.path) if source else "")
        others = [self.binding(b, name, result) for b in site.findall("bindings/binding")]
        if any(others):
            dropped = ", ".join(o for o in others if o)
            self.report.dropped.append(f"site '{name}' bindings: {dropped}")
        if not self.keep_all:
            self.strip_http(site, f"site '{name}'")
        for app in site.iterfind("application"):
            app_path = app.get("path", "/").rstrip("/")
            for vdir in app.iterfind("virtualDirectory"):
                vpath = (app_path + "/" + vdir.get("path", "/").strip("/")).rstrip("/") or "/"
                local = self.folder_attrs(vdir, f"site '{name}' folder {vpath}", name)
                if local:
                    result.folders.append(f"{vpath} -> {local}")
            self.folder_attrs(app.find("virtualDirectoryDefaults"), f"site '{name}'", None)
        self.folder_attrs(site.find("virtualDirectoryDefaults"), f"site '{name}'", None)
        self.ftp_server(site.find("ftpServer"), f"site '{name}'")
        return result

    def strip_http(self, owner: etree._Element, label: str) -> None:
        gone = [c for c in owner if isinstance(c.tag, str) and c.tag in HTTP_ONLY]
        for child in gone:
            self.doc.remove_element(child)
        if gone:
            names = ", ".join(f"<{c.tag}>" for c in gone)
            self.report.dropped.append(f"{label} web-only settings: {names}")

    def binding(self, binding: etree._Element, site: str, result: SiteResult) -> str:
        """Map an ftp binding to this host; drop another protocol's (returned for the report)."""
        where = self.out.where(binding)
        protocol = binding.get("protocol", "").strip().lower()
        info = binding.get("bindingInformation", "")
        if protocol != "ftp":
            if self.keep_all:
                return ""
            self.doc.remove_element(binding)
            return f"{protocol} {info}"
        try:
            parsed = parse_binding_information(info)
        except ValueError as exc:
            self.report.add(
                "error",
                "bad-binding",
                f"site '{site}': ftp binding {info!r}: {exc}",
                where,
                "fix bindingInformation (ip:port:host) with `iisftp config set`",
            )
            return ""
        ip, ip_rule = self.mapping.resolve_address(parsed.ip)
        port, port_rule = self.mapping.resolve_port(parsed.port, self.privileged)
        new = Binding(ip, port, parsed.host).information
        if ip != parsed.ip:
            self.report.map("address", parsed.ip, ip, ip_rule, where)
            if ip_rule.startswith("default"):
                self.report.add(
                    "warning",
                    "address-changed",
                    f"site '{site}' was bound to {parsed.ip}, which this host does not have; "
                    f"it now listens on all addresses",
                    where,
                    f"give --map-address {parsed.ip}=LOCAL_IP to pick one",
                )
        if port != parsed.port:
            self.report.map("port", str(parsed.port), str(port), port_rule, where)
            if port_rule.startswith("default"):
                self.report.add(
                    "warning",
                    "port-changed",
                    f"site '{site}': PORT {parsed.port} NEEDS ROOT, so it now listens on "
                    f"port {port}",
                    where,
                    "run as root (or with CAP_NET_BIND_SERVICE) and give "
                    f"--map-port {parsed.port}={parsed.port}",
                )
        if new != info:
            self.doc.set_attribute(binding, "bindingInformation", new)
        # IIS-COMPAT: IIS speaks implicit FTPS only on port 990; keep that behaviour on
        # the new port with iisftp's implicitSsl binding flag.
        if (
            parsed.port == IMPLICIT_PORT
            and port != IMPLICIT_PORT
            and binding.get("implicitSsl") is None
        ):
            self.doc.set_attribute(binding, "implicitSsl", "true")
            self.report.add(
                "info",
                "implicit-ftps",
                f"site '{site}': port 990 was implicit FTPS; "
                f'port {port} keeps it with implicitSsl="true"',
                where,
            )
        result.bindings.append(new)
        return ""

    # --- folders -------------------------------------------------------------------------

    def folder_attrs(self, elem: etree._Element | None, label: str, site: str | None) -> str:
        if elem is None:
            return ""
        credentials = [a for a in ("userName", "password", "logonMethod") if a in elem.attrib]
        password = elem.get("password") or ""
        if elem.get("userName") or (password and password != f"[enc:{_provider(password)}::enc]"):
            account = elem.get("userName") or "(no user name)"
            self.report.add(
                "warning",
                "connect-as",
                f"{label}: the 'connect as' Windows account {account} and its password cannot "
                "carry over; removed: the folder is read as the user running iisftp",
                self.out.where(elem),
                "give that user access to the folder",
            )
        for attr in credentials:
            self.doc.remove_attribute(elem, attr)
        return self.path_attr(elem, "physicalPath", label, check=site is not None)

    def path_attr(self, elem: etree._Element, attr: str, label: str, check: bool) -> str:
        raw = elem.get(attr)
        if raw is None or not raw.strip():
            return ""
        where = self.out.where(elem)
        result = self.mapping.resolve_path(raw)
        if result.local != raw:
            self.doc.set_attribute(elem, attr, result.local)
            self.report.map("path", raw, result.local, result.rule, where)
        if result.unknown_variables:
            names = ", ".join(f"%{v}%" for v in result.unknown_variables)
            self.report.add(
                "warning",
                "unknown-variable",
                f"{label}: '{raw}' uses {names}, unknown here; guessed {result.local}",
                where,
                f"give --map-path '%{result.unknown_variables[0]}%=/local/folder'",
            )
        elif result.guessed:
            self.report.add(
                "warning",
                "guessed-path",
                f"{label}: no mapping for '{raw}'; using {result.local}",
                where,
                f"give --map-path '{raw}=/local/folder' (or a [paths] entry)",
            )
        if check and not Path(result.local).is_dir():
            self.report.add(
                "warning",
                "missing-folder",
                f"{label}: folder {result.local} does not exist",
                where,
                f"create it (mkdir -p '{result.local}') and copy the files over",
            )
        return result.local

    # --- ftpServer: authentication, isolation, certificates ----------------------------------

    def ftp_server(self, ftp: etree._Element | None, label: str) -> None:
        if ftp is None:
            return
        log = ftp.find("logFile")
        if log is not None:
            self.path_attr(log, "directory", f"{label} log folder", check=False)
        anonymous = ftp.find("security/authentication/anonymousAuthentication")
        if anonymous is not None and anonymous.get("userName"):
            self.anonymous_names.add(anonymous.get("userName", "").casefold())
        ssl = ftp.find("security/ssl")
        if ssl is not None and ssl.get("serverCertHash", "").strip():
            self.certificates.append(
                (
                    ssl.get("serverCertHash", "").strip(),
                    ssl.get("serverCertStoreName", "MY") or "MY",
                    label,
                )
            )
        self.custom_providers(ftp, label)
        self.isolation(ftp.find("userIsolation"), label)
        self.client_certs(ftp, label)
        authz = ftp.find("security/customAuthorization/provider")
        if (
            authz is not None
            and authz.get("name")
            and authz.get("enabled", "true").lower() != "false"
        ):
            self.report.add(
                "error",
                "custom-authorization",
                f"{label}: custom authorization provider {authz.get('name')!r} "
                "cannot run on iisftp",
                self.out.where(authz),
                "express its decisions as authorization rules "
                "(<location> system.ftpServer/security/authorization), then remove the provider",
            )

    def custom_providers(self, ftp: etree._Element, label: str) -> None:
        providers = ftp.find("security/authentication/customAuthentication/providers")
        if providers is None:
            return
        for add in providers.findall("add"):
            name = add.get("name", "")
            where = self.out.where(add)
            enabled = add.get("enabled", "true").strip().lower() != "false"
            kind = KNOWN_PROVIDERS.get(name.casefold())
            self.doc.remove_element(add)
            if not enabled:
                self.report.add(
                    "info",
                    "provider-removed",
                    f"{label}: disabled provider {name!r} removed",
                    where,
                )
            elif kind:
                self.needs_iis_manager_users = (
                    self.needs_iis_manager_users or name.casefold() == "iismanagerauth"
                )
                self.enable_basic(ftp)
                self.report.map(
                    "provider", name, "iisftp users (basic authentication)", "default", where
                )
                self.report.add(
                    "warning",
                    "windows-provider",
                    f"{label}: {kind} ({name}) become iisftp users; "
                    "their passwords cannot be carried over",
                    where,
                    "create each user with `iisftp user add NAME`",
                )
            else:
                self.report.add(
                    "error",
                    "unknown-provider",
                    f"{label}: custom authentication provider "
                    f"{name!r} cannot run on iisftp; removed",
                    where,
                    "create its users with `iisftp user add NAME` instead",
                )

    def enable_basic(self, ftp: etree._Element) -> None:
        parent = ftp
        for tag in ("security", "authentication", "basicAuthentication"):
            child = parent.find(tag)
            parent = child if child is not None else self.doc.insert_element(parent, tag)
        self.doc.set_attribute(parent, "enabled", "true")

    def isolation(self, iso: etree._Element | None, label: str) -> None:
        if iso is None:
            return
        mode = iso.get("mode", "None")
        if mode.casefold() in ("activedirectory", "custom"):
            self.report.add(
                "error",
                "isolation",
                f"{label}: user isolation mode {mode!r} needs "
                "Windows (Active Directory or a custom provider)",
                self.out.where(iso),
                "use IsolateAllDirectories with LocalUser/<name> home folders",
            )
        ad = iso.find("activeDirectory")
        if ad is not None and ad.get("adUserName"):
            self.report.add(
                "info",
                "isolation-ad-account",
                f"{label}: Active Directory account "
                f"{ad.get('adUserName')!r} for isolation is not used by iisftp",
                self.out.where(ad),
            )

    def client_certs(self, ftp: etree._Element, label: str) -> None:
        cc = ftp.find("security/sslClientCertificates")
        auth = ftp.find("security/authentication/clientCertAuthentication")
        mapped = cc is not None and cc.get("useActiveDirectoryMapping", "").lower() == "true"
        enabled = auth is not None and auth.get("enabled", "").lower() == "true"
        if mapped or enabled:
            elem = auth if enabled and auth is not None else cc
            self.report.add(
                "error",
                "client-cert-mapping",
                f"{label}: client-certificate mapping to "
                "Active Directory accounts cannot carry over",
                self.out.where(elem),
                "users log in with iisftp user names and passwords instead",
            )

    def providers(self, defs: etree._Element | None) -> None:
        if defs is None:
            return
        for add in defs.findall("add"):
            if add.get("name", "").casefold() not in KNOWN_PROVIDERS:
                self.report.add(
                    "warning",
                    "provider-definition",
                    f"provider definition {add.get('name')!r} "
                    f"({add.get('type') or add.get('clsid')}) is a Windows component; "
                    "iisftp ignores it",
                    self.out.where(add),
                )

    # --- authorization -------------------------------------------------------------------

    def authorization(self, auth: etree._Element) -> None:
        for rule in auth:
            if not isinstance(rule.tag, str) or rule.tag not in ("add", "remove"):
                continue
            for attr, kind, seen in (
                ("users", "account", self.users),
                ("roles", "role", self.roles),
            ):
                raw = rule.get(attr)
                if not raw:
                    continue
                names = [n.strip() for n in raw.split(",") if n.strip()]
                mapped = []
                for name in names:
                    target, rule_src = (
                        (name, "") if name in ("*", "?") else self.mapping.resolve_account(name)
                    )
                    if target != name:
                        self.report.map(kind, name, target, rule_src, self.out.where(rule))
                    mapped.append(target)
                    if target not in ("*", "?") and rule.tag == "add":
                        seen.add(target)
                if mapped != names:
                    self.doc.set_attribute(rule, attr, ", ".join(mapped))
                self.collisions(names, mapped, rule)

    def collisions(self, names: list[str], mapped: list[str], rule: etree._Element) -> None:
        by_target: dict[str, list[str]] = {}
        for name, target in zip(names, mapped, strict=True):
            by_target.setdefault(target.casefold(), []).append(name)
        for target, sources in by_target.items():
            if len({s.casefold() for s in sources}) > 1:
                self.report.add(
                    "warning",
                    "account-collision",
                    f"accounts {', '.join(sources)} all map to iisftp name {target!r}",
                    self.out.where(rule),
                    "give each its own name with --map-account 'DOMAIN\\user=name'",
                )

    # --- encrypted values ----------------------------------------------------------------

    def encrypted(self) -> None:
        for elem in self.doc.root.iter(etree.Element):
            for attr, value in elem.attrib.items():
                if not is_encrypted(value):
                    continue
                provider, payload = split_encrypted(value)
                where = self.out.where(elem)
                path = _describe(elem)
                if not payload:
                    continue  # `[enc:AesProvider::enc]` is an empty value, nothing to carry
                # The AES/RSA/CNG providers' formats are not documented, so no key
                # file makes them readable here: say so rather than guess.
                why = (
                    f"the key file {self.key_file.name} was given, but iisftp cannot read "
                    f"{provider} values"
                    if self.key_file
                    else "only the original Windows machine (or its exported key) can decrypt "
                    f"{provider}"
                )
                if _ftp_scope(elem):
                    severity = "warning"
                    hint = f"{_use_of(elem, attr)}; remove it with {_unset_command(elem, attr)}"
                else:  # kept by --keep-all in a part iisftp never reads
                    severity, hint = "info", "iisftp does not read this part; nothing to do"
                self.report.add(
                    severity,
                    "encrypted-value",
                    f"{path}/@{attr} is encrypted: {why}; kept as it is",
                    where,
                    hint,
                )


def _ftp_scope(elem: etree._Element) -> bool:
    """True when iisftp reads `elem`: FTP sites, site defaults, system.ftpServer."""
    node: etree._Element | None = elem
    while node is not None:
        if node.tag == "site":
            return has_ftp_binding(node)
        if node.tag in ("sites", "system.ftpServer"):
            return True
        node = node.getparent()
    return False


def _in_ftp_section(elem: etree._Element) -> bool:
    parent = elem.getparent()
    while parent is not None:
        if parent.tag == "system.ftpServer":
            return True
        parent = parent.getparent()
    return False


def _describe(elem: etree._Element) -> str:
    parts = []
    node: etree._Element | None = elem
    while node is not None and node.getparent() is not None:
        label = node.tag
        if node.get("name"):
            label += f"[name='{node.get('name')}']"
        elif node.tag == "location":
            label += f"[path='{node.get('path', '')}']"
        parts.append(label)
        node = node.getparent()
    return "/".join(reversed(parts))


def _unset_command(elem: etree._Element, attr: str) -> str:
    """The `iisftp config unset` line for this attribute, when it is addressable."""
    steps: list[str] = []
    node: etree._Element | None = elem
    while node is not None and node.tag != "sites":
        if node.tag == "site":
            steps.append(f"[name='{node.get('name', '')}']")
        elif node.tag in ("application", "virtualDirectory", "add"):
            return "`iisftp config unset`"
        else:
            steps.append(node.tag)
        node = node.getparent()
    if node is None:
        return "`iisftp config unset`"
    path = ".".join(reversed(steps))
    return f'`iisftp config unset system.applicationHost/sites "{path}.{attr}"`'


def _provider(value: str) -> str:
    return split_encrypted(value)[0] if is_encrypted(value) else ""


def _use_of(elem: etree._Element, attr: str) -> str:
    if elem.tag == "anonymousAuthentication":
        return "iisftp logs anonymous users in without a Windows password, so it is not needed"
    if attr == "adPassword":
        return "only Active Directory isolation uses it, and iisftp does not have that"
    return "iisftp cannot use an encrypted value here; set the feature up anew"
