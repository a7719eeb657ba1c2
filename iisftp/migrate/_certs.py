"""Certificates for migrated FTPS sites: thumbprint -> PFX/PEM file -> iisftp's store.

A site's `ssl/@serverCertHash` names a certificate in a Windows store. It carries
over when a file holding that certificate (with its key) is given with `--cert
THUMBPRINT=FILE` / `[certificates]`, or lies in an exported configuration
folder; it is imported with `iisftp.certs.CertStore`. Otherwise it is reported.

Distrusts: certificate files (parsed by iisftp.certs, first into a scratch store);
a file whose certificate does not have the configured thumbprint is refused and
never reaches the configuration folder's store.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from iisftp.certs import CertStore, normalize_thumbprint
from iisftp.errors import IisftpError
from iisftp.migrate._mapping import MigrationMapping
from iisftp.migrate._report import Report
from iisftp.migrate._sources import Source

__all__ = ["settle_certificates"]


def settle_certificates(
    wanted: list[tuple[str, str, str]],
    sources: list[Source],
    mapping: MigrationMapping,
    store_root: Path,
    report: Report,
    *,
    dry_run: bool,
    pfx_password: bytes | None,
) -> None:
    """Import or report each (thumbprint, store name, site label) the output uses."""
    store = CertStore(store_root)
    seen: set[tuple[str, str]] = set()
    found_in_files: dict[str, Path] | None = None
    for raw, store_name, label in wanted:
        try:
            thumb = normalize_thumbprint(raw)
        except (IisftpError, ValueError):
            report.add(
                "error",
                "bad-thumbprint",
                f"{label}: serverCertHash {raw!r} is not a SHA-1 thumbprint",
                hint="fix it with `iisftp config set`",
            )
            continue
        if (thumb, store_name.casefold()) in seen:
            continue
        seen.add((thumb, store_name.casefold()))
        if store.find(thumb, store_name) is not None:
            report.add(
                "info",
                "certificate-present",
                f"{label}: certificate {thumb} is already in store {store_name}",
            )
            continue
        given = mapping.certificate(thumb)
        if given is not None:
            password = (
                os.environ.get(given.password_env, "").encode()
                if given.password_env
                else pfx_password
            )
            _import(
                store,
                thumb,
                store_name,
                given.file,
                password,
                "--cert / [certificates]",
                report,
                dry_run,
            )
            continue
        if found_in_files is None:
            found_in_files = _thumbprints_of(
                [s for s in sources if s.kind in ("pfx", "pem")], pfx_password, report
            )
        if thumb in found_in_files:
            _import(
                store,
                thumb,
                store_name,
                found_in_files[thumb],
                pfx_password,
                "found in the export",
                report,
                dry_run,
            )
            continue
        report.add(
            "warning",
            "missing-certificate",
            f"{label}: certificate {thumb} (store {store_name}) was not given; "
            "FTPS cannot start without it",
            hint="export it with its private key as a PFX on Windows, then rerun with "
            f"--cert {thumb}=FILE.pfx or run `iisftp cert import FILE.pfx --store {store_name}`",
        )


def _import(
    store: CertStore,
    thumb: str,
    store_name: str,
    file: Path,
    password: bytes | None,
    rule: str,
    report: Report,
    dry_run: bool,
) -> None:
    """Check the file in a scratch store first, so a wrong file never reaches the store."""
    report.map("certificate", thumb, str(file), rule)
    try:
        got = _thumbprint(file, password)
    except IisftpError as exc:
        report.add(
            "error",
            "certificate-import",
            f"certificate {thumb}: cannot read {file}: {exc}",
            hint="check the file and give its password with --pfx-password-env VAR",
        )
        return
    if got != thumb:
        report.add(
            "error",
            "certificate-mismatch",
            f"{file} holds certificate {got}, not {thumb}; not imported",
            hint=f"give the PFX exported from certificate {thumb}",
        )
        return
    if not dry_run:
        store.import_file(file, password, store_name=store_name)
        report.certificates_imported.append(f"{thumb} ({store_name})")


def _thumbprint(file: Path, password: bytes | None) -> str:
    with tempfile.TemporaryDirectory(prefix="iisftp-migrate-") as tmp:
        return CertStore(Path(tmp)).import_file(file, password).certificate.thumbprint


def _thumbprints_of(files: list[Source], password: bytes | None, report: Report) -> dict[str, Path]:
    """Thumbprint -> file, for certificate files found in exported folders."""
    found: dict[str, Path] = {}
    for source in files:
        try:
            found[_thumbprint(source.path, password)] = source.path
        except IisftpError as exc:
            report.add(
                "info",
                "certificate-unreadable",
                f"{source.path}: {exc}",
                hint="give its password with --pfx-password-env VAR",
            )
    return found
