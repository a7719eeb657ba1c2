"""Hostile peers over real sockets: PASV theft, floods, long lines, stalls."""

from __future__ import annotations

import socket
import time
from dataclasses import replace
from pathlib import Path

import pytest

from iisftp.model.site import Connections
from tests.server.conftest import make_site, port_of


class Line:
    """A minimal line-oriented control client."""

    def __init__(self, port: int, source: str = "127.0.0.1") -> None:
        self.sock = socket.create_connection(
            ("127.0.0.1", port), timeout=10, source_address=(source, 0)
        )
        self.file = self.sock.makefile("rb")

    def reply(self) -> str:
        line = self.file.readline().decode()
        while line[3:4] == "-":
            line = self.file.readline().decode()
        return line.rstrip("\r\n")

    def cmd(self, text: str) -> str:
        self.sock.sendall(text.encode() + b"\r\n")
        return self.reply()

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def _logged_in(port: int) -> Line:
    c = Line(port)
    assert c.reply().startswith("220")
    c.cmd("USER bob")
    assert c.cmd("PASS hunter2").startswith("230")
    return c


def _can_bind(ip: str) -> bool:
    try:
        with socket.socket() as s:
            s.bind((ip, 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _can_bind("127.0.0.2"), reason="127.0.0.2 is not usable here")
def test_pasv_connection_from_another_address_is_refused(serve, content: Path) -> None:
    c = _logged_in(port_of(serve(make_site(content))))
    reply = c.cmd("EPSV")
    data_port = int(reply.split("|||")[1].rstrip("|)"))
    thief = socket.create_connection(
        ("127.0.0.1", data_port), timeout=10, source_address=("127.0.0.2", 0)
    )
    c.sock.sendall(b"RETR hello.txt\r\n")
    assert c.reply().startswith("150")
    assert thief.recv(100) == b""  # closed without a byte of the file
    thief.close()
    legit = socket.create_connection(("127.0.0.1", data_port), timeout=10)
    assert legit.recv(100) == b"hello world\n"
    legit.close()
    assert c.reply() == "226 Transfer complete."


def test_oversized_command_line(serve, content: Path) -> None:
    c = Line(port_of(serve(make_site(content))))
    c.reply()
    c.sock.sendall(b"USER " + b"a" * 100_000)
    assert c.reply() == "501 Parameter too long."
    c.sock.sendall(b"\r\n")
    assert c.cmd("SYST") == "215 Windows_NT"


def test_idle_unauthenticated_session_is_cut(serve, content: Path) -> None:
    site = make_site(content, connections=Connections(unauthenticated_timeout=1))
    c = Line(port_of(serve(site)))
    c.reply()
    started = time.monotonic()
    assert c.reply() == "421 Control connection timed out "
    assert c.file.readline() == b""
    assert time.monotonic() - started < 8


def test_stalled_implicit_handshake_is_cut(serve, content: Path) -> None:
    site = make_site(content, implicit=True, connections=Connections(unauthenticated_timeout=1))
    s = socket.create_connection(("127.0.0.1", port_of(serve(site), implicit=True)), timeout=10)
    # An explicit-mode client waits for a greeting that never comes; the server hangs up.
    assert s.recv(100) == b""
    s.close()


def test_max_connections(serve, content: Path) -> None:
    limited = make_site(content, connections=Connections(max_connections=1))
    port = port_of(serve(limited))
    first = Line(port)
    assert first.reply().startswith("220")
    second = Line(port)
    assert second.reply() == "421 Service not available, closing control connection."
    first.close()
    second.close()
    reset = replace(
        limited, connections=Connections(max_connections=1, reset_on_max_connections=True)
    )
    port2 = port_of(serve(reset))
    keep = Line(port2)
    keep.reply()
    with pytest.raises(ConnectionResetError):  # at connect() or at the first read
        victim = Line(port2)
        victim.sock.recv(100)
    keep.close()


def test_slot_freed_after_disconnect(serve, content: Path) -> None:
    port = port_of(serve(make_site(content, connections=Connections(max_connections=1))))
    for _ in range(3):
        c = Line(port)
        assert c.reply().startswith("220")
        assert c.cmd("QUIT") == "221 Goodbye."
        assert c.file.readline() == b""
        c.close()


def test_passive_port_range(serve, content: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        low = probe.getsockname()[1]
    server = serve(make_site(content), passive_port_range=(low, low + 2))
    c = _logged_in(port_of(server))
    ports = set()
    for _ in range(3):
        reply = c.cmd("EPSV")
        ports.add(int(reply.split("|||")[1].rstrip("|)")))
    assert ports <= {low, low + 1, low + 2}


def test_data_channel_timeout(serve, content: Path) -> None:
    site = make_site(content, connections=Connections(data_channel_timeout=1))
    c = _logged_in(port_of(serve(site)))
    assert c.cmd("PASV").startswith("227")
    c.sock.sendall(b"RETR hello.txt\r\n")
    assert c.reply().startswith("150")
    assert c.reply() == "425 Cannot open data connection."  # nobody connected


def test_idle_logged_in_session_is_cut(serve, content: Path) -> None:
    site = make_site(content, connections=Connections(control_channel_timeout=1))
    c = _logged_in(port_of(serve(site)))
    assert c.reply() == "421 Control connection timed out "


def test_stalled_auth_handshake_is_cut(serve, content: Path) -> None:
    site = make_site(content, connections=Connections(unauthenticated_timeout=1))
    c = Line(port_of(serve(site)))
    c.reply()
    assert c.cmd("AUTH TLS").startswith("234")
    # Never send a ClientHello: the server must hang up, not wait forever.
    assert c.file.readline() == b""


def test_stop_tells_connected_clients(cert_pair, content: Path) -> None:
    from iisftp.model.site import ServerSettings
    from iisftp.server import FtpServer

    server = FtpServer(
        ServerSettings((make_site(content),)),
        authenticate=lambda n, p: None,
        certificate=lambda s, t: cert_pair,
    )
    server.start_in_thread()
    c = Line(port_of(server))
    assert c.reply().startswith("220")
    server.stop_in_thread()
    assert c.reply() == "421 Service not available, closing control connection."
    assert c.file.readline() == b""


def test_unauthenticated_limit_counts_from_connect(serve, content: Path) -> None:
    site = make_site(content, connections=Connections(unauthenticated_timeout=1))
    c = Line(port_of(serve(site)))
    c.reply()
    started = time.monotonic()
    replies = set()
    while time.monotonic() - started < 8:  # a busy client is still cut without logging in
        reply = c.cmd("NOOP")
        replies.add(reply)
        if reply.startswith("421"):
            break
    assert "421 Control connection timed out " in replies
    try:  # closed; a NOOP that crossed the 421 may turn the FIN into a reset
        assert c.file.readline() == b""
    except ConnectionResetError:
        pass
