"""appcmd `/config /xml` exports: UTF-16 through PowerShell, CR CR LF, several sources, names."""

from __future__ import annotations

from pathlib import Path

from migrate_helpers import appcmd_text, apphost_text, codes, run, site_body

from iisftp.config import load
from iisftp.migrate import EXIT_ATTENTION, MigrationMapping
from iisftp.model.build import build_server_settings
from iisftp.xmldoc import Document


def _mapping(tmp_path: Path) -> MigrationMapping:
    return MigrationMapping(paths={"C:\\ftp": str(tmp_path / "ftp")})


def test_utf16_export_with_lying_declaration(tmp_path: Path) -> None:
    # PowerShell's `>` writes UTF-16LE with a BOM; the declaration still says UTF-8.
    text = appcmd_text(
        ("ftp.example.com v2", "7", site_body("one")),
        ("Intranet Files", "8", site_body("two", "*:21:intranet")),
    )
    source = tmp_path / "sites.txt"  # the name says nothing: detection is by content
    source.write_bytes(
        "\ufeff".encode("utf-16-le") + text.replace("\n", "\r\n").encode("utf-16-le")
    )
    (tmp_path / "ftp" / "one").mkdir(parents=True)
    (tmp_path / "ftp" / "two").mkdir(parents=True)
    report = run([source], tmp_path / "out", _mapping(tmp_path))
    assert [s.name for s in report.sites] == ["ftp.example.com v2", "Intranet Files"]
    # appcmd exports hold no authorization rules: said, not invented.
    assert "appcmd-no-authorization" in codes(report)
    assert report.exit_code == EXIT_ATTENTION
    config = load(tmp_path / "out")
    sites = build_server_settings(config).sites
    assert [(s.name, s.id) for s in sites] == [("ftp.example.com v2", 7), ("Intranet Files", 8)]
    assert sites[0].virtual_directories[0].physical_path == str(tmp_path / "ftp" / "one")
    assert sites[0].authentication.anonymous_enabled
    assert [d for d in config.validate() if d.severity == "error"] == []
    # A fresh UTF-8 file whose sites keep their text, re-indented under <sites>.
    out = (tmp_path / "out" / "applicationHost.config").read_text(encoding="utf-8")
    assert '            <site name="ftp.example.com v2" id="7">\n                <bindings>' in out
    assert "\r" not in out


def test_cr_cr_lf_and_double_spaced_export(tmp_path: Path) -> None:
    text = appcmd_text(("Drop Box", "3", site_body("drop")))
    source = tmp_path / "export.xml"
    # CR CR LF line ends, every line followed by an empty one (PowerShell capture).
    source.write_bytes(text.replace("\n", "\r\r\n\r\r\n").encode())
    report = run([source], tmp_path / "out", _mapping(tmp_path))
    assert [s.name for s in report.sites] == ["Drop Box"]
    out = (tmp_path / "out" / "applicationHost.config").read_text()
    assert "\n\n            <bindings>" not in out  # the artefact blank lines are gone
    assert '<site name="Drop Box" id="3">\n                <bindings>\n' in out
    doc = Document.load(tmp_path / "out" / "applicationHost.config")
    assert doc.newline == "\n"


def test_name_and_id_collisions_across_sources(tmp_path: Path) -> None:
    apphost = tmp_path / "applicationHost.config"
    apphost.write_text(apphost_text(name="Public FTP", id="2"))
    export = tmp_path / "more.xml"
    export.write_text(
        appcmd_text(
            ("public ftp", "5", site_body("a", "*:21:a.example")),  # same name, other case
            ("Second", "2", site_body("b", "*:2121:")),  # same id
        )
    )
    report = run([apphost, export], tmp_path / "out", _mapping(tmp_path))
    assert [(s.name, s.id) for s in report.sites] == [
        ("Public FTP", "2"),
        ("public ftp (2)", "5"),
        ("Second", "6"),
    ]
    collisions = [f for f in report.findings if f.code == "name-collision"]
    assert len(collisions) == 2
    assert all(str(f.where).startswith(str(export)) for f in collisions)
    config = load(tmp_path / "out")
    assert [s.name for s in config.sites()] == ["Public FTP", "public ftp (2)", "Second"]
    assert [d for d in config.validate() if d.severity == "error"] == []


def test_two_apphosts_bring_their_locations(tmp_path: Path) -> None:
    first = tmp_path / "one.config"
    first.write_text(apphost_text(name="Alpha", id="1"))
    second = tmp_path / "two.config"
    second.write_text(apphost_text(name="Alpha", id="1", user="CONTOSO\\bob"))
    report = run([first, second], tmp_path / "out", _mapping(tmp_path))
    assert [s.name for s in report.sites] == ["Alpha", "Alpha (2)"]
    config = load(tmp_path / "out")
    paths = sorted(loc.get("path") for loc in config.document.root.iterfind("location"))
    assert paths == ["Alpha", "Alpha (2)", "Alpha (2)/pub", "Alpha/pub"]
    settings = {s.name: s for s in build_server_settings(config).sites}
    rules = settings["Alpha (2)"].policy_for("/").authorization
    assert any("bob" in r.users for r in rules)
    # Findings about the second file point into the second file.
    accounts = {m.target: str(m.where).split(":")[0] for m in report.mapped if m.kind == "account"}
    assert accounts == {"alice": str(first), "bob": str(second)}


