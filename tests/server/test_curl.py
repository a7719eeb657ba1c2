"""Interop with the real curl client: explicit and implicit FTPS, CCC, up/download."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.server.conftest import make_site, port_of

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


def curl(*args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    cmd = ["curl", "-sS", "--max-time", "20", "-k", "-u", "alice:secret", *args]
    proc = subprocess.run(cmd, capture_output=True, timeout=30)
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd}: rc={proc.returncode} {proc.stderr.decode()}")
    return proc


def test_plain_list_retr_stor(serve, content: Path, tmp_path: Path) -> None:
    server = serve(make_site(content))
    url = f"ftp://127.0.0.1:{port_of(server)}"
    listing = curl(f"{url}/").stdout.decode()
    assert "hello.txt" in listing and "<DIR>" in listing
    assert curl(f"{url}/hello.txt").stdout == b"hello world\n"
    upload = tmp_path / "up.bin"
    upload.write_bytes(b"x" * 300_000)
    curl("-T", str(upload), f"{url}/sub/up.bin")
    assert (content / "sub" / "up.bin").read_bytes() == upload.read_bytes()


def test_explicit_tls_several_files_one_connection(serve, content: Path, tmp_path: Path) -> None:
    server = serve(make_site(content))
    url = f"ftp://127.0.0.1:{port_of(server)}"
    out1, out2 = tmp_path / "a", tmp_path / "b"
    curl("--ssl-reqd", f"{url}/hello.txt", "-o", str(out1), f"{url}/sub/inner.bin", "-o", str(out2))
    assert out1.read_bytes() == b"hello world\n"
    assert out2.read_bytes() == (content / "sub" / "inner.bin").read_bytes()
    upload = tmp_path / "up.bin"
    upload.write_bytes(bytes(range(256)) * 5000)
    curl("--ssl-reqd", "-T", str(upload), f"{url}/uploaded.bin")
    assert (content / "uploaded.bin").read_bytes() == upload.read_bytes()


def test_implicit_tls(serve, content: Path) -> None:
    server = serve(make_site(content, implicit=True))
    proc = curl(f"ftps://127.0.0.1:{port_of(server, implicit=True)}/hello.txt")
    assert proc.stdout == b"hello world\n"


def test_ccc_then_transfer(serve, content: Path) -> None:
    server = serve(make_site(content))
    url = f"ftp://127.0.0.1:{port_of(server)}/hello.txt"
    proc = curl("--ssl-reqd", "--ftp-ssl-ccc", "-v", url)
    assert proc.stdout == b"hello world\n"
    assert b"200 CCC command successful." in proc.stderr
