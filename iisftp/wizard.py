"""FTP site administration: the IIS Manager dialogs as functions.

`add_ftp_site` is the "Add FTP Site" wizard; `set_ssl_policy` the Advanced SSL
Policy dialog; `set_authentication` the FTP Authentication page;
`add_rule`/`remove_rule` the FTP Authorization Rules page. Each checks all of
its input before the first edit and edits through the configuration engine
(schema-validated, minimal diff); the caller saves.
"""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from iisftp.certs import CertStore, StoredCertificate
from iisftp.config import SITES, Config
from iisftp.errors import UsageError

__all__ = [
    "AUTHORIZATION",
    "NewFtpSite",
    "SslMode",
    "add_binding",
    "add_ftp_site",
    "add_rule",
    "binding_information",
    "find_certificate",
    "remove_binding",
    "remove_rule",
    "remove_site",
    "set_authentication",
    "set_auto_start",
    "set_ssl_policy",
]

AUTHORIZATION = "system.ftpServer/security/authorization"


class SslMode(enum.Enum):
    """The wizard's SSL choice and the policies IIS writes for it."""

    NONE = "none"
    ALLOW = "allow"
    REQUIRE = "require"

    @property
    def policies(self) -> tuple[str, str]:
        if self is SslMode.REQUIRE:
            return "SslRequire", "SslRequire"
        # IIS-COMPAT: "No SSL" is written as SslAllow/SslAllow without a certificate
        # (the schema default SslRequire would refuse every plain client).
        return "SslAllow", "SslAllow"


@dataclass(frozen=True)
class NewFtpSite:
    """Every field of the Add FTP Site wizard."""

    name: str
    physical_path: str
    ip: str = "*"  # "*" = All Unassigned
    port: int = 21
    host: str = ""  # virtual host name
    auto_start: bool = True
    ssl: SslMode = SslMode.ALLOW
    certificate: str = ""  # friendly name or thumbprint; required unless ssl is NONE
    anonymous: bool = False
    basic: bool = True
    allow_users: tuple[str, ...] = ()  # "*" all users, "?" anonymous, or names
    allow_roles: tuple[str, ...] = ()
    permissions: str = "Read"


def binding_information(ip: str, port: int, host: str = "") -> str:
    """`ip:port:host` after checking each part, as IIS stores it."""
    if ip not in ("*", ""):
        try:
            addr = ipaddress.ip_address(ip.strip("[]"))
        except ValueError:
            raise UsageError(
                f"'{ip}' is not an IP address", "give an IPv4/IPv6 address or * (All Unassigned)"
            ) from None
        ip = f"[{addr}]" if addr.version == 6 else str(addr)
    if not 0 < port < 65536:
        raise UsageError(f"port {port} is out of range", "use a port from 1 to 65535")
    if any(c in host for c in ": /|\\"):
        raise UsageError(
            f"'{host}' is not a valid host name", "use a DNS name like ftp.example.com"
        )
    return f"{ip or '*'}:{port}:{host}"


def find_certificate(store: CertStore, ref: str) -> StoredCertificate:
    """A certificate by thumbprint or friendly name, in any store."""
    cert = None
    if _looks_like_thumbprint(ref):
        cert = next(filter(None, (store.find(ref, name) for name in store.store_names())), None)
    cert = cert or store.find_by_name(ref)
    if cert is None:
        raise UsageError(
            f"no certificate '{ref}' in the store",
            "create one with `iisftp cert create-self-signed --name ...` or import one with "
            "`iisftp cert import`; `iisftp cert list` shows what is there",
        )
    return cert


def add_ftp_site(config: Config, store: CertStore, spec: NewFtpSite) -> None:
    """Add a site as the wizard does (site, root vdir, binding, ftpServer, location rules)."""
    if any(site.name.lower() == spec.name.lower() for site in config.sites()):
        raise UsageError(f"a site named '{spec.name}' already exists", "choose another name")
    if not spec.physical_path:
        raise UsageError("the physical path is empty", "give the content folder with --path")
    info = binding_information(spec.ip, spec.port, spec.host)
    cert = None
    if spec.ssl is not SslMode.NONE:
        if not spec.certificate:
            raise UsageError(
                f"SSL '{spec.ssl.value}' needs a certificate", "pass --cert NAME|THUMBPRINT"
            )
        cert = find_certificate(store, spec.certificate)
    rule = (
        _rule(spec.allow_users, spec.allow_roles, spec.permissions)
        if (spec.allow_users or spec.allow_roles)
        else None
    )

    site = f"[name='{spec.name}']"
    ids = [s.id for s in config.sites() if s.id is not None]
    config.add(SITES, "", {"name": spec.name, "id": str(max(ids, default=0) + 1)})
    # A trailing [key='value'] selector names the item to add (appcmd's /+ syntax).
    config.add(SITES, f"{site}.[path='/']", {})
    config.add(SITES, f"{site}.[path='/'].[path='/']", {"physicalPath": spec.physical_path})
    config.add(SITES, f"{site}.bindings", {"protocol": "ftp", "bindingInformation": info})
    if not spec.auto_start:
        config.set(SITES, f"{site}.ftpServer", "serverAutoStart", "false")
    control, data = spec.ssl.policies
    ssl = f"{site}.ftpServer.security.ssl"
    if cert is not None:
        config.set(SITES, ssl, "serverCertHash", cert.thumbprint)
        if cert.store_name.upper() != "MY":
            config.set(SITES, ssl, "serverCertStoreName", cert.store_name)
    config.set(SITES, ssl, "controlChannelPolicy", control)
    config.set(SITES, ssl, "dataChannelPolicy", data)
    _write_authentication(config, spec.name, anonymous=spec.anonymous, basic=spec.basic)
    if rule is not None:
        config.add(AUTHORIZATION, "", rule, location=spec.name)


