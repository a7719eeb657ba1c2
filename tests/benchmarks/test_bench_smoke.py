"""Smoke test for benchmarks/: the scripts import, parse their arguments, and run at tiny size.

No timing assertions here: speed targets belong in the benchmarks themselves.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from lxml import etree

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

import apphost  # noqa: E402
import common  # noqa: E402
import config_bench  # noqa: E402
import run as run_script  # noqa: E402
import server_bench  # noqa: E402


def test_parse_size_units_and_errors() -> None:
    assert common.parse_size("1G") == 1 << 30
    assert common.parse_size("16MiB") == 16 << 20
    assert common.parse_size("4096") == 4096
    with pytest.raises(ValueError, match="bad size"):
        common.parse_size("lots")


def test_argument_parsing_quick_defaults_and_errors() -> None:
    quick = server_bench.parse_args(["--quick"])
    assert (quick.size, quick.repeats, quick.idle) == (16 << 20, 1, 100)
    full = server_bench.parse_args(["--servers", "pyftpdlib,vsftpd"])
    assert (full.size, full.small_files, full.servers) == (1 << 30, 200, ("pyftpdlib", "vsftpd"))
    with pytest.raises(SystemExit):
        server_bench.parse_args(["--servers", "proftpd"])
    assert config_bench.parse_args([]).sites == 10_000
    assert run_script.parse_args(["--only", "config", "--quick"]).only == "config"
    with pytest.raises(SystemExit):
        run_script.parse_args(["--only", "client"])


def test_generated_config_is_deterministic_and_complete(tmp_path: Path) -> None:
    first = apphost.big_config(tmp_path / "a.config", 25)
    second = apphost.big_config(tmp_path / "b.config", 25)
    assert first.read_bytes() == second.read_bytes()
    root = etree.parse(str(first)).getroot()
    sites = root.findall("system.applicationHost/sites/site")
    assert [s.get("name") for s in sites[:2]] == ["Site 1", "Site 2"]
    assert len(sites) == 25
    assert len(root.findall("location")) == 25
    binding = sites[4].find("bindings/binding")
    assert binding.get("bindingInformation") == "*:21:site5.example.com"


def test_server_config_binds_the_given_port(tmp_path: Path) -> None:
    path = apphost.server_config(tmp_path, 40021, tmp_path / "root", "AB" * 20, "bench")
    root = etree.parse(str(path)).getroot()
    assert root.find(".//binding").get("bindingInformation") == "127.0.0.1:40021:"
    assert root.find(".//ssl").get("serverCertHash") == "AB" * 20
    assert root.find("location").get("path") == "Bench"


def test_process_memory_and_free_port() -> None:
    rss, _pss, count = common.tree_memory_kib(os.getpid())
    assert rss > 0 and count >= 1
    assert 0 < common.free_port() < 65536


def test_config_bench_tiny_run(capsys: pytest.CaptureFixture[str]) -> None:
    config_bench.main(["--quick", "--sites", "20", "--repeats", "1", "--queries", "3"])
    out = capsys.readouterr().out
    assert "generated 20 sites" in out
    lxml_row = next(line for line in out.splitlines() if "lxml.etree.parse, ms" in line)
    assert "not available" not in lxml_row  # the baseline always runs


@pytest.mark.skipif(shutil.which("curl") is None, reason="the server benchmark's client is curl")
def test_server_bench_tiny_run(capsys: pytest.CaptureFixture[str]) -> None:
    """iisftp, set up through its own CLI, serves every figure at tiny size.

    The peers use the same harness code; only their launchers differ (checked below).
    """
    argv = ["--size", "1M", "--repeats", "1", "--small-files", "3", "--parallel", "2"]
    server_bench.main([*argv, "--idle", "3", "--servers", "iisftp"])
    out = capsys.readouterr().out
    assert "failed" not in out and "not available" not in out, out
    for label in ("FTPS RETR 1 MiB", "FTP STOR 1 MiB", "FTPS 3 x 4 KiB files", "3 idle TLS"):
        row = next(line for line in out.splitlines() if line.startswith(f"| {label}"))
        assert "n/a" not in row, row


def test_peer_launchers_parse_and_fail_clearly(tmp_path: Path) -> None:
    import pyftpd_server
    import servers

    with pytest.raises(SystemExit):
        pyftpd_server.main(["--root", str(tmp_path)])  # --port, --cert, --key are required
    cert, key = servers.make_certificate(tmp_path)
    assert cert.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    assert key.stat().st_mode & 0o777 == 0o600
