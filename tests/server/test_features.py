"""Listings, request filtering, IP restrictions, uploads and logon limits."""

from __future__ import annotations

import ftplib
import io
import os
import socket
import time
from pathlib import Path

import pytest

from iisftp.model.site import (
    AuthorizationRule,
    FileHandling,
    IpRule,
    PathPolicy,
    Permission,
    RequestFiltering,
    ShowFlags,
)
from iisftp.server.effects import Direction, Outcome, Transfer, TransferResult
from iisftp.server.fsview import Entry
from iisftp.server.listing import dos_line, unix_line
from tests.server.conftest import make_site, port_of
from tests.server.pair import Pair

RW = Permission.READ | Permission.WRITE
ALL_RW = (AuthorizationRule(True, frozenset({"*"}), frozenset(), RW),)
WHEN = time.mktime((2019, 7, 1, 9, 2, 0, 0, 0, -1))
AFTERNOON = time.mktime((2019, 2, 19, 14, 11, 0, 0, 0, -1))


def test_msdos_listing_format() -> None:
    assert dos_line(Entry("123", True, 0, WHEN), ShowFlags.NONE) == (
        "07-01-19  09:02AM       <DIR>          123"
    )
    assert dos_line(Entry("some.txt", False, 921016, AFTERNOON), ShowFlags.NONE) == (
        "02-19-19  02:11PM               921016 some.txt"
    )
    assert dos_line(Entry("a", False, 1, WHEN), ShowFlags.LONG_DATE).startswith("07-01-2019  ")


def test_unix_listing_format() -> None:
    recent = WHEN + 3600
    assert unix_line(Entry("123", True, 0, WHEN), ShowFlags.STYLE_UNIX, recent) == (
        "drwxrwxrwx   1 owner    group               0 Jul  1  9:02 123"
    )
    old = unix_line(Entry("some.txt", False, 921016, AFTERNOON), ShowFlags.STYLE_UNIX, WHEN + 3e7)
    assert old == "-rwxrwxrwx   1 owner    group          921016 Feb 19  2019 some.txt"


def _listing(p: Pair, cmd: str) -> bytes:
    p.auto_transfer = False
    p.cmd("PASV")
    p.cmd(cmd)
    t = p.effects[-1]
    assert isinstance(t, Transfer) and t.direction is Direction.SEND and t.produce is not None
    data = b"".join(t.produce())
    p._run(p.session.transfer_done(TransferResult(Outcome.OK, len(data))))
    return data


def test_list_nlst_mlsd_contents(content: Path) -> None:
    os.utime(content / "hello.txt", (WHEN, WHEN))
    p = Pair(make_site(content))
    p.login("bob", "hunter2", tls=False)
    listing = _listing(p, "LIST -la").decode().splitlines()
    assert "07-01-19  09:02AM                   12 hello.txt" in listing
    assert sorted(_listing(p, "NLST").decode().split()) == ["hello.txt", "sub"]
    mlsd = _listing(p, "MLSD").decode()
    assert "type=file;size=12;modify=" in mlsd and "perm=rawfd; hello.txt" in mlsd
    assert "type=dir;" in mlsd and "perm=elcmpfd; sub" in mlsd
    assert p.replies[-1].encode() == b"226 Transfer complete.\r\n"


def test_mlst_and_available_bytes(content: Path) -> None:
    site = make_site(content, show_flags=ShowFlags.DISPLAY_AVAILABLE_BYTES)
    p = Pair(site)
    p.login("bob", "hunter2", tls=False)
    wire = p.cmd("MLST hello.txt").encode().decode()
    assert wire.startswith("250-Listing /hello.txt\r\n type=file;size=12;")
    assert wire.endswith(" /hello.txt\r\n250 End\r\n")
    _listing(p, "LIST")
    assert p.replies[-1].lines[0].startswith("Directory has ")
    assert p.replies[-1].lines[-1] == "Transfer complete."


def test_request_filtering(content: Path) -> None:
    (content / "_vti_bin").mkdir()
    (content / "run.exe").write_bytes(b"MZ")
    rf = RequestFiltering(
        hidden_segments=frozenset({"_vti_bin"}),
        file_extensions={".exe": False},
        deny_url_sequences=("..",),
    )
    p = Pair(make_site(content, path_policies={"/": PathPolicy(ALL_RW, rf)}))
    p.login("bob", "hunter2", tls=False)
    assert p.text("CWD _vti_bin") == "550 Access is denied. "
    assert p.text("SIZE run.exe") == "550 Access is denied. "
    assert p.text("SIZE sub/../hello.txt") == "550 Access is denied. "
    assert p.text("SIZE hello.txt") == "213 12"
    assert "_vti_bin" not in _listing(p, "NLST").decode()
    assert p.text("CWD sub") == "250 CWD command successful."
    assert p.text("CDUP") == "250 CWD command successful."  # not blocked by the ".." rule
    assert p.text("PWD") == '257 "/" is current directory.'


