"""The README's run command: `iisftp quickstart` prepares samples/quickstart on
first run (certificate, demo user, variables) and serves it to real clients."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from ftpclients import free_port
from typer.testing import CliRunner

from iisftp.app import server_for
from iisftp.cli import app
from iisftp.folder import ConfigFolder

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "quickstart"


@pytest.fixture()
def quick(tmp_path: Path) -> tuple[Path, int]:
    folder = tmp_path / "qs"
    port = free_port()
    result = CliRunner().invoke(
        app, ["quickstart", "-c", str(folder), "--port", str(port), "--prepare-only"]
    )
    assert result.exit_code == 0, result.output
    assert "first run: copied the quickstart sample" in result.output
    assert "first run: created self-signed certificate" in result.output
    assert f"ftp://127.0.0.1:{port}/" in result.output
    assert "first run: created user 'demo'" in result.output
    return folder, port


def test_first_run_changes_only_the_thumbprint_and_port(quick) -> None:
    folder, port = quick
    before = (SAMPLE / "applicationHost.config").read_text().splitlines()
    after = (folder / "applicationHost.config").read_text().splitlines()
    changed = [b for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 2
    assert f'bindingInformation="127.0.0.1:{port}:"' in changed[0]
    assert 'serverCertHash="' in changed[1] and 'serverCertHash=""' not in changed[1]
    assert (folder / "demo-password.txt").stat().st_mode & 0o777 == 0o600


def test_second_run_changes_nothing(quick) -> None:
    folder, _ = quick
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    result = CliRunner().invoke(app, ["quickstart", "-c", str(folder), "--prepare-only"])
    assert result.exit_code == 0
    assert "first run" not in result.output
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before


def test_refuses_a_folder_holding_another_configuration(tmp_path: Path) -> None:
    walkthrough = SAMPLE.parent / "walkthrough" / "hand-edit" / "applicationHost.config"
    shutil.copy(walkthrough, tmp_path)
    before = (tmp_path / "applicationHost.config").read_bytes()
    result = CliRunner().invoke(app, ["quickstart", "-c", str(tmp_path), "--prepare-only"])
    assert result.exit_code != 0
    assert "is not a quickstart configuration" in str(result.exception) + result.output
    assert (tmp_path / "applicationHost.config").read_bytes() == before
    assert not (tmp_path / "users.json").exists()


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_serves_over_ftps_to_curl(quick) -> None:
    folder, port = quick
    password = (folder / "demo-password.txt").read_text().strip()
    server = server_for(ConfigFolder.resolve(folder))
    server.start_in_thread()
    try:
        url = f"ftp://127.0.0.1:{port}/"
        curl = ["curl", "-sS", "-k", "--ssl-reqd", "-u", f"demo:{password}"]
        got = subprocess.run([*curl, url + "welcome.txt"], capture_output=True, timeout=30)
        assert got.stdout == b"Hello from iisftp.\n", got.stderr
        upload = folder / "note.txt"
        upload.write_bytes(b"uploaded")
        subprocess.run([*curl, "-T", str(upload), url + "upload/"], check=True, timeout=30)
        assert (folder / "ftproot/upload/note.txt").read_bytes() == b"uploaded"
        plain = subprocess.run(
            ["curl", "-sS", "-u", f"demo:{password}", url], capture_output=True, timeout=30
        )
        assert plain.returncode != 0  # SslRequire: no login without TLS
    finally:
        server.stop_in_thread()
