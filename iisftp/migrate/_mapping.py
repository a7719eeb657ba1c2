"""Mappings from a Windows IIS host to this host: paths, addresses, ports, accounts, certificates.

Rules come from a TOML mapping file and from `--map-*` options (options win), then
from built-in defaults. Every resolver returns the target and the rule that
decided it, so the dry run can show why each value was rewritten.

Distrusts: the mapping file (a user-written TOML file; every table and value is
type-checked with a `file: what is wrong` error) and command-line pairs.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from iisftp.errors import Location, UsageError

__all__ = [
    "DEFAULT_FALLBACK_ROOT",
    "DEFAULT_PATHS",
    "CertSource",
    "MigrationMapping",
    "PathResult",
    "load_mapping",
    "parse_pairs",
]

# Values of the Windows variables IIS configs use, on a default Windows install; used
# to compare paths, never to build local ones.
WINDOWS_VARIABLES = {
    "SYSTEMDRIVE": "C:",
    "SYSTEMROOT": "C:\\Windows",
    "WINDIR": "C:\\Windows",
    "PROGRAMFILES": "C:\\Program Files",
    "PROGRAMFILES(X86)": "C:\\Program Files (x86)",
    "PROGRAMDATA": "C:\\ProgramData",
    "ALLUSERSPROFILE": "C:\\ProgramData",
    "PUBLIC": "C:\\Users\\Public",
}
DEFAULT_PATHS = {
    "%SystemDrive%\\inetpub\\ftproot": "/srv/ftp",
    "%SystemDrive%\\inetpub\\logs": "/var/log/iisftp",
    "%SystemDrive%\\inetpub": "/srv/inetpub",
}
DEFAULT_FALLBACK_ROOT = "/srv/iisftp"
# Ports below 1024 need root; these are the non-privileged stand-ins.
DEFAULT_PORTS = {21: 2121, 990: 9990}
UNPRIVILEGED_OFFSET = 10000

_VARIABLE = re.compile(r"%([^%\\/]+)%")


@dataclass(frozen=True)
class CertSource:
    file: Path
    password_env: str = ""  # name of an environment variable holding the PFX password


@dataclass(frozen=True)
class PathResult:
    local: str
    rule: str
    guessed: bool = False  # no explicit or default rule matched: a fallback was used
    unknown_variables: tuple[str, ...] = ()


@dataclass
class MigrationMapping:
    paths: dict[str, str] = field(default_factory=dict)
    addresses: dict[str, str] = field(default_factory=dict)
    ports: dict[int, int] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)
    certificates: dict[str, CertSource] = field(default_factory=dict)
    fallback_root: str = DEFAULT_FALLBACK_ROOT
    origin: str = "--map"  # shown as the rule for entries from this mapping
    # (table, key) -> where that entry came from, for entries merged from elsewhere
    rule_of: dict[tuple[str, str], str] = field(default_factory=dict)

    def rule(self, table: str, key: object) -> str:
        return self.rule_of.get((table, str(key)), self.origin)

    def _rules(self) -> dict[tuple[str, str], str]:
        tables = ("paths", "addresses", "ports", "accounts", "certificates")
        return {(t, str(k)): self.rule(t, k) for t in tables for k in getattr(self, t)}

    def merged(self, other: MigrationMapping) -> MigrationMapping:
        """This mapping with `other`'s entries on top (each entry keeps its origin)."""
        return MigrationMapping(
            paths={**self.paths, **other.paths},
            addresses={**self.addresses, **other.addresses},
            ports={**self.ports, **other.ports},
            accounts={**self.accounts, **other.accounts},
            certificates={**self.certificates, **other.certificates},
            fallback_root=other.fallback_root
            if other.fallback_root != DEFAULT_FALLBACK_ROOT
            else self.fallback_root,
            origin=other.origin,
            rule_of={**self._rules(), **other._rules()},
        )

    # --- paths -----------------------------------------------------------------------

    def resolve_path(self, raw: str) -> PathResult:
        """A local path for a Windows path such as `%SystemDrive%\\inetpub\\ftproot\\x`."""
        if raw.startswith("/"):
            return PathResult(raw, "already a local path")
        norm = _normalize(raw)
        unknown = tuple(
            m.group(1)
            for m in _VARIABLE.finditer(norm)
            if m.group(1).upper() not in WINDOWS_VARIABLES
        )
        for rules in (self.paths, DEFAULT_PATHS):
            found = _longest_rule(norm, rules)
            if found is not None:
                key, rest = found
                rule = self.rule("paths", key) if rules is self.paths else "default"
                return PathResult(_join(rules[key], rest), f"{rule}: {key}")
        return PathResult(self._fallback(norm), "fallback", True, unknown)

    def _fallback(self, norm: str) -> str:
        root = self.fallback_root.rstrip("/") or "/"
        if norm.startswith("\\\\"):
            return _join(f"{root}/unc", norm[2:])
        drive = re.match(r"([A-Za-z]):(\\|$)", norm)
        if drive:
            return _join(f"{root}/{drive.group(1).lower()}", norm[3:])
        variable = _VARIABLE.match(norm)
        if variable:
            return _join(f"{root}/{variable.group(1)}", norm[variable.end() :].lstrip("\\"))
        return _join(root, norm)

    # --- addresses and ports -----------------------------------------------------------

    def resolve_address(self, ip: str) -> tuple[str, str]:
        """(local address or "*", rule). Addresses this host has are kept."""
        if ip in ("*", ""):
            return "*", "unchanged"
        for key, value in self.addresses.items():
            if _same_ip(key, ip):
                return value, self.rule("addresses", key)
        if is_local_address(ip):
            return ip, "unchanged (address is on this host)"
        return "*", "default: address is not on this host"

    def resolve_port(self, port: int, privileged: bool) -> tuple[int, str]:
        if port in self.ports:
            return self.ports[port], self.rule("ports", port)
        if port < 1024 and port != 0 and not privileged:
            target = DEFAULT_PORTS.get(port, port + UNPRIVILEGED_OFFSET)
            return target, "default: ports below 1024 need root"
        return port, "unchanged"

    # --- accounts ----------------------------------------------------------------------

    def resolve_account(self, name: str) -> tuple[str, str]:
        """An iisftp user or role name for a Windows account or group."""
        folded = {k.casefold(): k for k in self.accounts}
        short = name.rsplit("\\", 1)[-1]
        if "@" in short and "\\" not in name:
            short = short.split("@", 1)[0]
        for candidate in (name, short):
            key = folded.get(candidate.casefold())
            if key is not None:
                return self.accounts[key], self.rule("accounts", key)
        if short != name:
            return short, "default: domain removed"
        return name, "unchanged"

    def certificate(self, thumbprint: str) -> CertSource | None:
        folded = {_thumb(k): v for k, v in self.certificates.items()}
        return folded.get(_thumb(thumbprint))


