"""Safe loading of configuration bytes: encoding sniffing and a hardened lxml parse.

Security boundary: the input bytes are untrusted (a config file anyone may have
edited or handed us). Nothing here fetches anything: no DTD loading, no external
or internal entities (any DOCTYPE is rejected before lxml sees the bytes), no
network, a size cap, and lxml's default depth/text-size limits (huge_tree off).

Speed: an unedited document must cost little more than a bare lxml parse, so
UTF-8 input goes to lxml as bytes (lxml validates it); only other encodings are
decoded in Python and handed to lxml re-encoded as UTF-8.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from lxml import etree

from iisftp.errors import ConfigError, Location

__all__ = ["DEFAULT_MAX_SIZE", "Parsed", "check_size", "decode_text", "line_col", "parse_bytes"]

DEFAULT_MAX_SIZE = 64 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECL_ENCODING = re.compile(rb"""<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")


@dataclass
class Parsed:
    root: etree._Element
    encoding: str  # Python codec name of the file's bytes, e.g. "utf-8", "utf-16-le"
    bom: bytes  # the byte-order mark the file starts with (b"" if none)
    newline: str
    text: str | None  # decoded text without BOM; None for UTF-8 (decoded lazily on first edit)


def line_col(buf: bytes | str, pos: int) -> tuple[int, int]:
    """1-based line and column of `pos`, counting lines the way libxml2 does (LF only)."""
    nl = "\n" if isinstance(buf, str) else b"\n"
    line = buf.count(nl, 0, pos) + 1  # type: ignore[arg-type]
    return line, pos - (buf.rfind(nl, 0, pos) + 1) + 1  # type: ignore[arg-type]


def _sniff(data: bytes, where: str) -> tuple[str, bytes]:
    """The codec and BOM of `data`: BOM first, then UTF-16 without BOM, then the declaration."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, bom
    if data.startswith(b"<\x00"):
        return "utf-16-le", b""
    if data.startswith(b"\x00<"):
        return "utf-16-be", b""
    m = _DECL_ENCODING.match(data)
    if not m:
        return "utf-8", b""
    declared = m.group(1).decode("ascii")
    try:
        name = codecs.lookup(declared).name
    except LookupError:
        raise ConfigError(
            f"unknown encoding {declared!r} in the XML declaration",
            "save the file as UTF-8 (or UTF-16 with a byte-order mark)",
            Location(where, 1),
        ) from None
    # "utf-16"/"utf-32" without a BOM: the sniff above found no '<' in that encoding.
    return ("utf-8" if name.startswith(("utf-16", "utf-32")) else name), b""


def decode_text(body: bytes, encoding: str, where: str) -> str:
    """Decode the file body (BOM already removed); undecodable bytes are a ConfigError."""
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as exc:
        line, col = line_col(body, exc.start)
        raise ConfigError(
            f"bytes that are not valid {encoding} ({exc.reason})",
            f"save the file as {encoding.upper()} or fix the bytes there",
            Location(where, line, col),
        ) from None


def _newline(buf: bytes | str) -> str:
    """The file's line ending: whatever precedes its first LF (CR LF, CR CR LF, ...)."""
    lf, cr = ("\n", "\r") if isinstance(buf, str) else (b"\n", b"\r")
    i = buf.find(lf)  # type: ignore[arg-type]
    if i < 0:
        return "\r" if cr in buf else "\n"  # type: ignore[operator]
    j = i
    while j > 0 and buf[j - 1 : j] == cr:
        j -= 1
    return "\r" * (i - j) + "\n"


def _reject_doctype(xml: bytes, where: str) -> None:
    """Refuse any DOCTYPE (XXE, entity bombs, external DTDs) before lxml parses it."""
    pos = xml.find(b"<!DOCTYPE")
    while pos >= 0:
        # Only markup counts; the same text inside a comment or CDATA is harmless. A
        # CDATA opener inside a comment opens nothing. (lxml's docinfo is checked too.)
        cdata = xml.rfind(b"<![CDATA[", 0, pos)
        in_cdata = cdata > xml.rfind(b"]]>", 0, pos) and not _in_comment(xml, cdata)
        if not (_in_comment(xml, pos) or in_cdata):
            _doctype_error(where, *line_col(xml, pos))
        pos = xml.find(b"<!DOCTYPE", pos + 1)


def _in_comment(xml: bytes, pos: int) -> bool:
    return xml.rfind(b"<!--", 0, pos) > xml.rfind(b"-->", 0, pos)


def _doctype_error(where: str, line: int = 0, col: int = 0) -> None:
    raise ConfigError(
        "DOCTYPE/ENTITY declarations are not allowed in configuration files",
        "remove the <!DOCTYPE ...> block; IIS configuration never uses DTDs or entities",
        Location(where, line, col),
    )


def _parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parsers are not thread-safe.
    return etree.XMLParser(
        encoding="utf-8",  # we hand lxml UTF-8 only; overrides a wrong declaration (file 26)
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_comments=False,
        remove_pis=False,
        strip_cdata=False,
        collect_ids=False,
    )


def check_size(size: int, max_size: int, where: str) -> None:
    if size > max_size:
        raise ConfigError(
            f"file is {size} bytes, more than the {max_size}-byte limit",
            "configuration files this large are not supported; raise max_size if intended",
            Location(where),
        )


def parse_bytes(data: bytes, where: str, max_size: int = DEFAULT_MAX_SIZE) -> Parsed:
    """Parse configuration bytes safely; every problem is a ConfigError with a location."""
    check_size(len(data), max_size, where)
    encoding, bom = _sniff(data, where)
    body = data[len(bom) :] if bom else data
    if encoding == "utf-8":
        text, xml, newline = None, body, _newline(body)
    else:
        text = decode_text(body, encoding, where)
        xml, newline = text.encode("utf-8"), _newline(text)
    _reject_doctype(xml, where)
    try:
        root = etree.fromstring(xml, _parser())
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (exc.lineno or 0, 0)
        msg = re.sub(r",? line \d+, column \d+$", "", exc.msg or "syntax error")
        raise ConfigError(
            f"malformed XML: {msg}",
            "fix the markup there (unclosed or mismatched tag, stray '<' or '&')",
            Location(where, line or 0, col or 0),
        ) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # defence in depth
        _doctype_error(where)
    return Parsed(root=root, encoding=encoding, bom=bom, newline=newline, text=text)
