"""The walkthrough's promise, end to end: configure with the CLI, serve, log in
with real clients (curl: AUTH SSL = TLS-P; ftplib: AUTH TLS = TLS-C)."""

from __future__ import annotations

import ftplib
import io
import shutil
import subprocess
from pathlib import Path

import pytest
import walkthrough as w
from ftpclients import ReusingFTP_TLS, free_port, insecure_context

from iisftp.app import server_for
from iisftp.folder import ConfigFolder

ADMIN = ("administrator", "Adm1n-pass")
GUEST = ("guest", "Gue5t-pass")


def start(tmp_path: Path, path: str, *extra_steps: list[str]):
    """Replay one walkthrough path on a free port, then serve the folder."""
    port = free_port()
    w.prepare(tmp_path)
    (tmp_path / "inetpub/ftproot/readme.txt").write_text("from the walkthrough\n")
    (w.wizard_path if path == "wizard" else w.hand_edit_path)(tmp_path, port)
    if path == "hand-edit":  # Default Web Site serves wwwroot
        shutil.copy(tmp_path / "inetpub/ftproot/readme.txt", tmp_path / "inetpub/wwwroot")
    for step in extra_steps:
        w.cli(tmp_path, *step)
    server = server_for(ConfigFolder.resolve(tmp_path))
    server.start_in_thread()
    return server, port


@pytest.fixture(params=["wizard", "hand-edit"])
def served(request, tmp_path: Path):
    server, port = start(tmp_path, request.param)
    yield request.param, port
    server.stop_in_thread()


def tls_client(port: int) -> ReusingFTP_TLS:
    ftp = ReusingFTP_TLS(context=insecure_context(), timeout=10)
    ftp.connect("127.0.0.1", port)
    return ftp


def test_tls_c_login_reads_and_writes(served) -> None:
    _, port = served
    ftp = tls_client(port)
    ftp.login(*ADMIN)  # AUTH TLS first: TLS-C
    ftp.prot_p()
    assert "readme.txt" in ftp.nlst()
    ftp.storbinary("STOR new.txt", io.BytesIO(b"written over TLS"))
    data = io.BytesIO()
    ftp.retrbinary("RETR new.txt", data.write)
    assert data.getvalue() == b"written over TLS"
    ftp.quit()


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_tls_p_login_with_curl(served) -> None:
    _, port = served
    out = subprocess.run(
        [
            "curl",
            "-sS",
            "-k",
            "--ssl-reqd",
            "-u",
            ":".join(ADMIN),
            f"ftp://127.0.0.1:{port}/readme.txt",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert out.stdout == "from the walkthrough\n"


def test_user_on_a_clear_control_channel_is_refused(served) -> None:
    _, port = served
    ftp = ftplib.FTP()
    ftp.connect("127.0.0.1", port, timeout=10)
    with pytest.raises(ftplib.error_perm, match=r"^534 Policy requires SSL\."):
        ftp.sendcmd(f"USER {ADMIN[0]}")
    ftp.close()


def test_plain_data_channel_follows_the_data_policy(served) -> None:
    path, port = served
    ftp = tls_client(port)
    ftp.login(*ADMIN)  # no PROT P: the data channel stays clear
    if path == "wizard":  # dataChannelPolicy SslAllow
        assert "readme.txt" in ftp.nlst()
    else:  # hand edit: SslRequire
        with pytest.raises(ftplib.error_perm, match=r"^534 Policy requires SSL\."):
            ftp.nlst()
    ftp.quit()


def test_other_users_and_anonymous_are_refused(served, tmp_path: Path) -> None:
    _, port = served
    # No rule grants guest anything: IIS refuses the logon itself.
    ftp = tls_client(port)
    with pytest.raises(ftplib.error_perm, match=r"^530 User cannot log in, home directory"):
        ftp.login(*GUEST)
    ftp.close()
    ftp = tls_client(port)
    with pytest.raises(ftplib.error_perm, match=r"^530"):
        ftp.login("anonymous", "guest@example.com")
    ftp.close()


@pytest.mark.parametrize("path", ["wizard", "hand-edit"])
def test_read_only_user_gets_550_on_write(tmp_path: Path, path: str) -> None:
    site = w.WIZARD_SITE if path == "wizard" else "Default Web Site"
    server, port = start(
        tmp_path, path, ["site", "authz", "add", site, "-u", "guest", "-p", "Read"]
    )
    try:
        ftp = tls_client(port)
        ftp.login(*GUEST)
        ftp.prot_p()
        assert "readme.txt" in ftp.nlst()
        with pytest.raises(ftplib.error_perm, match=r"^550 Access is denied\. $"):
            ftp.storbinary("STOR nope.txt", io.BytesIO(b"x"))
        ftp.quit()
    finally:
        server.stop_in_thread()