def test_summary_only_export_is_named(tmp_path: Path) -> None:
    source = tmp_path / "sites.xml"
    source.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<appcmd>\n'
        '    <SITE SITE.NAME="Default FTP Site" SITE.ID="2" bindings="ftp/*:21:" />\n'
        '    <SITE SITE.NAME="Web" SITE.ID="1" bindings="http/*:80:" state="Started" />\n'
        "</appcmd>\n"
    )
    report = run([source], tmp_path / "out")
    assert report.exit_code == 2
    found = next(f for f in report.findings if f.code == "appcmd-without-config")
    assert "Default FTP Site" in found.message and found.where.line == 3
    assert "/config /xml" in found.hint


def test_utf16_without_bom_is_recognised(tmp_path: Path) -> None:
    text = appcmd_text(("No BOM", "3", site_body("x"))).replace('"UTF-8"', '"UTF-16"')
    source = tmp_path / "export"
    source.write_bytes(text.encode("utf-16-le"))
    report = run([source], tmp_path / "out", _mapping(tmp_path), dry_run=True)
    assert [s.name for s in report.sites] == ["No BOM"]


def test_many_sites_keep_their_own_source_lines(tmp_path: Path) -> None:
    sites = [(f"Site {n}", str(n + 1), site_body(f"f{n}", f"*:21:h{n}.x")) for n in range(120)]
    source = tmp_path / "sites.xml"
    source.write_text(appcmd_text(*sites))
    report = run([source], tmp_path / "out", dry_run=True)
    assert len(report.sites) == 120
    lines = source.read_text().splitlines()
    guessed = [f for f in report.findings if f.code == "guessed-path"]
    assert len(guessed) == 120
    for n, finding in enumerate(guessed):
        assert f"C:\\ftp\\f{n}" in lines[finding.where.line - 1]


def test_same_file_twice(tmp_path: Path) -> None:
    source = tmp_path / "applicationHost.config"
    source.write_text(apphost_text(name="Alpha", id="1", binding="*:21:a"))
    report = run([source, source], tmp_path / "out", _mapping(tmp_path))
    assert [s.name for s in report.sites] == ["Alpha", "Alpha (2)"]
    config = load(tmp_path / "out")
    paths = sorted(loc.get("path") for loc in config.document.root.iterfind("location"))
    assert paths == ["Alpha", "Alpha (2)", "Alpha (2)/pub", "Alpha/pub"]


def test_site_option_picks_sites(tmp_path: Path) -> None:
    first = tmp_path / "one.config"
    first.write_text(apphost_text(name="Alpha", id="1", binding="*:21:a"))
    export = tmp_path / "more.xml"
    export.write_text(appcmd_text(("Beta", "2", site_body("b", "*:21:b"))))
    report = run([first, export], tmp_path / "out", _mapping(tmp_path), sites=["beta", "Gamma"])
    assert [s.name for s in report.sites] == ["Beta"]
    assert "site-not-chosen" in codes(report)
    missing = next(f for f in report.findings if f.code == "no-such-site")
    assert "'Gamma'" in missing.message
    config = load(tmp_path / "out")
    assert [s.name for s in config.sites()] == ["Beta"]
    assert config.document.root.find("location") is None  # Alpha's rules went with it
    # --keep-all keeps the other site as it was, unmapped.
    kept = run([first], tmp_path / "kept", _mapping(tmp_path), sites=["nothing"], keep_all=True)
    assert kept.sites == [] and kept.exit_code == 2
    assert "no FTP site matches --site nothing" in kept.render_text()


def test_keep_all_leaves_unchosen_ftp_sites_stopped(tmp_path: Path) -> None:
    source = tmp_path / "sites.xml"
    source.write_text(
        appcmd_text(("One", "1", site_body("a", "*:21:a")), ("Two", "2", site_body("b", "*:21:b")))
    )
    apphost = tmp_path / "applicationHost.config"
    run([source], tmp_path / "base", _mapping(tmp_path))  # an apphost with two FTP sites
    (tmp_path / "base" / "applicationHost.config").rename(apphost)
    report = run([apphost], tmp_path / "out", _mapping(tmp_path), sites=["two"], keep_all=True)
    assert [s.name for s in report.sites] == ["Two"]
    sites = {s.name: s for s in build_server_settings(load(tmp_path / "out")).sites}
    assert not sites["One"].server_auto_start and sites["Two"].server_auto_start
