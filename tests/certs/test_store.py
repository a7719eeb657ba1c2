"""CertStore on disk: self-signed creation, thumbprints, lookup rules, layout and modes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from iisftp.certs import CertStore, normalize_thumbprint
from iisftp.errors import IisftpError, UsageError

from .factory import sha1_hex


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _load(path: Path) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(path.read_bytes())


def test_create_self_signed_layout_and_modes(store: CertStore) -> None:
    cert = store.create_self_signed("My FTP Certificate", ["ftp.example.com"])
    folder = store.root / "MY"
    assert cert.cert_file == folder / f"{cert.thumbprint}.pem"
    assert cert.key_file == folder / f"{cert.thumbprint}.key"
    assert _mode(cert.key_file) == 0o600
    assert b"PRIVATE KEY" in cert.key_file.read_bytes()
    assert b"PRIVATE KEY" not in cert.cert_file.read_bytes()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{cert.thumbprint}{suffix}" for suffix in (".json", ".key", ".pem")
    )
    assert cert.friendly_name == "My FTP Certificate"
    assert cert.has_private_key and not cert.expired


def test_key_file_is_0600_even_with_permissive_umask(store: CertStore) -> None:
    old = os.umask(0)
    try:
        cert = store.create_self_signed("wide umask", ["a.example"])
    finally:
        os.umask(old)
    assert cert.key_file is not None and _mode(cert.key_file) == 0o600
    assert _mode(cert.cert_file) == 0o644


def test_thumbprint_is_uppercase_sha1_of_der(store: CertStore) -> None:
    cert = store.create_self_signed("tp", ["tp.example"])
    (leaf,) = _load(cert.cert_file)
    assert len(cert.thumbprint) == 40
    assert cert.thumbprint == cert.thumbprint.upper()
    assert set(cert.thumbprint) <= set("0123456789ABCDEF")
    assert cert.thumbprint == sha1_hex(leaf)


def test_default_names_and_extensions(store: CertStore) -> None:
    cert = store.create_self_signed("defaults")
    assert "DNS:localhost" in cert.sans and "IP:127.0.0.1" in cert.sans
    (leaf,) = _load(cert.cert_file)
    assert isinstance(leaf.public_key(), ec.EllipticCurvePublicKey)
    assert leaf.public_key().curve.name == "secp256r1"
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert x509.oid.ExtendedKeyUsageOID.SERVER_AUTH in eku
    assert leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False


def test_rsa_key_and_days(store: CertStore) -> None:
    cert = store.create_self_signed("rsa", ["r.example", "192.0.2.7"], key_type="rsa", days=10)
    (leaf,) = _load(cert.cert_file)
    assert isinstance(leaf.public_key(), rsa.RSAPublicKey)
    assert cert.sans == ("DNS:r.example", "IP:192.0.2.7")
    assert cert.subject == "CN=r.example"
    assert 9 < (cert.not_after - cert.not_before).days <= 10


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"key_type": "dsa"}, "unknown key type"),
        ({"days": 0}, "out of range"),
        ({"dns_names": ["bad name!"]}, "not a DNS name"),
        ({"dns_names": ["IP:not-an-ip"]}, "not an IP address"),
    ],
)
def test_create_rejects_bad_input(store: CertStore, kwargs: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        store.create_self_signed("bad", **kwargs)
    assert not (store.root / "MY").exists() or not any((store.root / "MY").iterdir())


def test_find_normalizes_thumbprint_and_store_case(store: CertStore) -> None:
    cert = store.create_self_signed("find me", ["f.example"])
    tp = cert.thumbprint
    spaced = " ".join(tp[i : i + 2] for i in range(0, 40, 2)).lower()
    for variant in (tp, tp.lower(), spaced, "\u200e" + spaced):
        found = store.find(variant, "my")
        assert found is not None and found.thumbprint == tp and found.store_name == "MY"
    assert store.find(tp, "WebHosting") is None
    assert store.find("0" * 40) is None


def test_find_in_named_store(store: CertStore) -> None:
    web = store.create_self_signed("web", ["w.example"], store_name="WebHosting")
    assert store.find(web.thumbprint) is None
    found = store.find(web.thumbprint, "webhosting")
    assert found is not None and found.store_name == "WebHosting"
    assert (store.root / "WebHosting" / f"{web.thumbprint}.pem").is_file()


@pytest.mark.parametrize("bad", ["", "ABC", "G" * 40, "A" * 41, "../" + "A" * 40])
def test_find_rejects_malformed_thumbprint(store: CertStore, bad: str) -> None:
    with pytest.raises(UsageError, match="not a certificate thumbprint"):
        store.find(bad)


@pytest.mark.parametrize("bad", ["../MY", "a/b", ".hidden", "", "MY\x00"])
def test_store_name_cannot_escape_root(store: CertStore, bad: str) -> None:
    with pytest.raises(UsageError, match="not a certificate store name"):
        store.create_self_signed("x", ["x.example"], store_name=bad)
    with pytest.raises(UsageError, match="not a certificate store name"):
        store.find("A" * 40, bad)


def test_list_find_by_name_and_remove(store: CertStore) -> None:
    a = store.create_self_signed("Alpha", ["a.example"])
    b = store.create_self_signed("Beta", ["b.example"], store_name="WebHosting")
    assert [c.thumbprint for c in store.list()] == [a.thumbprint, b.thumbprint]
    assert [c.thumbprint for c in store.list("webhosting")] == [b.thumbprint]
    assert store.list("Nowhere") == []
    found = store.find_by_name("alpha")
    assert found is not None and found.thumbprint == a.thumbprint
    assert store.find_by_name("beta", "MY") is None
    twin = store.create_self_signed("ALPHA", ["a2.example"], store_name="WebHosting")
    with pytest.raises(UsageError, match="2 certificates are named 'alpha'") as info:
        store.find_by_name("alpha")
    assert twin.thumbprint in str(info.value) and a.thumbprint in str(info.value)
    assert store.find_by_name("alpha", "webhosting") == twin
    store.remove(twin.thumbprint, "WebHosting")

    removed = store.remove(a.thumbprint.lower())
    assert removed.thumbprint == a.thumbprint
    assert store.find(a.thumbprint) is None
    assert list((store.root / "MY").iterdir()) == []
    with pytest.raises(UsageError, match=f"no certificate {a.thumbprint} in store MY"):
        store.remove(a.thumbprint)


def test_empty_store_lists_nothing(tmp_path: Path) -> None:
    assert CertStore(tmp_path / "absent").list() == []
    assert CertStore(tmp_path / "absent").find("A" * 40) is None


def test_tampered_file_is_reported(store: CertStore) -> None:
    a = store.create_self_signed("a", ["a.example"])
    b = store.create_self_signed("b", ["b.example"])
    # Someone copies b's certificate over a's file: the name no longer matches the content.
    a.cert_file.write_bytes(b.cert_file.read_bytes())
    with pytest.raises(IisftpError, match=f"holds certificate {b.thumbprint}, not {a.thumbprint}"):
        store.find(a.thumbprint)
    b.cert_file.write_bytes(b"-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n")
    with pytest.raises(IisftpError, match="damaged certificate file"):
        store.find(b.thumbprint)


def test_damaged_metadata_only_loses_friendly_name(store: CertStore) -> None:
    cert = store.create_self_signed("named", ["n.example"])
    cert.cert_file.with_suffix(".json").write_text("{not json")
    found = store.find(cert.thumbprint)
    assert found is not None and found.friendly_name == ""


def test_writes_leave_no_temp_files(store: CertStore) -> None:
    for i in range(3):
        store.create_self_signed(f"c{i}", [f"c{i}.example"])
    leftovers = [p.name for p in (store.root / "MY").iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_normalize_thumbprint_colons() -> None:
    raw = ":".join(["ab"] * 20)
    assert normalize_thumbprint(raw) == "AB" * 20
