"""Certificates from the store serve real TLS: load_cert_chain plus a handshake on 127.0.0.1."""

from __future__ import annotations

import hashlib
import socket
import ssl
import threading
from pathlib import Path

import pytest

from iisftp.certs import CertStore, StoredCertificate


def _handshake(stored: StoredCertificate, server_hostname: str) -> tuple[bytes, str]:
    """Serve one TLS connection with the stored files; return (peer DER, reply) seen by a
    client that trusts only this certificate and checks the host name."""
    assert stored.key_file is not None
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(stored.cert_file, stored.key_file)
    client_ctx = ssl.create_default_context(cafile=str(stored.cert_file))

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    errors: list[BaseException] = []

    def serve() -> None:
        try:
            conn, _ = listener.accept()
            with server_ctx.wrap_socket(conn, server_side=True) as tls:
                tls.sendall(b"220 hello over TLS\r\n")
                tls.recv(16)  # wait for the client's goodbye before closing
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        with (
            socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
            client_ctx.wrap_socket(raw, server_hostname=server_hostname) as tls,
        ):
            peer = tls.getpeercert(binary_form=True)
            reply = tls.recv(64).decode()
            tls.sendall(b"bye")
    finally:
        thread.join(10)
        listener.close()
    assert not errors, errors
    assert peer is not None
    return peer, reply


@pytest.mark.parametrize("key_type", ["ec", "rsa"])
def test_self_signed_serves_tls(store: CertStore, key_type: str) -> None:
    stored = store.create_self_signed("tls", ["localhost", "127.0.0.1"], key_type=key_type)
    peer, reply = _handshake(stored, "localhost")
    assert reply == "220 hello over TLS\r\n"
    assert hashlib.sha1(peer).hexdigest().upper() == stored.thumbprint


def test_ip_san_verifies(store: CertStore) -> None:
    stored = store.create_self_signed("ip")  # defaults include 127.0.0.1
    peer, _ = _handshake(stored, "127.0.0.1")
    assert hashlib.sha1(peer).hexdigest().upper() == stored.thumbprint


def test_wrong_host_name_is_refused(store: CertStore) -> None:
    stored = store.create_self_signed("other", ["ftp.example.com"])
    with pytest.raises(ssl.SSLCertVerificationError):
        _handshake(stored, "localhost")


def test_imported_pfx_serves_tls(store: CertStore, tmp_path: Path) -> None:
    source = CertStore(tmp_path / "source").create_self_signed("src", ["localhost"])
    pfx = CertStore(tmp_path / "source").export(
        source.thumbprint, tmp_path / "s.pfx", password=b"x"
    )
    stored = store.import_file(pfx, b"x").certificate
    peer, _ = _handshake(stored, "localhost")
    assert hashlib.sha1(peer).hexdigest().upper() == source.thumbprint


def test_tls_files_is_the_server_callback(store: CertStore, tmp_path: Path) -> None:
    made = store.create_self_signed("cb", ["localhost"], store_name="WebHosting")
    files = store.tls_files("webhosting", made.thumbprint.lower())
    assert files == (made.cert_file, made.key_file)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(*files)
    assert store.tls_files("MY", made.thumbprint) is None
    public = store.export(made.thumbprint, tmp_path / "pub.pem", "pem", None, "WebHosting", False)
    keyless = CertStore(tmp_path / "other")
    stored = keyless.import_file(public).certificate
    assert keyless.tls_files("MY", stored.thumbprint) is None
