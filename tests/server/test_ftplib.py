"""Python ftplib against the real server: TLS session reuse, policies, truncation, ABOR."""

from __future__ import annotations

import ftplib
import io
import socket
import ssl
from pathlib import Path

import pytest
from ftpclients import ReusingFTP_TLS

from iisftp.model.site import ControlChannelPolicy, DataChannelPolicy, SslSettings
from tests.server.conftest import THUMB, make_site, port_of


def connect(cls: type[ftplib.FTP], port: int) -> ftplib.FTP:
    ftp = cls(timeout=10) if cls is ftplib.FTP else cls(context=_client_ctx(), timeout=10)
    ftp.connect("127.0.0.1", port)
    return ftp


def _client_ctx() -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def test_reusing_client_full_session(serve, content: Path) -> None:
    server = serve(make_site(content))
    ftp = connect(ReusingFTP_TLS, port_of(server))
    ftp.login("alice", "secret")
    ftp.prot_p()
    assert "hello.txt" in ftp.nlst()
    buf = io.BytesIO()
    ftp.retrbinary("RETR hello.txt", buf.write)
    assert buf.getvalue() == b"hello world\n"
    ftp.storbinary("STOR new.bin", io.BytesIO(b"z" * 100_000))
    assert (content / "new.bin").read_bytes() == b"z" * 100_000
    facts = dict(ftp.mlsd("/"))
    assert facts["new.bin"]["size"] == "100000" and facts["sub"]["type"] == "dir"
    ftp.rename("new.bin", "renamed.bin")
    assert ftp.size("renamed.bin") == 100_000
    ftp.delete("renamed.bin")
    assert not (content / "renamed.bin").exists()
    lines: list[str] = []
    ftp.retrlines("LIST", lines.append)
    assert any(line.endswith(" hello.txt") for line in lines)
    assert ftp.quit().startswith("221")


def test_plain_ftp_tls_refused_unless_reuse_relaxed(serve, content: Path) -> None:
    server = serve(make_site(content))
    ftp = connect(ftplib.FTP_TLS, port_of(server))
    ftp.login("alice", "secret")
    ftp.prot_p()
    with pytest.raises((ftplib.error_perm, ssl.SSLError, OSError)) as info:
        ftp.nlst()
    # The client may fail on the closed data connection before it reads the reply.
    final = str(info.value) if isinstance(info.value, ftplib.error_perm) else ftp.getline()
    assert final.startswith("522 Data connection must resume the TLS session")
    relaxed = make_site(
        content,
        ssl=SslSettings(
            cert_hash=THUMB,
            control=ControlChannelPolicy.ALLOW,
            data=DataChannelPolicy.ALLOW,
            require_session_reuse=False,
        ),
    )
    ftp2 = connect(ftplib.FTP_TLS, port_of(serve(relaxed)))
    ftp2.login("alice", "secret")
    ftp2.prot_p()
    assert "hello.txt" in ftp2.nlst()


class ForeignSessionFTP(ftplib.FTP_TLS):
    """Data connections resume `foreign`, another control connection's TLS session."""

    foreign: ssl.SSLSession | None = None

    def ntransfercmd(self, cmd, rest=None):  # type: ignore[no-untyped-def]
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=self.foreign)
        return conn, size


def test_data_connection_resuming_another_sessions_tls_is_refused(serve, content: Path) -> None:
    """One SSLContext (and session cache) per site: resuming is not enough, the data
    connection must resume the session of its own control connection."""
    server = serve(make_site(content))
    ctx = _client_ctx()  # one client context: Python resumes only its own sessions
    victim = ReusingFTP_TLS(context=ctx, timeout=10)
    victim.connect("127.0.0.1", port_of(server))
    victim.login("alice", "secret")
    victim.prot_p()
    session = victim.sock.session
    assert session is not None and not session.has_ticket  # IDs only: no TLS 1.2 tickets
    other = ForeignSessionFTP(context=ctx, timeout=10)
    other.connect("127.0.0.1", port_of(server))
    other.login("bob", "hunter2")
    other.prot_p()
    other.foreign = session
    with pytest.raises((ftplib.error_perm, ssl.SSLError, OSError)) as info:
        other.nlst()
    final = str(info.value) if isinstance(info.value, ftplib.error_perm) else other.getline()
    assert final.startswith("522 Data connection must resume the TLS session")
    other.foreign = other.sock.session  # its own session is accepted
    assert "hello.txt" in other.nlst()
    assert "hello.txt" in victim.nlst()  # the victim's own data connections still work


