"""Fixtures for the certificate store tests: a store in tmp_path and real certificate files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from iisftp.certs import CertStore

MakeCert = Callable[..., tuple[x509.Certificate, ec.EllipticCurvePrivateKey]]


@pytest.fixture
def store(tmp_path: Path) -> CertStore:
    return CertStore(tmp_path / "config" / "certs")


@pytest.fixture
def make_cert() -> MakeCert:
    """A real certificate signed by `issuer` (or self-signed), valid over the given days."""

    def make(
        cn: str = "ftp.example.com",
        *,
        start_days: float = -1,
        end_days: float = 30,
        issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None = None,
        ca: bool = False,
    ) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
        issuer_name, signer = (issuer[0].subject, issuer[1]) if issuer else (name, key)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(issuer_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now + dt.timedelta(days=start_days))
            .not_valid_after(now + dt.timedelta(days=end_days))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(cn)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .sign(signer, hashes.SHA256())
        )
        return cert, key

    return make
