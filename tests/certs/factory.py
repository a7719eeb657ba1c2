"""Serialisation helpers for test certificates (the fixtures live in conftest.py)."""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def key_pem(key: ec.EllipticCurvePrivateKey, password: bytes | None = None) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, _enc(password)
    )


def pfx(
    cert: x509.Certificate,
    key: ec.EllipticCurvePrivateKey | None,
    password: bytes | None,
    name: bytes | None = b"Imported Cert",
    cas: list[x509.Certificate] | None = None,
) -> bytes:
    return pkcs12.serialize_key_and_certificates(name, key, cert, cas, _enc(password))


def sha1_hex(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA1()).hex().upper()


def _enc(password: bytes | None) -> serialization.KeySerializationEncryption:
    if password:
        return serialization.BestAvailableEncryption(password)
    return serialization.NoEncryption()
