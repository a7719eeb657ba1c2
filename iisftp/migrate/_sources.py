"""Reading migration sources and telling them apart by content, never by file name.

A SOURCE is a file or an exported configuration folder. Each file is read once
(read-only) and classified: applicationHost.config, an appcmd `/config /xml`
export, a bare `<site>` fragment, administration.config, a PFX or PEM
certificate, or something we do not use (reported).

Distrusts: every input byte. XML goes through iisftp.xmldoc (safe parse, size
limit, UTF-16 and odd newlines handled there); binary files are only sniffed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from iisftp.errors import ConfigError
from iisftp.xmldoc import Document

__all__ = ["Source", "read_sources"]

MAX_FILE = 64 * 1024 * 1024

# Kinds that carry FTP sites.
SITE_KINDS = ("apphost", "appcmd-sites", "site-fragment")


@dataclass
class Source:
    path: Path
    kind: str  # apphost | appcmd-sites | appcmd-other | site-fragment | administration |
    #            redirection | other-xml | pfx | pem | unreadable | unknown
    doc: Document | None = None
    detail: str = ""
    data: bytes = b""

    def describe(self) -> str:
        return f"{self.path} ({self.kind}{': ' + self.detail if self.detail else ''})"


def read_sources(paths: list[Path]) -> list[Source]:
    """Every file named or inside a named folder (one level of sub-folders), classified."""
    found: list[Source] = []
    for path in paths:
        if path.is_dir():
            files = sorted(
                p for p in path.rglob("*") if p.is_file() and len(p.relative_to(path).parts) <= 2
            )
            found.extend(_classify(p) for p in files)
        elif path.exists():
            found.append(_classify(path))
        else:
            found.append(Source(path, "unreadable", detail="no such file or folder"))
    return found


def _classify(path: Path) -> Source:
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE + 1)
    except OSError as exc:
        return Source(path, "unreadable", detail=exc.strerror or str(exc))
    if len(data) > MAX_FILE:
        return Source(path, "unreadable", detail=f"larger than {MAX_FILE // 2**20} MiB")
    if _looks_like_xml(data):
        try:
            doc = Document.from_bytes(data, str(path))
        except ConfigError as exc:
            return Source(path, "unreadable", detail=str(exc))
        kind, detail = _xml_kind(doc)
        return Source(path, kind, doc, detail)
    if data.lstrip().startswith(b"-----BEGIN"):
        return Source(path, "pem", detail="PEM certificate or key", data=data)
    if _looks_like_pkcs12(data):
        return Source(path, "pfx", detail="PKCS#12 certificate", data=data)
    return Source(path, "unknown", detail="not a configuration file or certificate")


def _looks_like_xml(data: bytes) -> bool:
    head = data[:4]
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    # UTF-16 without a BOM starts "<\0" (LE) or "\0<" (BE).
    return data.lstrip()[:1] == b"<" or data[:2] in (b"<\0", b"\0<")


def _looks_like_pkcs12(data: bytes) -> bool:
    # PFX = SEQUENCE { version INTEGER 3, ContentInfo { OID pkcs7-data ... } ... }
    return (
        data[:1] == b"\x30"
        and b"\x02\x01\x03" in data[:8]
        and b"\x2a\x86\x48\x86\xf7\x0d\x01\x07" in data[:40]
    )


def _xml_kind(doc: Document) -> tuple[str, str]:
    root = doc.root
    children = [c.tag for c in root if isinstance(c.tag, str)]
    if root.tag == "appcmd":
        sites = [c for c in root if c.tag == "SITE"]
        if sites:
            with_config = sum(1 for s in sites if s.find("site") is not None)
            return (
                "appcmd-sites",
                f"appcmd export of {len(sites)} site(s), {with_config} with /config",
            )
        kinds = sorted({c for c in children})
        return "appcmd-other", "appcmd export of " + (", ".join(kinds) or "nothing")
    if root.tag == "site":
        return "site-fragment", f"a bare <site> element '{root.get('name', '')}'"
    if root.tag == "configuration":
        if "system.applicationHost" in children:
            return "apphost", "applicationHost.config"
        if "configurationRedirection" in children:
            return "redirection", "redirection.config (shared configuration pointer)"
        if "moduleProviders" in children or root.find("system.webServer/management") is not None:
            return "administration", "administration.config"
        return "other-xml", "a configuration file without sites"
    return "other-xml", f"XML with root <{root.tag}>"
