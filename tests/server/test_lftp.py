"""Interop with the real lftp client (GnuTLS): explicit/implicit TLS, mirror, MLSD, EPSV."""

from __future__ import annotations

import filecmp
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.server.conftest import make_site, port_of

pytestmark = pytest.mark.skipif(shutil.which("lftp") is None, reason="lftp is not installed")

SETTINGS = (
    "set ssl:verify-certificate no; set ftp:ssl-force yes; set ftp:ssl-protect-data yes; "
    "set net:max-retries 1; set net:timeout 10; set cmd:fail-exit yes; "
)


def lftp(url: str, script: str, extra: str = "") -> str:
    proc = subprocess.run(
        ["lftp", "-u", "alice,secret", "-e", f"{SETTINGS}{extra}{script}; bye", url],
        capture_output=True,
        timeout=60,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _tree(tmp: Path) -> Path:
    src = tmp / "src"
    (src / "a" / "b").mkdir(parents=True)
    (src / "a" / "b" / "deep.txt").write_text("deep")
    (src / "top.bin").write_bytes(bytes(range(256)) * 1000)
    (src / "a" / "x.txt").write_text("x" * 5000)
    return src


@pytest.mark.parametrize("epsv", [False, True], ids=["pasv", "epsv"])
def test_mirror_up_and_down(serve, content: Path, tmp_path: Path, epsv: bool) -> None:
    url = f"ftp://127.0.0.1:{port_of(serve(make_site(content)))}"
    src = _tree(tmp_path)
    extra = f"set ftp:prefer-epsv {'yes' if epsv else 'no'}; "
    lftp(url, f"mirror -R {src} /up", extra)
    assert not filecmp.dircmp(src, content / "up").diff_files
    assert (content / "up" / "a" / "b" / "deep.txt").read_text() == "deep"
    back = tmp_path / "back"
    lftp(url, f"mirror /up {back}", extra)
    cmp = filecmp.dircmp(src, back)
    assert not cmp.diff_files and not cmp.left_only and not cmp.right_only


def test_mlsd_listing_and_cat(serve, content: Path, tmp_path: Path) -> None:
    url = f"ftp://127.0.0.1:{port_of(serve(make_site(content)))}"
    log = tmp_path / "lftp.log"
    out = lftp(url, "set ftp:use-mlsd yes; cls -l /; cat /hello.txt", f"debug -o {log} 5; ")
    assert "hello.txt" in out and "sub/" in out
    assert "hello world" in out
    trace = log.read_text()
    assert "MLSD" in trace and "PROT P" in trace and "AUTH TLS" in trace


def test_implicit_ftps(serve, content: Path) -> None:
    server = serve(make_site(content, implicit=True))
    out = lftp(f"ftps://127.0.0.1:{port_of(server, implicit=True)}", "cat /hello.txt")
    assert out == "hello world\n"
