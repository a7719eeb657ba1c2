"""What a stored certificate looks like to callers, and thumbprint rules.

Thumbprints arrive from applicationHost.config (`serverCertHash`) and the
command line, so they are distrusted: only 40 hex digits survive
normalisation, which also keeps them safe to use as file names.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from iisftp.errors import UsageError

__all__ = ["StoredCertificate", "describe", "normalize_thumbprint", "thumbprint_of"]

# IIS-COMPAT: thumbprints copied from the Windows certificate dialog carry spaces and often
# an invisible U+200E LEFT-TO-RIGHT MARK at the start; IIS wants them removed and uppercased
# (config-reference.md §2 "Uppercase thumbprint"). We accept what people paste.
_IGNORED = re.compile(r"[\s:\u200e\u200f\ufeff]+")
_HEX40 = re.compile(r"[0-9A-F]{40}")


def normalize_thumbprint(raw: str) -> str:
    """Return the uppercase 40-hex-digit form of a SHA-1 thumbprint, or raise UsageError."""
    value = _IGNORED.sub("", raw).upper()
    if not _HEX40.fullmatch(value):
        shown = raw if len(raw) <= 80 else raw[:77] + "..."
        raise UsageError(
            f"{shown!r} is not a certificate thumbprint",
            "give the 40 hex digits of the SHA-1 thumbprint (`iisftp cert list` shows them)",
        )
    return value


def thumbprint_of(cert: x509.Certificate) -> str:
    """SHA-1 over the DER certificate, uppercase hex: exactly what serverCertHash holds."""
    return cert.fingerprint(hashes.SHA1()).hex().upper()  # an identifier, not a security check


@dataclass(frozen=True)
class StoredCertificate:
    """One certificate in the store, as read from disk (times are aware UTC datetimes)."""

    thumbprint: str  # uppercase SHA-1 hex of the DER certificate = serverCertHash
    friendly_name: str
    subject: str  # RFC 4514, e.g. "CN=ftp.example.com"
    issuer: str
    sans: tuple[str, ...]  # "DNS:name" / "IP:address"
    not_before: dt.datetime
    not_after: dt.datetime
    cert_file: Path  # PEM chain, leaf first
    key_file: Path | None  # PKCS#8 PEM, mode 0600; None when only the certificate is stored
    store_name: str  # the folder's spelling, e.g. "MY"

    @property
    def has_private_key(self) -> bool:
        return self.key_file is not None

    @property
    def expired(self) -> bool:
        return self.not_after < _now()

    @property
    def not_yet_valid(self) -> bool:
        return self.not_before > _now()

    def warnings(self) -> list[str]:
        """Things worth telling the user that do not stop the certificate being stored."""
        found = []
        if self.expired:
            found.append(
                f"certificate {self.thumbprint} expired on {self.not_after:%Y-%m-%d %H:%M} UTC; "
                "FTPS clients that check dates will refuse it"
            )
        if self.not_yet_valid:
            found.append(
                f"certificate {self.thumbprint} is not valid until "
                f"{self.not_before:%Y-%m-%d %H:%M} UTC; check the clock"
            )
        if not self.has_private_key:
            found.append(
                f"certificate {self.thumbprint} has no private key; a site cannot serve FTPS with "
                "it (import it again with its key)"
            )
        return found

    def to_json(self) -> dict[str, object]:
        return {
            "thumbprint": self.thumbprint,
            "store": self.store_name,
            "friendly_name": self.friendly_name,
            "subject": self.subject,
            "issuer": self.issuer,
            "sans": list(self.sans),
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "has_private_key": self.has_private_key,
            "expired": self.expired,
            "cert_file": str(self.cert_file),
            "key_file": str(self.key_file) if self.key_file else None,
        }


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def sans_of(cert: x509.Certificate) -> tuple[str, ...]:
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return ()
    names: list[str] = [f"DNS:{n}" for n in ext.get_values_for_type(x509.DNSName)]
    names += [f"IP:{ip}" for ip in ext.get_values_for_type(x509.IPAddress)]
    return tuple(names)


def describe(
    cert: x509.Certificate,
    *,
    friendly_name: str,
    cert_file: Path,
    key_file: Path | None,
    store_name: str,
) -> StoredCertificate:
    return StoredCertificate(
        thumbprint=thumbprint_of(cert),
        friendly_name=friendly_name,
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        sans=sans_of(cert),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        cert_file=cert_file,
        key_file=key_file,
        store_name=store_name,
    )


def parse_san_entry(entry: str) -> x509.GeneralName:
    """`example.com`, `*.example.com` or an IP address (optionally prefixed DNS: or IP:)."""
    kind, text = "", entry.strip()
    head, sep, rest = text.partition(":")
    if sep and head.upper() in ("DNS", "IP"):
        kind, text = head.upper(), rest.strip()
    if kind != "DNS":
        try:
            return x509.IPAddress(ipaddress.ip_address(text))
        except ValueError:
            if kind == "IP":
                raise UsageError(f"{entry!r} is not an IP address", "write IP:192.0.2.1") from None
    if not re.fullmatch(r"(\*\.)?[A-Za-z0-9_]([A-Za-z0-9_.-]{0,251}[A-Za-z0-9_])?", text):
        raise UsageError(
            f"{entry!r} is not a DNS name or IP address",
            "use names like ftp.example.com, *.example.com or 192.0.2.1",
        )
    return x509.DNSName(text.lower())
