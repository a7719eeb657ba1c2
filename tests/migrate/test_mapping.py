"""Mappings: Windows paths, addresses, ports and accounts to this host; the TOML file."""

from __future__ import annotations

from pathlib import Path

import pytest
from migrate_helpers import apphost_text, codes, run

from iisftp.errors import UsageError
from iisftp.migrate import MigrationMapping, load_mapping

PATHS = [
    # (mapping rules, Windows path, local path, rule kind)
    ({}, r"%SystemDrive%\inetpub\ftproot", "/srv/ftp", "default"),
    ({}, r"C:\InetPub\FTPRoot\Sub Dir\x.txt", "/srv/ftp/Sub Dir/x.txt", "default"),
    ({}, r"%systemdrive%\inetpub\logs\LogFiles", "/var/log/iisftp/LogFiles", "default"),
    ({r"D:\data": "/data"}, "d:\\DATA\\ftp\\", "/data/ftp", "--map"),
    ({r"D:\data": "/data", r"D:\data\ftp": "/ftp"}, r"D:\data\ftp\in", "/ftp/in", "--map"),
    ({r"D:\data": "/data"}, r"D:\database", "/srv/iisftp/d/database", "fallback"),
    ({}, r"\\fileserver\share\ftp", "/srv/iisftp/unc/fileserver/share/ftp", "fallback"),
    ({"%FTP_HOME%": "/home/ftp"}, r"%FTP_HOME%\site", "/home/ftp/site", "--map"),
    ({}, r"C:\ftp\..\..\etc", "/srv/iisftp/c/ftp/etc", "fallback"),
    ({}, "/already/local", "/already/local", "already"),
]


@pytest.mark.parametrize(("rules", "windows", "local", "kind"), PATHS)
def test_paths(rules: dict[str, str], windows: str, local: str, kind: str) -> None:
    result = MigrationMapping(paths=rules).resolve_path(windows)
    assert result.local == local
    assert result.rule.startswith(kind)
    assert result.guessed == (kind == "fallback")


def test_unknown_variable_is_named() -> None:
    result = MigrationMapping().resolve_path(r"%JEXUS_TEST_HOME%\WebSite1")
    assert result.local == "/srv/iisftp/JEXUS_TEST_HOME/WebSite1"
    assert result.unknown_variables == ("JEXUS_TEST_HOME",)


def test_ports_need_root_below_1024() -> None:
    m = MigrationMapping()
    assert m.resolve_port(21, privileged=False)[0] == 2121
    assert m.resolve_port(990, privileged=False)[0] == 9990
    assert m.resolve_port(21, privileged=True) == (21, "unchanged")
    assert m.resolve_port(2121, privileged=False) == (2121, "unchanged")
    assert MigrationMapping(ports={21: 0}).resolve_port(21, privileged=True)[0] == 0


def test_addresses() -> None:
    m = MigrationMapping(addresses={"10.1.2.3": "127.0.0.1"})
    assert m.resolve_address("10.1.2.3")[0] == "127.0.0.1"
    assert m.resolve_address("127.0.0.1")[0] == "127.0.0.1"  # on this host: kept
    assert m.resolve_address("192.0.2.77") == ("*", "default: address is not on this host")
    assert m.resolve_address("*")[0] == "*"


def test_accounts() -> None:
    m = MigrationMapping(accounts={"CONTOSO\\Bob": "robert", "Administrators": "admins"})
    assert m.resolve_account("contoso\\bob")[0] == "robert"
    assert m.resolve_account("FABRIKAM\\carol") == ("carol", "default: domain removed")
    assert m.resolve_account("carol@fabrikam.com")[0] == "carol"
    assert m.resolve_account("BUILTIN\\Administrators")[0] == "admins"
    assert m.resolve_account("ftpuser") == ("ftpuser", "unchanged")


def test_mapping_file(tmp_path: Path) -> None:
    f = tmp_path / "map.toml"
    f.write_text(
        "[paths]\n"
        "'D:\\resources\\ftp' = \"/srv/supernova\"\n"
        "[addresses]\n"
        '"10.0.0.5" = "*"\n'
        "[ports]\n"
        "21 = 2121\n"
        "[accounts]\n"
        "'CONTOSO\\alice' = \"alice2\"\n"
        "[certificates]\n"
        '"ab cd" = "ftp.pfx"\n'
        '"EF01" = { file = "other.pfx", password_env = "PFX_PW" }\n'
        "[options]\n"
        'fallback_root = "/srv/imported"\n'
    )
    m = load_mapping(f)
    assert m.resolve_path("D:\\resources\\ftp\\in").local == "/srv/supernova/in"
    assert m.ports == {21: 2121}
    assert m.resolve_account("contoso\\ALICE")[0] == "alice2"
    assert m.certificate("ABCD").file == tmp_path / "ftp.pfx"  # relative to the file
    assert m.certificate("ef01").password_env == "PFX_PW"
    assert m.resolve_path("E:\\x").local == "/srv/imported/e/x"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[paths\n", "not valid TOML"),
        ("[users]\na = 'b'\n", "unknown table [users]"),
        ("[ports]\nftp = 21\n", "not numbers"),
        ("[ports]\n21 = 70000\n", "out of range"),
        ("[paths]\n'C:\\\\x' = 3\n", "must map to a string"),
        ("[options]\nfallback_root = 'relative'\n", "absolute path"),
    ],
)
def test_mapping_file_errors(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "map.toml"
    f.write_text(text)
    with pytest.raises(UsageError, match=message.replace("[", r"\[")):
        load_mapping(f)


def test_mappings_in_a_migration(tmp_path: Path) -> None:
    source = tmp_path / "applicationHost.config"
    source.write_text(apphost_text(binding="192.0.2.10:21:ftp.example.com", pub=r"\\nas\pub"))
    report = run([source], tmp_path / "out", privileged=False)
    out = (tmp_path / "out" / "applicationHost.config").read_text()
    # Binding: address not on this host -> all addresses; port 21 -> 2121, said loudly.
    assert 'bindingInformation="*:2121:ftp.example.com"' in out
    port = next(f for f in report.findings if f.code == "port-changed")
    assert "NEEDS ROOT" in port.message and port.where is not None
    lines = source.read_text().splitlines()
    assert "192.0.2.10:21:ftp.example.com" in lines[port.where.line - 1]
    assert {"address-changed", "guessed-path", "missing-folder"} <= codes(report)
    kinds = {(m.kind, m.source, m.target) for m in report.mapped}
    assert ("port", "21", "2121") in kinds and ("address", "192.0.2.10", "*") in kinds
    assert ("path", r"\\nas\pub", "/srv/iisftp/unc/nas/pub") in kinds
    # The http binding of the FTP site is dropped and said so.
    assert "http" not in out.split("<bindings>")[1].split("</bindings>")[0]
    assert "site 'Public FTP' bindings: http *:80:" in report.dropped


def test_implicit_ftps_port_keeps_implicit(tmp_path: Path) -> None:
    source = tmp_path / "applicationHost.config"
    source.write_text(apphost_text(binding="*:990:"))
    run([source], tmp_path / "out", privileged=False)
    out = (tmp_path / "out" / "applicationHost.config").read_text()
    assert 'bindingInformation="*:9990:" implicitSsl="true"' in out
