"""`iisftp site ...` on a real configuration folder: the IIS wizard and dialogs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import iisftp
from iisftp.cli import app

REPO = Path(__file__).resolve().parents[2]
SITE = "My New FTP Site"


@pytest.fixture()
def cfg_dir(tmp_path: Path) -> Path:
    shutil.copy(REPO / "samples/quickstart/applicationHost.config", tmp_path)
    (tmp_path / "variables.env").write_text(f"QuickstartRoot={tmp_path}\n")
    (tmp_path / "content").mkdir()
    return tmp_path


def run(cfg_dir: Path, *args: str, input: str | None = None):
    result = CliRunner().invoke(app, [*args, "-c", str(cfg_dir)], input=input)
    return result


def add_site(cfg_dir: Path, *extra: str):
    assert run(cfg_dir, "cert", "create-self-signed", "--name", "My FTP Certificate").exit_code == 0
    return run(
        cfg_dir,
        "site",
        "add",
        SITE,
        "--path",
        str(cfg_dir / "content"),
        "--ip",
        "127.0.0.1",
        "--port",
        "2221",
        "--cert",
        "My FTP Certificate",
        "-u",
        "administrator",
        "-p",
        "Read, Write",
        *extra,
    )


def test_wizard_writes_the_iis_shape(cfg_dir: Path) -> None:
    result = add_site(cfg_dir)
    assert result.exit_code == 0, result.output
    text = (cfg_dir / "applicationHost.config").read_text()
    thumb = iisftp.load(cfg_dir).site_element(SITE, "ftpServer/security/ssl").get("serverCertHash")
    assert len(thumb) == 40 and thumb == thumb.upper()
    assert f'<site name="{SITE}" id="2">' in text
    assert '<virtualDirectory path="/" physicalPath="' in text
    assert '<binding protocol="ftp" bindingInformation="127.0.0.1:2221:" />' in text
    assert f'<ssl serverCertHash="{thumb}" controlChannelPolicy="SslAllow"' in text
    assert '<basicAuthentication enabled="true" />' in text
    assert f'<location path="{SITE}">' in text
    assert '<add accessType="Allow" users="administrator" permissions="Read, Write" />' in text


def test_advanced_ssl_policy_changes_one_line(cfg_dir: Path) -> None:
    assert add_site(cfg_dir).exit_code == 0
    before = (cfg_dir / "applicationHost.config").read_text().splitlines()
    result = run(
        cfg_dir, "site", "ssl", SITE, "--control", "SslRequireCredentialsOnly", "--data", "SslAllow"
    )
    assert result.exit_code == 0, result.output
    after = (cfg_dir / "applicationHost.config").read_text().splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 1
    assert 'controlChannelPolicy="SslRequireCredentialsOnly"' in changed[0][1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["site", "ssl", SITE, "--control", "Bogus"], "not a valid value"),
        (["site", "add", "X", "--path", "/x", "--ip", "300.1.1.1", "--ssl", "none"], "not an IP"),
        (["site", "add", "X", "--path", "/x", "--port", "70000", "--ssl", "none"], "out of range"),
        (["site", "add", "X", "--path", "/x", "--cert", "nope"], "no certificate 'nope'"),
        (["site", "add", SITE, "--path", "/x", "--ssl", "none"], "already exists"),
        (
            [
                "site",
                "add",
                "X",
                "--path",
                "/x",
                "--ssl",
                "none",
                "--ip",
                "127.0.0.1",
                "--port",
                "2221",
            ],
            "collides",
        ),
        (["site", "authz", "add", SITE, "up"], "needs users or roles"),
        (["site", "show", "Nope"], "no site named"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(cfg_dir: Path, args, message) -> None:
    assert add_site(cfg_dir).exit_code == 0
    before = (cfg_dir / "applicationHost.config").read_bytes()
    result = CliRunner().invoke(app, [*args, "-c", str(cfg_dir)])
    assert result.exit_code != 0
    assert message in str(result.exception or "") + result.output
    assert (cfg_dir / "applicationHost.config").read_bytes() == before


def test_missing_fields_fail_clearly_without_a_terminal(cfg_dir: Path) -> None:
    result = run(cfg_dir, "site", "add", "--ssl", "none")
    assert result.exit_code != 0
    assert "site name is missing" in str(result.exception)


def test_authz_binding_auth_and_remove(cfg_dir: Path) -> None:
    assert add_site(cfg_dir).exit_code == 0
    steps = [
        ["site", "authz", "add", SITE, "upload", "--access", "Deny", "-u", "guest", "-p", "Write"],
        ["site", "binding", "add", SITE, "--ip", "*", "--port", "2222"],
        ["site", "auth", SITE, "--anonymous"],
        ["site", "start-on-boot", SITE, "--off"],
    ]
    for step in steps:
        result = run(cfg_dir, *step)
        assert result.exit_code == 0, result.output
    cfg = iisftp.load(cfg_dir)
    rules = cfg.effective("system.ftpServer/security/authorization", f"{SITE}/upload").collection()
    assert [(r.get("accessType"), r.raw("users")) for r in rules] == [
        ("Allow", "administrator"),
        ("Deny", "guest"),
    ]
    site = cfg.site(SITE)
    assert {b.information for b in site.bindings} == {"127.0.0.1:2221:", "*:2222:"}
    auth = cfg.site_element(SITE, "ftpServer/security/authentication/anonymousAuthentication")
    assert auth.get("enabled") is True
    assert cfg.site_element(SITE, "ftpServer").get("serverAutoStart") is False

    assert run(cfg_dir, "site", "remove", SITE).exit_code == 0
    text = (cfg_dir / "applicationHost.config").read_text()
    assert SITE not in text


def test_list_and_show_json(cfg_dir: Path) -> None:
    import json

    assert add_site(cfg_dir).exit_code == 0
    listed = json.loads(run(cfg_dir, "site", "list", "--json").output)
    assert [s["name"] for s in listed] == ["Quickstart FTP Site", SITE]
    shown = json.loads(run(cfg_dir, "site", "show", SITE, "--json").output)
    assert shown["ssl"]["controlChannelPolicy"] == "SslAllow"
    assert shown["authorization"][0]["permissions"] == "Read, Write"
