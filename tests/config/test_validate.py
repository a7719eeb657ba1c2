"""Validation rules: each with a bad file and its good twin (data/validate/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iisftp.config import load
from iisftp.config.validate import validate_file

VALIDATE = Path(__file__).resolve().parent / "data" / "validate"
HASH = "57686F6120447564652C2049495320526F636B73"
CASES = json.loads((VALIDATE / "cases.json").read_text())


def line_of(path: Path, marker: str) -> int:
    """The last line holding `marker` (duplicates are reported where they repeat)."""
    lines = [n for n, line in enumerate(path.read_text().splitlines(), 1) if marker in line]
    assert lines, f"{marker!r} not in {path}"
    return lines[-1]


@pytest.mark.parametrize("case", CASES, ids=[c["stem"] for c in CASES])
def test_bad_file_reports_the_rule(case) -> None:
    bad = VALIDATE / f"{case['stem']}_bad.config"
    found = [d for d in validate_file(bad) if d.code == case["code"]]
    assert found, f"{case['code']} not reported for {bad.name}"
    assert {d.severity for d in found} == {case["severity"]}
    assert all(d.file == str(bad) and d.message and d.hint for d in found)
    if case["marker"]:
        assert line_of(bad, case["marker"]) in {d.line for d in found}


@pytest.mark.parametrize("case", CASES, ids=[c["stem"] for c in CASES])
def test_good_twin_is_clean(case) -> None:
    good = VALIDATE / f"{case['stem']}_good.config"
    problems = [d.text() for d in validate_file(good) if d.severity != "info"]
    assert problems == []


def test_malformed_file_is_one_unusable_error() -> None:
    (diag,) = validate_file(VALIDATE / "malformed_bad.config")
    assert diag.code == "IIS001" and diag.severity == "error" and diag.line > 40


def test_corpus_files_all_validate(corpus_dir) -> None:
    results = {}
    for path in sorted(corpus_dir.glob("*.xml")):
        diagnostics = validate_file(path)  # must not raise for any of them
        results[path.name[:2]] = {(d.code, d.severity) for d in diagnostics}
        for diag in diagnostics:
            assert diag.file == str(path) and diag.code.startswith("IIS")
    # the broken file: one error with its line
    broken = validate_file(corpus_dir / "09_jexus_tests_original2_missing_closing_BROKEN.xml")
    assert [(d.code, d.line) for d in broken] == [("IIS001", 1134)]
    # appcmd exports and fragments are recognised as such
    for number in ("24", "26", "28", "29", "35", "36"):
        assert ("IIS002", "info") in results[number]
    # system.webServer and friends: info, never an error
    assert ("IIS003", "info") in results["30"]
    assert not [c for c in results["30"] if c[1] == "error"]
    # D:\resources\ftp means nothing on a POSIX host
    assert ("IIS019", "warning") in results["30"]
    # the fragment with two <application path="/">
    assert ("IIS009", "error") in results["35"]


def test_strict_promotes_warnings_and_unvalidated_sections(corpus_dir) -> None:
    path = corpus_dir / "06_vjunish_applicationHost.xml"
    assert all(d.severity == "info" for d in validate_file(path))
    strict = validate_file(path, strict=True)
    assert {d.severity for d in strict if d.code == "IIS003"} == {"error"}


def test_config_validate_method(load_data) -> None:
    config = load_data("ftp_sites.config")
    codes = {d.code for d in config.validate()}
    # the hand-written file uses port 0 on purpose (tests use OS-assigned ports)
    assert "IIS022" in codes
    assert not [d for d in config.validate() if d.severity == "error"]


def test_certificate_missing_from_store(tmp_path, config_folder) -> None:
    certs = pytest.importorskip("iisftp.certs")
    folder = config_folder(VALIDATE / "cert_hash_lowercase_good.config")
    (folder / "certs").mkdir()
    diagnostics = load(folder).validate()
    missing = [d for d in diagnostics if d.code == "IIS033"]
    assert missing and missing[0].severity == "error"
    assert HASH in missing[0].message
    # with the certificate in the store, the error goes away
    store = certs.CertStore(folder / "certs")
    created = store.create_self_signed("ftp.example.com")
    apphost = folder / "applicationHost.config"
    apphost.write_text(apphost.read_text().replace(HASH, created.thumbprint))
    assert not [d for d in load(folder).validate() if d.code == "IIS033"]


def test_positions_point_at_the_tag_or_attribute(tmp_path) -> None:
    path = tmp_path / "applicationHost.config"
    path.write_text(
        "<configuration>\n"
        "  <system.ftpServer>\n"
        "    <security>\n"
        "      <authorization>\n"
        '        <add accessType="Allow" users="a" permissions="Read" /><add\n'
        '            accessType="Allow"\n'
        '            users="b" permissions="Red" />\n'
        "      </authorization>\n"
        "    </security>\n"
        "  </system.ftpServer>\n"
        "</configuration>\n"
    )
    (diag,) = [d for d in validate_file(path) if d.code == "IIS007"]
    # lxml reports line 7 (where the start tag ends); the attribute is at 7:23
    assert (diag.line, diag.column) == (7, 23)
    duplicate = tmp_path / "dup" / "applicationHost.config"
    duplicate.parent.mkdir()
    duplicate.write_text(
        path.read_text().replace('users="b" permissions="Red"', 'users="a" permissions="Read"')
    )
    (diag,) = [d for d in validate_file(duplicate) if d.code == "IIS009"]
    # the second <add> on line 5 begins at column 64 and its tag spans to line 7
    assert (diag.line, diag.column) == (5, 64)
