"""`iisftp config get|set|unset|add|remove|clear` through typer's CliRunner."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from iisftp.cli import app
from iisftp.config import load
from iisftp.errors import UsageError

SITES = "system.applicationHost/sites"
SSL = "[name='FTP One'].ftpServer.security.ssl"


def run(*args: str):
    return CliRunner().invoke(app, ["config", *args])


def usage_error_text(result) -> str:
    """The error text, whether the CLI layer or the caller turns UsageError into exit 2."""
    if isinstance(result.exception, UsageError):
        return str(result.exception)
    assert result.exit_code == 2, result.output
    assert "error: " in result.output
    return result.output


def test_get_attribute_with_origin(config_folder) -> None:
    folder = config_folder("ftp_sites.config")
    result = run("get", "-c", str(folder), SITES, f"{SSL}.controlChannelPolicy")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("SslAllow  (") and ":80)" in result.stdout
    result = run("get", "-c", str(folder), SITES, f"{SSL}.serverCertStoreName", "--json")
    data = json.loads(result.stdout)
    assert data["value"] == "MY" and data["origin"] is None and data["encrypted"] is False


def test_get_element_and_collection(config_folder) -> None:
    folder = config_folder("ftp_sites.config")
    result = run("get", "-c", str(folder), SITES, SSL)
    assert "dataChannelPolicy = SslDeny  (" in result.stdout
    assert "ssl128 = true" in result.stdout
    result = run(
        "get",
        "-c",
        str(folder),
        "system.ftpServer/security/authorization",
        "-l",
        "FTP One/pub",
        "--json",
    )
    items = json.loads(result.stdout)["items"]
    assert [i["attributes"][1]["value"] for i in items] == ["Admins, Uploaders", "?", "mallory"]


def test_set_saves_with_history(config_folder) -> None:
    folder = config_folder("ftp_sites.config")
    result = run("set", "-c", str(folder), SITES, f"{SSL}.controlChannelPolicy", "SslRequire")
    assert result.exit_code == 0, result.output
    assert "CFGHISTORY_0000000001" in result.stdout
    view = load(folder).site_element("FTP One", "ftpServer/security/ssl")
    assert view.get("controlChannelPolicy") == "SslRequire"


def test_set_invalid_value_is_a_usage_error(config_folder) -> None:
    folder = config_folder("ftp_sites.config")
    before = (folder / "applicationHost.config").read_bytes()
    result = run("set", "-c", str(folder), SITES, f"{SSL}.controlChannelPolicy", "Maybe")
    assert "SslRequireCredentialsOnly" in usage_error_text(result)
    assert (folder / "applicationHost.config").read_bytes() == before
    assert not (folder / "history").exists()


def test_add_remove_clear_unset(config_folder) -> None:
    folder = config_folder("ftp_sites.config")
    authz = "system.ftpServer/security/authorization"
    result = run(
        "add",
        "-c",
        str(folder),
        authz,
        "[accessType='Allow',users='erin']",
        "permissions=Read, Write",
        "--location",
        "Plain FTP",
    )
    assert result.exit_code == 0, result.output
    rules = load(folder).effective(authz, "Plain FTP").collection()
    assert [r.get("users") for r in rules] == ["*", "erin"]
    assert rules[1].get("permissions") == 3

    result = run(
        "remove",
        "-c",
        str(folder),
        authz,
        "[users='*',roles='',permissions='Read']",
        "-l",
        "Plain FTP",
    )
    assert result.exit_code == 0, result.output
    assert [r.get("users") for r in load(folder).effective(authz, "Plain FTP").collection()] == [
        "erin"
    ]
    assert run("clear", "-c", str(folder), authz, "-l", "Plain FTP").exit_code == 0
    assert load(folder).effective(authz, "Plain FTP").collection() == []

    result = run("unset", "-c", str(folder), SITES, f"{SSL}.dataChannelPolicy")
    assert result.exit_code == 0, result.output
    view = load(folder).site_element("FTP One", "ftpServer/security/ssl")
    assert view.get("dataChannelPolicy") == "SslAllow"  # siteDefaults again


@pytest.mark.parametrize(
    "args",
    [
        ("get", SITES, "[name='Nope'].ftpServer"),
        ("set", SITES, "[name='FTP One']", "x"),
        ("add", "system.webServer/asp", "", "x=1"),
        ("add", "system.ftpServer/security/authorization", "", "users"),
    ],
)
def test_bad_requests_are_usage_errors(config_folder, args) -> None:
    folder = config_folder("ftp_sites.config")
    result = run(args[0], "-c", str(folder), *args[1:])
    assert usage_error_text(result)
