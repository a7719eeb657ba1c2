"""`iisftp cert` commands: the certificate store FTPS sites point at.

A site names its certificate with `ftpServer/security/ssl/@serverCertHash`
(the thumbprint these commands print) and `@serverCertStoreName` (--store).
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from iisftp.certs import DEFAULT_STORE, CertStore, StoredCertificate
from iisftp.cli.options import ConfigOption, JsonOption, folder, print_table
from iisftp.cli.user import read_stdin_secret
from iisftp.errors import UsageError
from iisftp.fsutil import read_bounded

app = typer.Typer(
    help="Manage the certificate store that serverCertStoreName/serverCertHash refer to.",
    no_args_is_help=True,
)


class KeyType(StrEnum):
    ec = "ec"
    rsa = "rsa"


class ExportFormat(StrEnum):
    pfx = "pfx"
    pem = "pem"


StoreOption = Annotated[
    str,
    typer.Option(
        "--store",
        "-s",
        help="Certificate store (IIS serverCertStoreName), e.g. MY or WebHosting; "
        "case-insensitive.",
    ),
]
ThumbprintArg = Annotated[
    str, typer.Argument(help="SHA-1 thumbprint (serverCertHash); any case, spaces allowed.")
]
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
]


def _store(config: str | None) -> CertStore:
    return CertStore(folder(config).cert_dir)


def _warn(messages: list[str] | tuple[str, ...]) -> None:
    for message in messages:
        typer.echo(f"warning: {message}", err=True)


def _announce(cert: StoredCertificate, verb: str) -> None:
    """Thumbprint alone on stdout (for scripts); the how-to-use line on stderr."""
    typer.echo(cert.thumbprint)
    typer.echo(
        f"{verb} certificate {cert.thumbprint} in store {cert.store_name}; use it with "
        f'serverCertStoreName="{cert.store_name}" serverCertHash="{cert.thumbprint}"',
        err=True,
    )


@app.command("create-self-signed")
def create_self_signed(
    name: Annotated[str, typer.Option("--name", "-n", help="Friendly name shown by `cert list`.")],
    dns: Annotated[
        list[str] | None,
        typer.Option(
            "--dns",
            help="DNS name or IP address for the subjectAltName; repeatable "
            "(default: this host's name, localhost, 127.0.0.1, ::1).",
        ),
    ] = None,
    store: StoreOption = DEFAULT_STORE,
    key: Annotated[
        KeyType, typer.Option("--key", help="Key type: ec (P-256, fast handshakes) or rsa (2048).")
    ] = KeyType.ec,
    days: Annotated[int, typer.Option("--days", help="Validity in days.", min=1)] = 365,
    json_out: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Create a key and self-signed certificate; prints the thumbprint to use as serverCertHash."""
    cert = _store(config).create_self_signed(name, dns or (), store, key.value, days)
    if json_out:
        typer.echo(json.dumps(cert.to_json(), indent=2, ensure_ascii=False))
    else:
        _announce(cert, "created")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="PFX/PKCS#12 (.pfx, .p12), PEM or DER file.")],
    password_stdin: PasswordStdin = False,
    password_file: Annotated[
        Path | None,
        typer.Option("--password-file", help="Read the password from the first line of a file."),
    ] = None,
    key: Annotated[
        Path | None,
        typer.Option("--key", help="Private key file, when FILE holds only the certificate."),
    ] = None,
    store: StoreOption = DEFAULT_STORE,
    name: Annotated[
        str | None, typer.Option("--name", "-n", help="Friendly name (default: the PFX's own).")
    ] = None,
    json_out: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Import a certificate with its private key (importing it again changes nothing)."""
    if password_stdin and password_file:
        raise UsageError("give --password-stdin or --password-file, not both", "")
    password: str | None = None
    if password_stdin:
        password = read_stdin_secret()
    elif password_file is not None:
        lines = read_bounded(password_file, 64 * 1024).decode("utf-8").splitlines()
        password = lines[0] if lines else ""
    secret = password.encode("utf-8") if password is not None else None
    result = _store(config).import_file(file, secret, key, store, name)
    _warn(result.messages)
    if json_out:
        data = {**result.certificate.to_json(), "added": result.added}
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        _announce(result.certificate, "imported" if result.added else "found")


@app.command("list")
def list_certs(
    store: Annotated[
        str | None, typer.Option("--store", "-s", help="Only this store (default: every store).")
    ] = None,
    json_out: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """List certificates: thumbprint, friendly name, subject, SANs, expiry, key present."""
    certs = _store(config).list(store)
    if not certs and not json_out:
        where = f"store {store}" if store else "any store"
        typer.echo(f"no certificates in {where}; add one with `iisftp cert create-self-signed`"
                   " or `iisftp cert import`", err=True)  # fmt: skip
        return
    if json_out:
        typer.echo(json.dumps([c.to_json() for c in certs], indent=2, ensure_ascii=False))
    else:
        print_table(
            ("Store", "Thumbprint", "Friendly name", "Subject", "SANs", "Expires", "Key"),
            [
                (
                    c.store_name,
                    c.thumbprint,
                    c.friendly_name,
                    c.subject,
                    " ".join(c.sans),
                    f"[red]{_expiry(c)}[/red]" if c.expired else _expiry(c),
                    "key" if c.has_private_key else "[red]no-key[/red]",
                )
                for c in certs
            ],
        )


def _expiry(cert: StoredCertificate) -> str:
    text = f"{cert.not_after:%Y-%m-%d}"
    return f"{text} (expired)" if cert.expired else text


@app.command()
def export(
    thumbprint: ThumbprintArg,
    dest: Annotated[Path, typer.Argument(help="File to write.")],
    format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="pfx (PKCS#12) or pem (chain + key).")
    ] = ExportFormat.pfx,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Encrypt the private key with a password read from stdin (else unencrypted).",
        ),
    ] = False,
    no_key: Annotated[
        bool, typer.Option("--no-key", help="Export the certificate chain only, without the key.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite DEST if it exists.")] = False,
    store: StoreOption = DEFAULT_STORE,
    config: ConfigOption = None,
) -> None:
    """Export a certificate (with its key unless --no-key) to a PFX or PEM file."""
    secret = read_stdin_secret().encode("utf-8") if password_stdin else None
    if secret == b"":
        raise UsageError(
            "the export password is empty", "give a password, or leave out --password-stdin"
        )
    path = _store(config).export(
        thumbprint, dest, format.value, secret, store, include_key=not no_key, overwrite=force
    )
    if not no_key and secret is None:
        _warn([f"{path}: the private key is not password-protected (file mode 0600)"])
    typer.echo(f"exported to {path}")


@app.command()
def remove(
    thumbprint: ThumbprintArg, store: StoreOption = DEFAULT_STORE, config: ConfigOption = None
) -> None:
    """Delete a certificate and its private key from the store."""
    cert = _store(config).remove(thumbprint, store)
    typer.echo(
        f"removed certificate {cert.thumbprint} ({cert.friendly_name or cert.subject}) "
        f"from store {cert.store_name}"
    )
