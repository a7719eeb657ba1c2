"""Fixtures for server tests: test certificates, FtpSite values, running servers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from iisftp.certs import CertStore
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
    store = CertStore(tmp_path_factory.mktemp("cert"))
    cert = store.create_self_signed("tests", dns_names=("localhost", "127.0.0.1"), days=30)
    files = store.tls_files(cert.store_name, cert.thumbprint)
    assert files is not None
    return files


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
