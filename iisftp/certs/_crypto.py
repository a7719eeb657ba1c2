"""Reading the certificate files people hand us, and making self-signed ones.

Distrusts every imported file: it may be garbage, truncated, a PFX with the
wrong password, an encrypted key without one, or a key that belongs to a
different certificate. Each case gets its own error so the user knows which.
"""

from __future__ import annotations

import datetime as dt
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from iisftp.certs._model import parse_san_entry
from iisftp.errors import UsageError
from iisftp.fsutil import read_bounded

__all__ = ["Bundle", "PrivateKey", "load_bundle", "make_self_signed"]

PrivateKey = (
    rsa.RSAPrivateKey
    | ec.EllipticCurvePrivateKey
    | ed25519.Ed25519PrivateKey
    | ed448.Ed448PrivateKey
)
MAX_FILE_BYTES = 1 << 20  # a PFX with a long chain is a few KiB; anything huge is not one
_FILE_HINT = "give a PFX/PKCS#12 file (.pfx, .p12) or a PEM certificate (with --key if separate)"


@dataclass(frozen=True)
class Bundle:
    chain: tuple[x509.Certificate, ...]  # leaf first
    key: PrivateKey | None
    friendly_name: str | None = None

    @property
    def leaf(self) -> x509.Certificate:
        return self.chain[0]


def load_bundle(path: Path, password: bytes | None = None, key_path: Path | None = None) -> Bundle:
    """Certificate chain and (optional) private key from PFX, PEM or DER files."""
    data = read_bounded(path, MAX_FILE_BYTES)
    if b"-----BEGIN" in data:
        bundle = _from_pem(data, password, path)
    else:
        try:
            bundle = Bundle((x509.load_der_x509_certificate(data),), None)
        except ValueError:
            bundle = _from_pkcs12(data, password, path)
    if key_path is not None:
        if bundle.key is not None:
            raise UsageError(f"{path}: already contains a private key", "leave out --key")
        key_data = read_bounded(key_path, MAX_FILE_BYTES)
        bundle = Bundle(bundle.chain, _load_key(key_data, password, key_path), bundle.friendly_name)
    return _leaf_first(bundle, key_path or path)


def _from_pkcs12(data: bytes, password: bytes | None, path: Path) -> Bundle:
    # Windows often exports "no password" PFX files encrypted with the empty password.
    attempts = [password] if password is not None else [None, b""]
    for attempt in attempts:
        try:
            parsed = pkcs12.load_pkcs12(data, attempt)
            break
        except ValueError as exc:
            failure = str(exc)
    else:
        if "password" not in failure.lower():
            raise UsageError(f"{path}: not a certificate file (unreadable or damaged)", _FILE_HINT)
        if password is None:
            raise UsageError(
                f"{path}: the PFX file is password-protected",
                "give its password with --password-stdin or --password-file",
            )
        raise UsageError(f"{path}: wrong password for the PFX file", "check the password")
    if parsed.cert is None:
        raise UsageError(f"{path}: the PFX file holds no certificate", _FILE_HINT)
    chain = (parsed.cert.certificate, *(c.certificate for c in parsed.additional_certs))
    name = parsed.cert.friendly_name
    friendly = name.decode("utf-8", "replace") if name else None
    return Bundle(chain, _usable_key(parsed.key, path), friendly)


def _from_pem(data: bytes, password: bytes | None, path: Path) -> Bundle:
    if b"CERTIFICATE-----" not in data:
        raise UsageError(
            f"{path}: holds no certificate",
            "pass the certificate as FILE and a separate key file with --key",
        )
    try:
        chain = tuple(x509.load_pem_x509_certificates(data))
    except ValueError as exc:
        raise UsageError(f"{path}: damaged PEM certificate ({exc})", _FILE_HINT) from None
    key = _load_key(data, password, path) if b"PRIVATE KEY-----" in data else None
    return Bundle(chain, key)


