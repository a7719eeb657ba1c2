"""Importing PFX/PEM/DER files (right, wrong and missing passwords, bad keys, garbage)
and exporting them back out, all with real files and real cryptography."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from iisftp.certs import CertStore
from iisftp.errors import UsageError

from .conftest import MakeCert
from .factory import key_pem, pem, pfx, sha1_hex


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_pfx_with_right_password(store: CertStore, make_cert: MakeCert, tmp_path: Path) -> None:
    cert, key = make_cert()
    path = _write(tmp_path, "site.pfx", pfx(cert, key, b"s3cret", name=b"Site Cert"))
    result = store.import_file(path, b"s3cret")
    stored = result.certificate
    assert result.added and stored.thumbprint == sha1_hex(cert)
    assert stored.friendly_name == "Site Cert"  # taken from the PFX
    assert stored.key_file is not None
    assert stat.S_IMODE(os.stat(stored.key_file).st_mode) == 0o600
    loaded = serialization.load_pem_private_key(stored.key_file.read_bytes(), None)
    assert loaded.private_numbers() == key.private_numbers()
    assert result.messages == ()


def test_pfx_wrong_and_missing_password(
    store: CertStore, make_cert: MakeCert, tmp_path: Path
) -> None:
    cert, key = make_cert()
    path = _write(tmp_path, "site.pfx", pfx(cert, key, b"s3cret"))
    with pytest.raises(UsageError, match="wrong password for the PFX file"):
        store.import_file(path, b"guess")
    with pytest.raises(UsageError, match="password-protected") as info:
        store.import_file(path)
    assert "--password-stdin" in info.value.hint
    assert store.list() == []


def test_pfx_without_password_and_name_override(
    store: CertStore, make_cert: MakeCert, tmp_path: Path
) -> None:
    cert, key = make_cert()
    path = _write(tmp_path, "open.p12", pfx(cert, key, None))
    stored = store.import_file(path, friendly_name="Mine", store_name="WebHosting").certificate
    assert stored.friendly_name == "Mine" and stored.store_name == "WebHosting"


def test_pfx_chain_is_stored_leaf_first(
    store: CertStore, make_cert: MakeCert, tmp_path: Path
) -> None:
    ca = make_cert("Test CA", ca=True)
    leaf, key = make_cert("leaf.example", issuer=ca)
    path = _write(tmp_path, "chain.pfx", pfx(leaf, key, b"pw", cas=[ca[0]]))
    stored = store.import_file(path, b"pw").certificate
    chain = x509.load_pem_x509_certificates(stored.cert_file.read_bytes())
    assert [sha1_hex(c) for c in chain] == [sha1_hex(leaf), sha1_hex(ca[0])]
    assert stored.issuer == "CN=Test CA"


def test_pem_one_file_out_of_order(store: CertStore, make_cert: MakeCert, tmp_path: Path) -> None:
    ca = make_cert("Test CA", ca=True)
    leaf, key = make_cert("leaf.example", issuer=ca)
    # CA first, then key, then leaf: the store works out which certificate the key belongs to.
    path = _write(tmp_path, "bundle.pem", pem(ca[0]) + key_pem(key) + pem(leaf))
    stored = store.import_file(path).certificate
    assert stored.thumbprint == sha1_hex(leaf) and stored.has_private_key


def test_pem_cert_and_encrypted_key_in_two_files(
    store: CertStore, make_cert: MakeCert, tmp_path: Path
) -> None:
    cert, key = make_cert()
    crt = _write(tmp_path, "site.crt", pem(cert))
    key_file = _write(tmp_path, "site.key", key_pem(key, b"kpw"))
    with pytest.raises(UsageError, match="private key is encrypted"):
        store.import_file(crt, key_path=key_file)
    with pytest.raises(UsageError, match="cannot decrypt the private key"):
        store.import_file(crt, b"nope", key_path=key_file)
    stored = store.import_file(crt, b"kpw", key_path=key_file).certificate
    assert stored.has_private_key


def test_pem_with_mismatched_key(store: CertStore, make_cert: MakeCert, tmp_path: Path) -> None:
    cert, _ = make_cert()
    _, other_key = make_cert("other.example")
    crt = _write(tmp_path, "site.crt", pem(cert))
    key_file = _write(tmp_path, "other.key", key_pem(other_key))
    with pytest.raises(UsageError, match="private key does not belong to the certificate"):
        store.import_file(crt, key_path=key_file)
    combined = _write(tmp_path, "both.pem", pem(cert) + key_pem(other_key))
    with pytest.raises(UsageError, match="does not belong"):
        store.import_file(combined)
    assert store.list() == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"this is not a certificate\n" * 10, "not a certificate file"),
        (b"", "not a certificate file"),
        (b"0\x82\x01\x00" + os.urandom(256), "not a certificate file"),
        (b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "damaged PEM"),
    ],
    ids=["text", "empty", "der-garbage", "pem-garbage"],
)
def test_garbage_file(store: CertStore, tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        store.import_file(_write(tmp_path, "junk.pfx", data))


def test_key_only_pem_and_missing_file(
    store: CertStore, make_cert: MakeCert, tmp_path: Path
) -> None:
    _, key = make_cert()
    with pytest.raises(UsageError, match="holds no certificate"):
        store.import_file(_write(tmp_path, "only.key", key_pem(key)))
    with pytest.raises(UsageError, match="file not found"):
        store.import_file(tmp_path / "missing.pfx")


def test_der_certificate_without_key(store: CertStore, make_cert: MakeCert, tmp_path: Path) -> None:
    cert, _ = make_cert()
    der = _write(tmp_path, "site.cer", cert.public_bytes(serialization.Encoding.DER))
    result = store.import_file(der)
    assert not result.certificate.has_private_key
    assert any("has no private key" in m for m in result.messages)


def test_expired_and_future_certificates_warn(
    store: CertStore, make_cert: MakeCert, tmp_path: Path
) -> None:
    old, old_key = make_cert("old.example", start_days=-60, end_days=-1)
    result = store.import_file(_write(tmp_path, "old.pem", pem(old) + key_pem(old_key)))
    assert result.added and result.certificate.expired
    assert any("expired on" in m for m in result.messages)

    new, new_key = make_cert("new.example", start_days=2, end_days=60)
    result = store.import_file(_write(tmp_path, "new.pem", pem(new) + key_pem(new_key)))
    assert result.certificate.not_yet_valid
    assert any("is not valid until" in m for m in result.messages)


def test_duplicate_import_is_idempotent(
    store: CertStore, make_cert: MakeCert, tmp_path: Path
) -> None:
    cert, key = make_cert()
    path = _write(tmp_path, "site.pem", pem(cert) + key_pem(key))
    first = store.import_file(path, friendly_name="first")
    before = {p.name: p.read_bytes() for p in (store.root / "MY").iterdir()}
    again = store.import_file(path, friendly_name="second")
    assert not again.added
    assert again.certificate.thumbprint == first.certificate.thumbprint
    assert any("already in store MY; nothing changed" in m for m in again.messages)
    assert {p.name: p.read_bytes() for p in (store.root / "MY").iterdir()} == before


def test_reimport_with_key_adds_the_key(
    store: CertStore, make_cert: MakeCert, tmp_path: Path
) -> None:
    cert, key = make_cert()
    store.import_file(_write(tmp_path, "c.pem", pem(cert)), friendly_name="keep me")
    result = store.import_file(_write(tmp_path, "ck.pem", pem(cert) + key_pem(key)))
    assert result.added and result.certificate.has_private_key
    assert result.certificate.friendly_name == "keep me"
    assert any("added the private key" in m for m in result.messages)


def test_export_pfx_round_trip(store: CertStore, tmp_path: Path) -> None:
    made = store.create_self_signed("Round Trip", ["rt.example"])
    dest = store.export(made.thumbprint, tmp_path / "out.pfx", password=b"exp")
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    parsed = pkcs12.load_pkcs12(dest.read_bytes(), b"exp")
    assert parsed.cert is not None and parsed.key is not None
    assert sha1_hex(parsed.cert.certificate) == made.thumbprint
    assert parsed.cert.friendly_name == b"Round Trip"
    with pytest.raises(ValueError):
        pkcs12.load_pkcs12(dest.read_bytes(), b"wrong")
    # And back in, into a fresh store.
    other = CertStore(tmp_path / "other")
    assert other.import_file(dest, b"exp").certificate.thumbprint == made.thumbprint


def test_export_pem_and_no_key(store: CertStore, tmp_path: Path) -> None:
    made = store.create_self_signed("p", ["p.example"])
    with_key = store.export(made.thumbprint, tmp_path / "full.pem", format="pem")
    assert b"PRIVATE KEY" in with_key.read_bytes()
    assert stat.S_IMODE(os.stat(with_key).st_mode) == 0o600
    public = store.export(made.thumbprint, tmp_path / "pub.pem", format="pem", include_key=False)
    assert b"PRIVATE KEY" not in public.read_bytes()
    assert stat.S_IMODE(os.stat(public).st_mode) == 0o644
    assert sha1_hex(x509.load_pem_x509_certificate(public.read_bytes())) == made.thumbprint


def test_export_errors(store: CertStore, make_cert: MakeCert, tmp_path: Path) -> None:
    made = store.create_self_signed("e", ["e.example"])
    dest = _write(tmp_path, "exists.pfx", b"keep")
    with pytest.raises(UsageError, match="already exists"):
        store.export(made.thumbprint, dest)
    assert dest.read_bytes() == b"keep"
    store.export(made.thumbprint, dest, overwrite=True)
    assert dest.read_bytes() != b"keep"
    with pytest.raises(UsageError, match="unknown export format"):
        store.export(made.thumbprint, tmp_path / "x", format="der")
    with pytest.raises(UsageError, match="no certificate"):
        store.export("A" * 40, tmp_path / "y.pfx")
    cert, _ = make_cert("nokey.example")
    keyless = store.import_file(_write(tmp_path, "nokey.pem", pem(cert))).certificate
    with pytest.raises(UsageError, match="no private key to export"):
        store.export(keyless.thumbprint, tmp_path / "nokey.pfx")


@pytest.mark.parametrize(
    "pbe",
    [["-legacy"], ["-certpbe", "PBE-SHA1-3DES", "-keypbe", "PBE-SHA1-3DES", "-macalg", "sha1"]],
    ids=["rc2-legacy", "3des-like-windows"],
)
def test_pfx_written_by_openssl(store: CertStore, tmp_path: Path, pbe: list[str]) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl command not installed")
    key, crt, out = tmp_path / "k.pem", tmp_path / "c.pem", tmp_path / "o.pfx"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-keyout", key, "-out", crt, "-subj", "/CN=openssl.test", "-days", "3"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    subprocess.run(
        [openssl, "pkcs12", "-export", *pbe, "-in", crt, "-inkey", key, "-out", out,
         "-name", "From OpenSSL", "-passout", "pass:pfx pw"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    with pytest.raises(UsageError, match="wrong password"):
        store.import_file(out, b"nope")
    stored = store.import_file(out, b"pfx pw").certificate
    assert stored.friendly_name == "From OpenSSL" and stored.has_private_key
    assert stored.thumbprint == sha1_hex(x509.load_pem_x509_certificate(crt.read_bytes()))