def is_local_address(ip: str) -> bool:
    """True when this host can listen on `ip` (it is assigned to an interface)."""
    try:
        family = socket.AF_INET6 if ipaddress.ip_address(ip).version == 6 else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.bind((ip, 0))
        return True
    except (OSError, ValueError):
        return False


def _same_ip(a: str, b: str) -> bool:
    try:
        return ipaddress.ip_address(a.strip("[]")) == ipaddress.ip_address(b.strip("[]"))
    except ValueError:
        return a == b


def _thumb(value: str) -> str:
    return re.sub(r"[\s:]", "", value).upper()


def _normalize(path: str) -> str:
    """Windows path in one spelling: known variables expanded, `\\` separators, no trailing `\\`."""

    def expand(m: re.Match[str]) -> str:
        return WINDOWS_VARIABLES.get(m.group(1).upper(), m.group(0))

    text = _VARIABLE.sub(expand, path.strip()).replace("/", "\\")
    unc = text.startswith("\\\\")
    text = re.sub(r"\\{2,}", "\\\\", text)
    if unc:
        text = "\\" + text
    return text.rstrip("\\") if len(text) > 3 else text


def _longest_rule(norm: str, rules: Mapping[str, str]) -> tuple[str, str] | None:
    """(rule key, rest of the path) for the longest rule `norm` lies under."""
    for key in sorted(rules, key=lambda k: -len(_normalize(k))):
        rest = _under(norm, _normalize(key))
        if rest is not None:
            return key, rest
    return None