def test_ip_restrictions(content: Path) -> None:
    deny_local = PathPolicy(ALL_RW, ip_rules=(IpRule("127.0.0.0", "255.0.0.0", allowed=False),))
    policies = {"/": PathPolicy(ALL_RW), "/sub": deny_local}
    p = Pair(make_site(content, path_policies=policies))
    p.login("bob", "hunter2", tls=False)
    assert p.text("SIZE hello.txt") == "213 12"
    assert p.text("CWD sub") == "550 Access is denied. "
    other = Pair(make_site(content, path_policies=policies), client_ip="10.1.2.3")
    other.login("bob", "hunter2", tls=False)
    assert other.text("CWD sub") == "250 CWD command successful."


def _ftp(port: int) -> ftplib.FTP:
    ftp = ftplib.FTP(timeout=10)
    ftp.connect("127.0.0.1", port)
    ftp.login("bob", "hunter2")
    return ftp


def test_rest_appe_stou(serve, content: Path) -> None:
    ftp = _ftp(port_of(serve(make_site(content))))
    buf = io.BytesIO()
    ftp.retrbinary("RETR hello.txt", buf.write, rest=6)
    assert buf.getvalue() == b"world\n"
    ftp.storbinary("APPE hello.txt", io.BytesIO(b"more\n"))
    assert (content / "hello.txt").read_bytes() == b"hello world\nmore\n"
    ftp.storbinary("STOR hello.txt", io.BytesIO(b"HELLO"), rest=0)
    assert (content / "hello.txt").read_bytes() == b"HELLO"
    reply = ftp.storbinary("STOU", io.BytesIO(b"unique"))
    assert reply.startswith("226")
    made = [p for p in content.iterdir() if p.name.startswith("file.")]
    assert len(made) == 1 and made[0].read_bytes() == b"unique"


@pytest.mark.parametrize("keep", [False, True])
def test_aborted_upload(serve, content: Path, keep: bool) -> None:
    (content / "old.bin").write_bytes(b"previous")
    site = make_site(content, file_handling=FileHandling(keep_partial_uploads=keep))
    ftp = _ftp(port_of(serve(site)))
    conn = ftp.transfercmd("STOR old.bin")
    conn.sendall(b"half-written")
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
    conn.close()  # RST: the upload did not finish
    with pytest.raises(ftplib.error_temp, match=r"^426"):
        ftp.voidresp()
    expected = b"half-written" if keep else b"previous"
    assert (content / "old.bin").read_bytes() == expected
    assert not [p for p in content.iterdir() if p.name.startswith(".~iisftp")]


def test_deny_by_failure_blocks_the_address(serve, content: Path) -> None:
    server = serve(make_site(content), deny_by_failure_enabled=True, deny_by_failure_max=2)
    port = port_of(server)
    ftp = ftplib.FTP(timeout=10)
    ftp.connect("127.0.0.1", port)
    for _ in range(2):
        with pytest.raises(ftplib.error_perm, match=r"^530 User cannot log in\."):
            ftp.login("bob", "wrong")
    with pytest.raises((EOFError, OSError)):
        ftp.sendcmd("NOOP")
    with pytest.raises((ConnectionError, EOFError, OSError)):
        blocked = ftplib.FTP(timeout=10)
        blocked.connect("127.0.0.1", port)


def test_credentials_cache(content: Path) -> None:
    from iisftp.model.site import ServerSettings
    from iisftp.server import FtpServer
    from tests.server.conftest import authenticate

    calls: list[str] = []

    def counting(name: str, password: str):
        calls.append(name)
        return authenticate(name, password)

    server = FtpServer(
        ServerSettings((make_site(content),)), authenticate=counting, certificate=lambda s, t: None
    )
    assert server.check_credentials("alice", "secret") is not None
    assert server.check_credentials("alice", "secret") is not None
    assert server.check_credentials("alice", "wrong") is None
    assert server.check_credentials("alice", "wrong") is None
    assert calls == ["alice", "alice", "alice"]  # successes cached, failures never
