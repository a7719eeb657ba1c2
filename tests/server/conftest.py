"""Fixtures for server tests: test certificates, FtpSite values, running servers."""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from iisftp.model.site import Authentication as Auth
from iisftp.model.site import (
    AuthorizationRule,
    Binding,
    ControlChannelPolicy,
    DataChannelPolicy,
    FtpSite,
    PathPolicy,
    Permission,
    ServerSettings,
    SslSettings,
    VirtualDirectory,
)
from iisftp.server import FtpServer

THUMB = "AB" * 20
USERS = {"alice": ("secret", frozenset({"Uploaders"})), "bob": ("hunter2", frozenset())}


@dataclass(frozen=True)
class User:
    name: str
    roles: frozenset[str]


def authenticate(name: str, password: str) -> User | None:
    entry = USERS.get(name.lower())
    if entry and entry[0] == password:
        return User(name, entry[1])
    return None


@pytest.fixture(scope="session")
def cert_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed ECDSA P-256 certificate for 127.0.0.1/localhost."""
    folder = tmp_path_factory.mktemp("cert")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


ALLOW_ALL = {
    "/": PathPolicy(
        authorization=(
            AuthorizationRule(
                True, frozenset({"*"}), frozenset(), Permission.READ | Permission.WRITE
            ),
        )
    )
}


def make_site(
    root: Path,
    *,
    name: str = "Test FTP",
    control: ControlChannelPolicy = ControlChannelPolicy.ALLOW,
    data: DataChannelPolicy = DataChannelPolicy.ALLOW,
    cert: bool = True,
    implicit: bool = False,
    host: str = "",
    **changes: object,
) -> FtpSite:
    site = FtpSite(
        name=name,
        id=1,
        bindings=(Binding("127.0.0.1", 0, host, implicit),),
        virtual_directories=(VirtualDirectory("/", str(root)),),
        ssl=SslSettings(cert_hash=THUMB if cert else "", control=control, data=data),
        authentication=Auth(anonymous_enabled=True, basic_enabled=True),
        path_policies=ALLOW_ALL,
    )
    return replace(site, **changes)  # type: ignore[arg-type]


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    root.mkdir()
    (root / "hello.txt").write_bytes(b"hello world\n")
    (root / "sub").mkdir()
    (root / "sub" / "inner.bin").write_bytes(bytes(range(256)) * 40)
    return root


@pytest.fixture
def serve(cert_pair: tuple[Path, Path]) -> Iterator[Callable[..., FtpServer]]:
    """Start FtpServer instances in threads; stopped at teardown."""
    started: list[FtpServer] = []

    def start(*sites: FtpSite, **settings: object) -> FtpServer:
        server = FtpServer(
            ServerSettings(tuple(sites), **settings),  # type: ignore[arg-type]
            authenticate=authenticate,
            certificate=lambda store, thumb: cert_pair if thumb == THUMB else None,
        )
        server.start_in_thread()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop_in_thread()


def port_of(server: FtpServer, implicit: bool = False) -> int:
    return next(p for _, _, p, imp in server.addresses if imp == implicit)