def _under(path: str, prefix: str) -> str | None:
    """The rest of `path` below `prefix` (case-insensitive, whole segments), or None."""
    p, q = path.casefold(), prefix.casefold().rstrip("\\")
    if p == q:
        return ""
    if p.startswith(q + "\\"):
        return path[len(q) + 1 :]
    return None


def _join(base: str, rest: str) -> str:
    parts = [s for s in rest.split("\\") if s not in ("", ".")]
    if ".." in parts:  # never let a Windows path climb out of the mapped folder
        parts = [s for s in parts if s != ".."]
    return str(PurePosixPath(base, *parts))


# --- loading -------------------------------------------------------------------------------


def parse_pairs(values: Iterable[str], option: str) -> dict[str, str]:
    """`KEY=VALUE` command-line pairs into a dict."""
    pairs: dict[str, str] = {}
    for value in values:
        key, sep, target = value.partition("=")
        if not sep or not key.strip():
            raise UsageError(
                f"{option} {value!r} is not FROM=TO", f"write e.g. {option} 'C:\\ftp=/srv/ftp'"
            )
        pairs[key.strip()] = target.strip()
    return pairs


def parse_ports(pairs: Mapping[str, object], where: str) -> dict[int, int]:
    ports: dict[int, int] = {}
    for key, value in pairs.items():
        try:
            src, dst = int(str(key)), int(str(value))
        except ValueError:
            raise UsageError(
                f"{where}: port mapping {key}={value} is not numbers", "write e.g. 21=2121"
            ) from None
        if not (0 <= src <= 65535 and 0 <= dst <= 65535):
            raise UsageError(f"{where}: port {key}={value} is out of range", "ports are 0-65535")
        ports[src] = dst
    return ports


def load_mapping(path: Path) -> MigrationMapping:
    """Read a TOML mapping file (format in docs/migrating.md)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(
            f"cannot read the mapping file: {exc.strerror}", "check the path", Location(str(path))
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(
            f"the mapping file is not valid TOML: {exc}", "fix the syntax", Location(str(path))
        ) from None
    known = {"paths", "addresses", "ports", "accounts", "certificates", "options"}
    for key, value in data.items():
        if key not in known or not isinstance(value, dict):
            raise UsageError(
                f"unknown table [{key}]" if key not in known else f"[{key}] must be a table",
                "use [paths], [addresses], [ports], [accounts], [certificates], [options]",
                Location(str(path)),
            )
    where = str(path)
    tables = {
        name: _strings(data.get(name, {}), name, where)
        for name in ("paths", "addresses", "accounts")
    }
    options = data.get("options", {})
    fallback = options.get("fallback_root", DEFAULT_FALLBACK_ROOT)
    if not isinstance(fallback, str) or not fallback.startswith("/"):
        raise UsageError(
            f"{where}: [options] fallback_root must be an absolute path", "e.g. /srv/iisftp"
        )
    return MigrationMapping(
        paths=tables["paths"],
        addresses=tables["addresses"],
        ports=parse_ports(data.get("ports", {}), where),
        accounts=tables["accounts"],
        certificates=_certificates(data.get("certificates", {}), Path(path).parent, where),
        fallback_root=fallback,
        origin=f"mapping file {Path(path).name}",
    )


def _strings(table: Mapping[str, object], name: str, where: str) -> dict[str, str]:
    for key, value in table.items():
        if not isinstance(value, str):
            raise UsageError(
                f"{where}: [{name}] {key!r} must map to a string", 'e.g. "C:\\\\ftp" = "/srv/ftp"'
            )
    return {k: str(v) for k, v in table.items()}


def _certificates(table: Mapping[str, object], base: Path, where: str) -> dict[str, CertSource]:
    certs: dict[str, CertSource] = {}
    for thumb, value in table.items():
        if isinstance(value, str):
            certs[thumb] = CertSource(base / value)
        elif isinstance(value, dict) and isinstance(value.get("file"), str):
            certs[thumb] = CertSource(base / value["file"], str(value.get("password_env", "")))
        else:
            raise UsageError(
                f"{where}: [certificates] {thumb!r} must be a file name or "
                "{ file = ..., password_env = ... }",
                'e.g. "57686F61..." = "ftp.pfx"',
            )
    return certs