def _load_key(data: bytes, password: bytes | None, path: Path) -> PrivateKey:
    pem = b"-----BEGIN" in data
    loader = serialization.load_pem_private_key if pem else serialization.load_der_private_key
    try:
        try:
            key = loader(data, password)
        except TypeError:
            # "Password was given but private key is not encrypted" (or the reverse).
            if password is None:
                raise UsageError(
                    f"{path}: the private key is encrypted",
                    "give its password with --password-stdin or --password-file",
                ) from None
            key = loader(data, None)
    except ValueError:
        if password is not None:
            raise UsageError(
                f"{path}: cannot decrypt the private key", "check the password"
            ) from None
        raise UsageError(f"{path}: not a readable private key", "give a PEM or DER key") from None
    except UnsupportedAlgorithm as exc:
        raise UsageError(
            f"{path}: unsupported private key ({exc})", "use an RSA or EC key"
        ) from None
    return _usable_key(key, path)


def _usable_key(key: object, path: Path) -> PrivateKey | None:
    if key is None or isinstance(key, PrivateKey):
        return key
    raise UsageError(f"{path}: {type(key).__name__} keys cannot serve TLS", "use an RSA or EC key")


def _spki(obj: x509.Certificate | PrivateKey) -> bytes:
    public = obj.public_key()
    return public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _leaf_first(bundle: Bundle, where: Path) -> Bundle:
    """Put the certificate that matches the key first (PEM bundles are not always ordered)."""
    if bundle.key is None:
        return bundle
    want = _spki(bundle.key)
    for index, cert in enumerate(bundle.chain):
        if _spki(cert) == want:
            rest = bundle.chain[:index] + bundle.chain[index + 1 :]
            return Bundle((cert, *rest), bundle.key, bundle.friendly_name)
    raise UsageError(
        f"{where}: the private key does not belong to the certificate",
        "give the key that was generated with this certificate",
    )


def default_san_entries() -> list[str]:
    names = ["localhost", "127.0.0.1", "::1"]
    host = socket.gethostname().strip().lower()
    if host and host != "localhost":
        try:
            parse_san_entry(host)
            names.insert(0, host)
        except UsageError:
            pass  # a host name that is no DNS name is left out, not fatal
    return names


def make_self_signed(
    dns_names: tuple[str, ...] | list[str], key_type: str = "ec", days: int = 365
) -> Bundle:
    """A server certificate for FTPS: SANs, serverAuth EKU, CN = first name."""
    if not 1 <= days <= 36500:
        raise UsageError(f"--days {days} is out of range", "give 1 to 36500 days")
    entries = list(dns_names) or default_san_entries()
    sans: list[x509.GeneralName] = []
    for entry in entries:
        name = parse_san_entry(entry)
        if name not in sans:
            sans.append(name)
    if key_type == "ec":
        key: PrivateKey = ec.generate_private_key(ec.SECP256R1())
        usage = {"digital_signature": True, "key_encipherment": False}
    elif key_type == "rsa":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        usage = {"digital_signature": True, "key_encipherment": True}
    else:
        raise UsageError(f"unknown key type {key_type!r}", "use ec (default) or rsa")
    common_name = str(sans[0].value)[:64]
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(int.from_bytes(secrets.token_bytes(16), "big") >> 1)
        .not_valid_before(now - dt.timedelta(minutes=5))  # tolerate small clock skew
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                content_commitment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
                **usage,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Bundle((cert,), key)


def chain_pem(chain: tuple[x509.Certificate, ...]) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain)


def key_pem(key: PrivateKey, password: bytes | None = None) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, _encryption(password)
    )


def pfx_bytes(bundle: Bundle, name: str, password: bytes | None) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        name.encode("utf-8") or None,
        bundle.key,
        bundle.leaf,
        list(bundle.chain[1:]) or None,
        _encryption(password),
    )


def _encryption(password: bytes | None) -> serialization.KeySerializationEncryption:
    # BestAvailableEncryption picks PBES2/AES-256 today; very old Windows only reads 3DES PFX.
    if password:
        return serialization.BestAvailableEncryption(password)
    return serialization.NoEncryption()
