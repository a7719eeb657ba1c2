"""The certificate store: Windows' LocalMachine\\MY, as files on disk.

Layout under the configuration folder's `certs/`: one sub-folder per named
store (`MY`, `WebHosting`, ...; names match case-insensitively like Windows),
and per certificate `<THUMBPRINT>.pem` (chain, leaf first), `<THUMBPRINT>.key`
(PKCS#8 PEM, mode 0600 from creation) and `<THUMBPRINT>.json` (friendly name).

Distrusts: store names and thumbprints (they come from applicationHost.config
and the command line and become path components, so both are validated before
they touch the disk), and the files in the store (checked against their names).
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from iisftp.certs import _crypto
from iisftp.certs._model import StoredCertificate, describe, normalize_thumbprint, thumbprint_of
from iisftp.errors import IisftpError, Location, UsageError
from iisftp.fsutil import atomic_write, read_bounded

__all__ = ["DEFAULT_STORE", "CertStore", "ImportResult"]

DEFAULT_STORE = "MY"
_STORE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_CERT_FILE = re.compile(r"[0-9A-F]{40}\.pem")


@dataclass(frozen=True)
class ImportResult:
    certificate: StoredCertificate
    added: bool  # False when the certificate was already in the store (import is idempotent)
    messages: tuple[str, ...] = field(default=())


class CertStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # -- lookup ---------------------------------------------------------------------------

    def find(self, thumbprint: str, store_name: str = DEFAULT_STORE) -> StoredCertificate | None:
        """The certificate with this thumbprint (any case, spaces allowed), or None."""
        tp = normalize_thumbprint(thumbprint)
        folder = self._store_dir(store_name)
        if folder is None or not (folder / f"{tp}.pem").is_file():
            return None
        return self._load(folder, tp)

    def find_by_name(
        self, friendly_name: str, store_name: str | None = None
    ) -> StoredCertificate | None:
        """The certificate with this friendly name (case-insensitive), in one store or any.

        Windows allows several certificates with one friendly name; then this raises a
        UsageError that lists their thumbprints rather than guessing.
        """
        wanted = friendly_name.casefold()
        matches = [c for c in self.list(store_name) if c.friendly_name.casefold() == wanted]
        if len(matches) > 1:
            listed = ", ".join(f"{c.thumbprint} ({c.store_name})" for c in matches)
            raise UsageError(
                f"{len(matches)} certificates are named {friendly_name!r}: {listed}",
                "use the thumbprint instead",
            )
        return matches[0] if matches else None

    def list(self, store_name: str | None = None) -> list[StoredCertificate]:
        """Certificates in one store, or in every store when store_name is None."""
        if store_name is not None:
            folder = self._store_dir(store_name)
            folders = [folder] if folder is not None else []
        else:
            folders = [self.root / name for name in self.store_names()]
        found = []
        for folder in folders:
            for path in sorted(folder.iterdir()):
                if _CERT_FILE.fullmatch(path.name) and path.is_file():
                    found.append(self._load(folder, path.stem))
        found.sort(
            key=lambda c: (c.store_name.casefold(), c.friendly_name.casefold(), c.thumbprint)
        )
        return found

    def store_names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(
            (p.name for p in self.root.iterdir() if p.is_dir() and _STORE_NAME.fullmatch(p.name)),
            key=str.casefold,
        )

    # -- changes --------------------------------------------------------------------------

    def create_self_signed(
        self,
        friendly_name: str,
        dns_names: tuple[str, ...] | list[str] = (),
        store_name: str = DEFAULT_STORE,
        key_type: str = "ec",
        days: int = 365,
    ) -> StoredCertificate:
        """Generate a key and a self-signed server certificate and store both."""
        bundle = _crypto.make_self_signed(tuple(dns_names), key_type=key_type, days=days)
        return self._write(bundle, store_name, friendly_name)

    def import_file(
        self,
        path: Path,
        password: bytes | None = None,
        key_path: Path | None = None,
        store_name: str = DEFAULT_STORE,
        friendly_name: str | None = None,
    ) -> ImportResult:
        """Add a PFX/PKCS#12, PEM (certificate + key in one file or two) or DER certificate.

        Importing a certificate that is already stored changes nothing (or adds the
        private key if only the certificate was stored before).
        """
        bundle = _crypto.load_bundle(Path(path), password, Path(key_path) if key_path else None)
        tp = thumbprint_of(bundle.leaf)
        existing = self.find(tp, store_name)
        if existing is not None and (existing.has_private_key or bundle.key is None):
            note = f"certificate {tp} is already in store {existing.store_name}; nothing changed"
            return ImportResult(existing, False, (note, *existing.warnings()))
        default_name = existing.friendly_name if existing else (bundle.friendly_name or "")
        name = friendly_name if friendly_name is not None else default_name
        stored = self._write(bundle, store_name, name)
        notes: tuple[str, ...] = ()
        if existing is not None:
            notes = (f"added the private key to certificate {tp} in store {stored.store_name}",)
        return ImportResult(stored, True, (*notes, *stored.warnings()))

    def export(
        self,
        thumbprint: str,
        dest: Path,
        format: str = "pfx",  # mirrors the CLI option
        password: bytes | None = None,
        store_name: str = DEFAULT_STORE,
        include_key: bool = True,
        overwrite: bool = False,
    ) -> Path:
        """Write the certificate (and key) to `dest` as PFX or PEM; key files get mode 0600."""
        stored = self.require(thumbprint, store_name)
        if format not in ("pfx", "pem"):
            raise UsageError(f"unknown export format {format!r}", "use pfx or pem")
        dest = Path(dest)
        if dest.exists() and not overwrite:
            raise UsageError(f"{dest}: already exists", "choose another path or pass --force")
        if include_key and not stored.has_private_key:
            raise UsageError(
                f"certificate {stored.thumbprint} has no private key to export",
                "pass --no-key to export the certificate alone",
            )
        chain = self._chain(stored)
        key = self._key(stored) if include_key else None
        bundle = _crypto.Bundle(chain, key)
        if format == "pfx":
            data = _crypto.pfx_bytes(bundle, stored.friendly_name, password)
        else:
            data = _crypto.chain_pem(chain) + (_crypto.key_pem(key, password) if key else b"")
        atomic_write(dest, data, 0o600 if key is not None else 0o644)
        return dest

    def remove(self, thumbprint: str, store_name: str = DEFAULT_STORE) -> StoredCertificate:
        """Delete a certificate and its key; UsageError if it is not there."""
        stored = self.require(thumbprint, store_name)
        # The .pem goes first: once it is gone, find() no longer sees a half-removed entry.
        for suffix in (".pem", ".key", ".json"):
            with contextlib.suppress(FileNotFoundError):
                stored.cert_file.with_suffix(suffix).unlink()
        return stored

    def tls_files(self, store_name: str, thumbprint: str) -> tuple[Path, Path] | None:
        """(chain PEM, key PEM) for `ssl.SSLContext.load_cert_chain`, or None if the
        certificate or its key is missing. Argument order matches the server's
        `certificate(store_name, thumbprint)` callback, so `certificate=store.tls_files`."""
        found = self.find(thumbprint, store_name)
        if found is None or found.key_file is None:
            return None
        return found.cert_file, found.key_file

    def require(self, thumbprint: str, store_name: str = DEFAULT_STORE) -> StoredCertificate:
        """find() that raises a UsageError naming the store when nothing matches."""
        found = self.find(thumbprint, store_name)
        if found is None:
            tp = normalize_thumbprint(thumbprint)
            raise UsageError(
                f"no certificate {tp} in store {store_name}",
                "`iisftp cert list` shows the thumbprints in every store",
            )
        return found

    # -- files ----------------------------------------------------------------------------

    def _store_dir(self, store_name: str, create: bool = False) -> Path | None:
        if not _STORE_NAME.fullmatch(store_name):
            raise UsageError(
                f"{store_name!r} is not a certificate store name",
                "use letters, digits, '.', '_' or '-', such as MY or WebHosting",
            )
        # IIS-COMPAT: Windows store names are case-insensitive (serverCertStoreName="My" = "MY").
        for existing in self.store_names():
            if existing.casefold() == store_name.casefold():
                return self.root / existing
        if not create:
            return None
        folder = self.root / store_name
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return folder

    def _write(
        self, bundle: _crypto.Bundle, store_name: str, friendly_name: str
    ) -> StoredCertificate:
        folder = self._store_dir(store_name, create=True)
        assert folder is not None
        tp = thumbprint_of(bundle.leaf)
        # Key and metadata before the .pem, so a reader never sees a certificate without them.
        if bundle.key is not None:
            atomic_write(folder / f"{tp}.key", _crypto.key_pem(bundle.key), 0o600)
        meta = json.dumps({"friendly_name": friendly_name}, ensure_ascii=False).encode()
        atomic_write(folder / f"{tp}.json", meta + b"\n", 0o644)
        atomic_write(folder / f"{tp}.pem", _crypto.chain_pem(bundle.chain), 0o644)
        return self._load(folder, tp)

    def _load(self, folder: Path, tp: str) -> StoredCertificate:
        cert_file = folder / f"{tp}.pem"
        chain = _read_chain(cert_file)
        actual = thumbprint_of(chain[0])
        if actual != tp:
            raise IisftpError(
                f"{cert_file}: holds certificate {actual}, not {tp}",
                "the store was edited by hand; remove the file and import the certificate again",
                Location(str(cert_file)),
            )
        key_file = folder / f"{tp}.key"
        return describe(
            chain[0],
            friendly_name=_friendly_name(folder / f"{tp}.json"),
            cert_file=cert_file,
            key_file=key_file if key_file.is_file() else None,
            store_name=folder.name,
        )

    def _chain(self, stored: StoredCertificate) -> tuple[x509.Certificate, ...]:
        return _read_chain(stored.cert_file)

    def _key_bytes(self, stored: StoredCertificate) -> bytes:
        if stored.key_file is None:
            raise UsageError(f"certificate {stored.thumbprint} has no private key", "")
        return read_bounded(stored.key_file, _crypto.MAX_FILE_BYTES)

    def _key(self, stored: StoredCertificate) -> _crypto.PrivateKey:
        key = serialization.load_pem_private_key(self._key_bytes(stored), None)
        assert isinstance(key, _crypto.PrivateKey)
        return key


def _read_chain(cert_file: Path) -> tuple[x509.Certificate, ...]:
    try:
        return tuple(
            x509.load_pem_x509_certificates(read_bounded(cert_file, _crypto.MAX_FILE_BYTES))
        )
    except ValueError:
        raise IisftpError(
            f"{cert_file}: damaged certificate file",
            "remove it and import the certificate again",
            Location(str(cert_file)),
        ) from None


def _friendly_name(meta_file: Path) -> str:
    # Cosmetic metadata: a missing or damaged file only loses the friendly name.
    try:
        value = json.loads(meta_file.read_text(encoding="utf-8")).get("friendly_name", "")
    except (OSError, ValueError, AttributeError):
        return ""
    return value if isinstance(value, str) else ""