def test_active_mode_and_port_bounce(serve, content: Path) -> None:
    server = serve(make_site(content))
    ftp = connect(ftplib.FTP, port_of(server))
    ftp.login("bob", "hunter2")
    ftp.set_pasv(False)
    buf = io.BytesIO()
    ftp.retrbinary("RETR hello.txt", buf.write)
    assert buf.getvalue() == b"hello world\n"
    with pytest.raises(ftplib.error_perm, match=r"^501 Server cannot accept argument."):
        ftp.sendcmd("PORT 10,9,8,7,100,100")
    with pytest.raises(ftplib.error_perm, match=r"^501 Server cannot accept argument."):
        ftp.sendcmd("EPRT |1|127.0.0.1|21|")


def test_truncated_tls_upload_is_not_complete(serve, content: Path) -> None:
    server = serve(make_site(content))
    ftp = connect(ReusingFTP_TLS, port_of(server))
    ftp.login("alice", "secret")
    ftp.prot_p()
    conn = ftp.transfercmd("STOR cut.bin")
    conn.sendall(b"partial" * 10_000)
    # Close the TCP connection under TLS without close_notify.
    raw = socket.socket(fileno=conn.detach())
    raw.close()
    with pytest.raises(ftplib.error_temp, match=r"^426"):
        ftp.voidresp()
    assert not (content / "cut.bin").exists()
    assert not [p for p in content.iterdir() if p.name.startswith(".~iisftp")]


def test_abor_during_download(serve, content: Path) -> None:
    (content / "big.bin").write_bytes(b"\0" * (64 << 20))
    server = serve(make_site(content))
    ftp = connect(ftplib.FTP, port_of(server))
    ftp.login("bob", "hunter2")
    conn = ftp.transfercmd("RETR big.bin")
    conn.recv(65536)
    ftp.sock.sendall(b"ABOR\r\n")
    first = ftp.getline()
    assert first.startswith("426")
    assert ftp.getline().startswith("226")
    conn.close()
    assert ftp.sendcmd("NOOP").startswith("200")


ALL_CONTROL = list(ControlChannelPolicy)
ALL_DATA = list(DataChannelPolicy)


def _session(port: int, tls: bool) -> list[str]:
    """Login + LIST, recording the outcome of each step as reply codes/texts."""
    steps: list[str] = []
    ftp = connect(ReusingFTP_TLS if tls else ftplib.FTP, port)
    try:
        if tls:
            ftp.auth()
        try:
            ftp.sendcmd("USER alice")
        except ftplib.error_perm as exc:
            return [*steps, str(exc)]
        steps.append(ftp.sendcmd("PASS secret")[:3])
        if tls:
            ftp.sendcmd("PBSZ 0")
            try:
                ftp.sendcmd("PROT P")
                ftp._prot_p = True  # type: ignore[attr-defined]
            except ftplib.error_perm as exc:
                steps.append(str(exc))
        try:
            ftp.retrlines("NLST", lambda _line: None)
            steps.append("226")
        except ftplib.error_perm as exc:
            steps.append(str(exc))
    finally:
        ftp.close()
    return steps


@pytest.mark.parametrize("control", ALL_CONTROL, ids=lambda p: p.value)
@pytest.mark.parametrize("data", ALL_DATA, ids=lambda p: p.value)
def test_policy_matrix(serve, content: Path, control, data) -> None:
    port = port_of(serve(make_site(content, control=control, data=data)))
    plain = _session(port, tls=False)
    if control is not ControlChannelPolicy.ALLOW:
        assert plain == ["534 Policy requires SSL."]
    elif data is DataChannelPolicy.REQUIRE:
        assert plain == ["230", "534 Policy requires SSL."]
    else:
        assert plain == ["230", "226"]
    secure = _session(port, tls=True)
    if data is DataChannelPolicy.DENY:
        assert secure == [
            "230",
            "534 Policy denies SSL.",
            "534 Protection level negotiation failed.",
        ]
    else:
        assert secure == ["230", "226"]


@pytest.mark.parametrize("verb", ["CCC", "REIN"])
def test_control_channel_back_to_clear(serve, content: Path, verb: str) -> None:
    port = port_of(serve(make_site(content)))
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    assert raw.recv(100).startswith(b"220")
    raw.sendall(b"AUTH TLS\r\n")
    assert raw.recv(100).startswith(b"234")
    tls = _client_ctx().wrap_socket(raw)
    tls.sendall(b"USER bob\r\n")
    assert tls.recv(100).startswith(b"331")
    tls.sendall(b"PASS hunter2\r\n")
    assert tls.recv(100).startswith(b"230")
    tls.sendall(verb.encode() + b"\r\n")
    assert tls.recv(100).startswith(b"200" if verb == "CCC" else b"220")
    clear = tls.unwrap()  # close_notify both ways, then the same TCP connection in clear
    clear.sendall(b"NOOP\r\n" if verb == "CCC" else b"PWD\r\n")
    expected = b"200 NOOP" if verb == "CCC" else b"530 Please login"
    assert clear.recv(100).startswith(expected)
    clear.close()
