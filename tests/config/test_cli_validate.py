"""`iisftp validate`: exit codes and the text, json and github formats."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from iisftp.cli import app

VALIDATE = Path(__file__).resolve().parent / "data" / "validate"


def run(*args: str):
    return CliRunner().invoke(app, ["validate", *args])


def test_clean_file_exits_zero() -> None:
    result = run(str(VALIDATE / "bad_enum_good.config"))
    assert result.exit_code == 0, result.output


def test_errors_exit_one_with_text_lines() -> None:
    bad = VALIDATE / "bad_enum_bad.config"
    result = run(str(bad))
    assert result.exit_code == 1
    line = next(x for x in result.output.splitlines() if "IIS007" in x)
    assert line.startswith(f"{bad}:28:62: error IIS007: ")
    assert "SslAllowed" in line and "; use one of: SslAllow, SslRequire, SslDeny" in line


def test_unusable_input_exits_two(tmp_path) -> None:
    assert run(str(VALIDATE / "malformed_bad.config")).exit_code == 2
    assert run(str(tmp_path / "missing.config")).exit_code == 2
    # unusable wins over ordinary errors in other files
    assert run(str(VALIDATE / "bad_enum_bad.config"), str(tmp_path / "x.config")).exit_code == 2


def test_warnings_pass_unless_strict() -> None:
    path = str(VALIDATE / "binding_port_zero_bad.config")
    assert run(path).exit_code == 0
    assert run("--strict", path).exit_code == 1


def test_json_format() -> None:
    result = run("--format", "json", str(VALIDATE / "authz_nobody_bad.config"))
    assert result.exit_code == 0  # a warning only
    data = json.loads(result.stdout)
    (diag,) = [d for d in data["diagnostics"] if d["code"] == "IIS034"]
    assert set(diag) == {"file", "line", "column", "code", "severity", "message", "hint"}
    assert diag["severity"] == "warning" and diag["line"] == 40
    assert data["summary"]["warnings"] == 1


def test_github_format() -> None:
    bad = VALIDATE / "duplicate_site_id_bad.config"
    result = run("-f", "github", str(bad))
    assert result.exit_code == 1
    (line,) = [x for x in result.stdout.splitlines() if "IIS009" in x]
    assert line.startswith(f"::error file={bad},line=32,col=13,title=IIS009::")


def test_folder_argument_and_schema_dir(tmp_path, config_folder) -> None:
    folder = config_folder(VALIDATE / "bad_enum_bad.config")
    assert run(str(folder)).exit_code == 1
    # an empty schema folder: nothing is validated, so nothing is an error
    empty = tmp_path / "schemas"
    empty.mkdir()
    result = run("--schema-dir", str(empty), str(folder))
    assert result.exit_code == 0, result.output
    assert "IIS003" in result.output


def test_default_path_is_the_config_folder(config_folder) -> None:
    folder = config_folder(VALIDATE / "bad_enum_bad.config")
    result = run("-c", str(folder))
    assert result.exit_code == 1
    assert f"{folder / 'applicationHost.config'}:28:62: error IIS007" in result.output


def test_quiet_leaves_out_notes(corpus_dir) -> None:
    path = str(corpus_dir / "06_vjunish_applicationHost.xml")
    assert "IIS003" in run(path).stdout
    result = run("-q", path)
    assert result.exit_code == 0 and result.stdout == ""