def set_ssl_policy(
    config: Config,
    site_name: str,
    control: str | None = None,
    data: str | None = None,
    certificate: StoredCertificate | None = None,
    ssl128: bool | None = None,
) -> None:
    """The Advanced SSL Policy dialog (values are checked by the schema)."""
    site = config.site(site_name)
    ssl = f"[name='{site.name}'].ftpServer.security.ssl"
    if certificate is not None:
        config.set(SITES, ssl, "serverCertHash", certificate.thumbprint)
    for attr, value in (("controlChannelPolicy", control), ("dataChannelPolicy", data)):
        if value is not None:
            config.set(SITES, ssl, attr, value)
    if ssl128 is not None:
        config.set(SITES, ssl, "ssl128", "true" if ssl128 else "false")


def set_authentication(
    config: Config, site_name: str, anonymous: bool | None = None, basic: bool | None = None
) -> None:
    """The FTP Authentication page: enable or disable anonymous and basic."""
    site = config.site(site_name)
    _write_authentication(config, site.name, anonymous=anonymous, basic=basic)


def set_auto_start(config: Config, site_name: str, enabled: bool) -> None:
    site = config.site(site_name)
    config.set(SITES, f"[name='{site.name}'].ftpServer", "serverAutoStart", _bool(enabled))


def add_binding(config: Config, site_name: str, ip: str, port: int, host: str = "") -> str:
    site = config.site(site_name)
    info = binding_information(ip, port, host)
    config.add(
        SITES, f"[name='{site.name}'].bindings", {"protocol": "ftp", "bindingInformation": info}
    )
    return info


def remove_binding(config: Config, site_name: str, information: str) -> None:
    site = config.site(site_name)
    if not any(b.information == information for b in site.bindings):
        known = ", ".join(b.information for b in site.bindings) or "none"
        raise UsageError(
            f"site '{site.name}' has no binding '{information}'", f"its bindings are: {known}"
        )
    config.remove(
        SITES,
        f"[name='{site.name}'].bindings",
        {"protocol": "ftp", "bindingInformation": information},
    )


def remove_site(config: Config, site_name: str) -> list[str]:
    """Remove a site and the `<location>` blocks under it; returns the removed paths."""
    site = config.site(site_name)
    config.remove(SITES, "", {"name": site.name})
    prefix = site.name.lower()
    removed = []
    for elem in list(config.root.iterchildren("location")):
        path = (elem.get("path") or "").replace("\\", "/").strip("/")
        if path.lower() == prefix or path.lower().startswith(prefix + "/"):
            config.document.remove_element(elem)
            removed.append(path)
    config.reindex()
    return removed


def add_rule(
    config: Config,
    site_name: str,
    path: str,
    access: str,
    users: Sequence[str] = (),
    roles: Sequence[str] = (),
    permissions: str = "Read",
) -> None:
    """An FTP authorization rule at `Site[/path]` (a `<location>` block)."""
    site = config.site(site_name)
    if not users and not roles:
        raise UsageError("a rule needs users or roles", "pass --users NAME,... or --roles NAME,...")
    item = _rule(tuple(users), tuple(roles), permissions)
    item["accessType"] = access.capitalize()
    config.add(AUTHORIZATION, "", item, location=_location(site.name, path))


def remove_rule(
    config: Config,
    site_name: str,
    path: str,
    users: Sequence[str] = (),
    roles: Sequence[str] = (),
    permissions: str = "Read",
) -> None:
    site = config.site(site_name)
    key = _rule(tuple(users), tuple(roles), permissions)
    del key["accessType"]
    config.remove(AUTHORIZATION, "", key, location=_location(site.name, path))


def _write_authentication(
    config: Config, site_name: str, *, anonymous: bool | None, basic: bool | None
) -> None:
    auth = f"[name='{site_name}'].ftpServer.security.authentication"
    if anonymous is not None:
        config.set(SITES, f"{auth}.anonymousAuthentication", "enabled", _bool(anonymous))
    if basic is not None:
        config.set(SITES, f"{auth}.basicAuthentication", "enabled", _bool(basic))


def _rule(users: tuple[str, ...], roles: tuple[str, ...], permissions: str) -> dict[str, str]:
    item = {"accessType": "Allow"}
    if users:
        item["users"] = ",".join(users)
    if roles:
        item["roles"] = ",".join(roles)
    item["permissions"] = permissions
    return item


def _location(site_name: str, path: str) -> str:
    sub = path.replace("\\", "/").strip("/")
    return f"{site_name}/{sub}" if sub else site_name


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _looks_like_thumbprint(ref: str) -> bool:
    compact = ref.replace(" ", "")
    return len(compact) == 40 and all(c in "0123456789abcdefABCDEF" for c in compact)
