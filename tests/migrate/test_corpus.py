"""Every corpus file through `migrate`: FTP-bearing ones carry over and validate, the
others end with exit code 2 and a reason; sources are never modified; twice = same bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from migrate_helpers import codes, digest, run

from iisftp.config import load
from iisftp.migrate import EXIT_ATTENTION, EXIT_NOTHING, EXIT_OK, MigrationMapping
from iisftp.model.build import build_server_settings

# MANIFEST.tsv: 07, 12 and 30 hold FTP bindings; 28 has ftpServer elements on web sites only.
FTP_FILES = {
    "07_jexus_tests_original2_ftp_enc.xml": ["WebSite1"],
    "12_hacksmarter_README_embedded_ftp_export.xml": ["data-leaks"],
    "30_supernova_applicationHost_ftp_2020.xml": ["SupernovaFTP"],
}


def corpus_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.iterdir() if p.suffix == ".xml")


def test_every_corpus_file(corpus_dir: Path, tmp_path: Path) -> None:
    for source in corpus_files(corpus_dir):
        before = digest(source)
        out = tmp_path / source.stem
        report = run([source], out)
        assert digest(source) == before, source.name
        names = [s.name for s in report.sites]
        assert names == FTP_FILES.get(source.name, []), source.name
        if not names:
            assert report.exit_code == EXIT_NOTHING, source.name
            assert "no-ftp-sites" in codes(report)
            assert not (out / "applicationHost.config").exists()
            continue
        config = load(out)
        settings = build_server_settings(config)
        assert [s.name for s in settings.sites] == names
        # Nothing but FTP sites survives, and the configuration loads and validates.
        assert [s.name for s in config.sites()] == names
        errors = [d for d in config.validate() if d.severity == "error"]
        if source.name.startswith("07"):
            # The site has no ftpServer settings: IIS's default SslRequire without a
            # certificate. Reported, not papered over.
            assert any("SslRequire" in d.message for d in errors)
            assert report.exit_code == EXIT_ATTENTION
        else:
            assert errors == []


def test_twice_gives_the_same_output(corpus_dir: Path, tmp_path: Path) -> None:
    for name in FTP_FILES:
        source = corpus_dir / name
        first = run([source], tmp_path / "a")
        second = run([source], tmp_path / "a")  # same folder again: nothing changes
        third = run([source], tmp_path / "b")
        a = (tmp_path / "a" / "applicationHost.config").read_bytes()
        assert a == (tmp_path / "b" / "applicationHost.config").read_bytes()
        assert "unchanged" in codes(second)
        assert first.to_json().replace(str(tmp_path / "a"), "X") == third.to_json().replace(
            str(tmp_path / "b"), "X"
        )
        for d in ("a", "b"):
            (tmp_path / d / "applicationHost.config").unlink()


def test_ftp_site_kept_with_comments_and_formatting(corpus_dir: Path, tmp_path: Path) -> None:
    source = corpus_dir / "30_supernova_applicationHost_ftp_2020.xml"
    report = run([source], tmp_path, MigrationMapping(paths={"D:\\resources\\ftp": str(tmp_path)}))
    assert report.exit_code == EXIT_OK, report.render_text()
    out = (tmp_path / "applicationHost.config").read_bytes()
    src = source.read_bytes()
    # The kept site is byte-identical to the source except the rewritten path; CRLF kept.
    site = src[src.index(b'<site name="SupernovaFTP"') : src.index(b"</site>") + 7]
    expected = site.replace(b"D:\\resources\\ftp", str(tmp_path).encode())
    assert expected in out
    assert b"\r\n" in out and b"\n" not in out.replace(b"\r\n", b"")
    # IIS's header comment survives; the web site and system.webServer do not.
    assert b"IIS configuration sections." in out
    assert b"SupernovaWebApi" not in out
    assert load(tmp_path).document.root.find("system.webServer") is None
    loc = src[src.index(b'<location path="SupernovaFTP">') :]
    assert loc[: loc.index(b"</location>")] in out


def test_keep_all_keeps_the_file_whole(corpus_dir: Path, tmp_path: Path) -> None:
    source = corpus_dir / "12_hacksmarter_README_embedded_ftp_export.xml"
    report = run([source], tmp_path, keep_all=True)
    out = (tmp_path / "applicationHost.config").read_text()
    assert "hacksmartersec" in out and "<system.webServer>" in out
    assert [s.name for s in report.sites] == ["data-leaks"]
    # Only the FTP site's folder was rewritten.
    assert "C:\\inetpub\\wwwroot\\hacksmartersec" in out
    assert 'physicalPath="/srv/ftp"' in out


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("26_appcmd_kavita_apppools_utf16.xml", "APPPOOL"),  # UTF-16, declaration says UTF-8
        ("24_appcmd_wooyakko_apppools.xml", "APPPOOL"),  # CR CR LF line ends
        ("28_appcmd_nibodev_sites_ftpdefaults.xml", "10 site(s) have no ftp binding"),
        ("09_jexus_tests_original2_missing_closing_BROKEN.xml", "malformed XML"),
    ],
)
def test_nothing_usable_says_why(corpus_dir: Path, tmp_path: Path, name: str, expected: str):
    report = run([corpus_dir / name], tmp_path / "out")
    assert report.exit_code == EXIT_NOTHING
    text = report.render_text()
    assert expected in text
    assert "no FTP site to migrate" in text
    assert not (tmp_path / "out").exists()
