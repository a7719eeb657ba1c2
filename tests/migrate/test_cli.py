"""`iisftp migrate` on the command line: exit codes, text and JSON reports, dry run, options."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from migrate_helpers import apphost_text, digest
from typer.testing import CliRunner, Result

from iisftp.cli import app
from iisftp.cli import migrate as migrate_cli
from iisftp.errors import UsageError

runner = CliRunner()
CORPUS_12 = "12_hacksmarter_README_embedded_ftp_export.xml"


def cli(*args: str | Path) -> Result:
    return runner.invoke(app, ["migrate", *map(str, args)])


def refused(result: Result, text: str) -> bool:
    """A UsageError, raised (bare app) or printed with exit code 2 (app with its error handler)."""
    if isinstance(result.exception, UsageError):
        return text in str(result.exception)
    shown = result.output + (result.stderr if result.stderr_bytes is not None else "")
    return result.exit_code == 2 and text in shown


def test_text_report_and_exit_zero(corpus_dir: Path, tmp_path: Path, ftp_root: Path) -> None:
    out = tmp_path / "cfg"
    result = cli(
        corpus_dir / CORPUS_12, "--to", out, "--map-path", f"C:\\inetpub\\ftproot={ftp_root}"
    )
    assert result.exit_code == 0, result.output
    assert "migrated 1 FTP site(s)" in result.stdout
    assert (
        f"C:\\inetpub\\ftproot -> {ftp_root}   [command line: C:\\inetpub\\ftproot]"
        in result.stdout
    )
    assert "everything carried over" in result.stdout
    assert (out / "applicationHost.config").is_file()
    # The output passes `iisftp validate`.
    check = runner.invoke(app, ["validate", "-c", str(out)])
    assert check.exit_code == 0, check.output


def test_json_report_and_exit_one(corpus_dir: Path, tmp_path: Path) -> None:
    source = corpus_dir / "30_supernova_applicationHost_ftp_2020.xml"
    result = cli(source, "--to", tmp_path / "cfg", "--format", "json", "--map-port", "21=2121")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["exit_code"] == 1
    assert [s["name"] for s in data["sites"]] == ["SupernovaFTP"]
    assert data["sites"][0]["bindings"] == ["*:2121:"]
    warning = next(f for f in data["findings"] if f["code"] == "guessed-path")
    assert warning["severity"] == "warning" and warning["where"] == f"{source}:167"


def test_dry_run_writes_nothing(corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "cfg"
    result = cli(corpus_dir / CORPUS_12, "--to", out, "--dry-run", "--map-path", "C:\\=/srv/c")
    assert result.exit_code == 1, result.output  # the mapped folder does not exist here
    assert "would migrate 1 FTP site(s)" in result.stdout
    assert "(dry run: not written)" in result.stdout
    assert "C:\\inetpub\\ftproot -> /srv/c/inetpub/ftproot" in result.stdout
    assert not out.exists()


def test_nothing_usable_exits_two(corpus_dir: Path, tmp_path: Path) -> None:
    # Through the real entry point, as a user runs it.
    source = corpus_dir / "26_appcmd_kavita_apppools_utf16.xml"
    proc = subprocess.run(
        [sys.executable, "-m", "iisftp", "migrate", str(source), "--to", str(tmp_path / "x")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert (
        "no FTP site to migrate: 26_appcmd_kavita_apppools_utf16.xml is appcmd export of APPPOOL"
        in (proc.stdout)
    )


def test_mapping_file_option(tmp_path: Path, ftp_root: Path) -> None:
    source = tmp_path / "applicationHost.config"
    source.write_text(apphost_text())
    mapping = tmp_path / "map.toml"
    mapping.write_text(
        f"[paths]\n'%SystemDrive%\\inetpub\\ftproot' = '{ftp_root}'\n'D:\\shares' = '{ftp_root}'\n"
        "[ports]\n21 = 2100\n[accounts]\n'CONTOSO\\alice' = 'alice.smith'\n"
    )
    result = cli(source, "--to", tmp_path / "cfg", "--mapping", mapping, "--format", "json")
    data = json.loads(result.stdout)
    assert data["sites"][0]["bindings"] == ["*:2100:"]
    assert data["sites"][0]["folders"] == [f"/ -> {ftp_root}", f"/pub -> {ftp_root}/pub"]
    accounts = [m for m in data["mapped"] if m["kind"] == "account"]
    assert accounts[0]["target"] == "alice.smith"
    assert accounts[0]["rule"] == "mapping file map.toml"
    # Command-line pairs win over the file.
    result = cli(source, "--to", tmp_path / "cfg2", "--mapping", mapping, "--map-port", "21=2200")
    assert "*:2200:" in result.stdout


def test_refuses_to_overwrite(corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "cfg"
    out.mkdir()
    (out / "applicationHost.config").write_text("<configuration />\n")
    assert refused(cli(corpus_dir / CORPUS_12, "--to", out), "--force")
    assert cli(corpus_dir / CORPUS_12, "--to", out, "--force").exit_code == 0
    # Migrating a folder onto itself would overwrite the source: refused.
    before = digest(out / "applicationHost.config")
    assert refused(cli(out / "applicationHost.config", "--to", out, "--force"), "overwrite")
    assert digest(out / "applicationHost.config") == before


def test_bad_options(tmp_path: Path) -> None:
    for args, text in (
        (["--map-port", "ftp=21"], "not numbers"),
        (["--map-path", "nothing"], "is not FROM=TO"),
        (["--format", "xml"], "is not text or json"),
    ):
        assert refused(cli(tmp_path, "--to", tmp_path / "cfg", *args), text), args


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal_for_big_inputs(tmp_path: Path, monkeypatch) -> None:
    big = tmp_path / "big.config"
    big.write_text(apphost_text() + "<!--" + "x" * migrate_cli.PROGRESS_BYTES + "-->\n")
    small = tmp_path / "small.config"
    small.write_text(apphost_text())
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with migrate_cli._progress([small]) as progress:
        assert progress is None
    with migrate_cli._progress([big]) as progress:
        assert progress is not None
        progress("reading big.config", 1, 2)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with migrate_cli._progress([big]) as progress:
        assert progress is None
