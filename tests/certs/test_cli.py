"""`iisftp cert ...` through typer's CliRunner (and a real process for exit codes and TTY)."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from iisftp.certs import CertStore
from iisftp.cli import app
from iisftp.cli import cert as cert_cli
from iisftp.errors import UsageError

from .conftest import MakeCert
from .factory import key_pem, pem, pfx, sha1_hex

runner = CliRunner()


def cli(config: Path, *args: str, input: str | None = None) -> Result:
    return runner.invoke(app, ["cert", *args, "-c", str(config)], input=input)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    folder = tmp_path / "config"
    folder.mkdir()
    return folder


def _store(config: Path) -> CertStore:
    return CertStore(config / "certs")


def test_create_self_signed_prints_thumbprint(config: Path) -> None:
    result = cli(config, "create-self-signed", "--name", "My FTP Certificate", "--dns", "ftp.test")
    assert result.exit_code == 0, result.output
    tp = result.stdout.strip()
    stored = _store(config).find(tp)
    assert stored is not None and stored.friendly_name == "My FTP Certificate"
    assert f'serverCertHash="{tp}"' in result.stderr
    assert stored.sans == ("DNS:ftp.test",)


def test_create_self_signed_options_and_json(config: Path) -> None:
    result = cli(
        config,
        "create-self-signed",
        "--name",
        "rsa",
        "--key",
        "rsa",
        "--days",
        "5",
        "--store",
        "WebHosting",
        "--dns",
        "a.test",
        "--dns",
        "192.0.2.1",
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["store"] == "WebHosting" and data["sans"] == ["DNS:a.test", "IP:192.0.2.1"]
    assert data["has_private_key"] is True and data["expired"] is False
    assert cli(config, "create-self-signed", "--name", "x", "--key", "dsa").exit_code == 2
    assert cli(config, "create-self-signed", "--name", "x", "--days", "0").exit_code == 2


def test_import_pfx_password_stdin_and_file(
    config: Path, make_cert: MakeCert, tmp_path: Path
) -> None:
    cert, key = make_cert()
    path = tmp_path / "site.pfx"
    path.write_bytes(pfx(cert, key, b"p@ss word"))
    result = cli(config, "import", str(path), "--password-stdin", input="p@ss word\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == sha1_hex(cert)

    pw_file = tmp_path / "pw.txt"
    pw_file.write_text("p@ss word\n")
    result = cli(config, "import", str(path), "--password-file", str(pw_file), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["added"] is False and data["thumbprint"] == sha1_hex(cert)
    assert "already in store" in result.stderr


def test_import_wrong_password_is_a_usage_error(
    config: Path, make_cert: MakeCert, tmp_path: Path
) -> None:
    cert, key = make_cert()
    path = tmp_path / "site.pfx"
    path.write_bytes(pfx(cert, key, b"right"))
    result = cli(config, "import", str(path), "--password-stdin", input="wrong\n")
    assert isinstance(result.exception, UsageError)
    assert result.exception.exit_code == 2
    assert "wrong password" in str(result.exception)
    assert "wrong" not in result.output  # the password is not echoed anywhere
    result = cli(config, "import", str(path), "--password-stdin", input="")
    assert isinstance(result.exception, UsageError)
    assert "no password on standard input" in str(result.exception)


def test_import_pem_with_key_name_and_expiry_warning(
    config: Path, make_cert: MakeCert, tmp_path: Path
) -> None:
    cert, key = make_cert(start_days=-30, end_days=-2)
    (tmp_path / "c.pem").write_bytes(pem(cert))
    (tmp_path / "c.key").write_bytes(key_pem(key))
    result = cli(
        config, "import", str(tmp_path / "c.pem"), "--key", str(tmp_path / "c.key"), "--name", "Old"
    )
    assert result.exit_code == 0, result.output
    assert "warning: certificate" in result.stderr and "expired on" in result.stderr
    stored = _store(config).find(sha1_hex(cert))
    assert stored is not None and stored.friendly_name == "Old" and stored.has_private_key


def test_import_garbage(config: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.pfx"
    junk.write_bytes(b"\x00garbage" * 50)
    result = cli(config, "import", str(junk))
    assert isinstance(result.exception, UsageError)
    assert "not a certificate file" in str(result.exception)


def test_list_plain_json_and_store_filter(config: Path) -> None:
    a = _store(config).create_self_signed("Alpha", ["a.test"])
    b = _store(config).create_self_signed("Beta", ["b.test"], store_name="WebHosting")
    result = cli(config, "list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split("\t")[:3] for line in lines] == [
        ["MY", a.thumbprint, "Alpha"],
        ["WebHosting", b.thumbprint, "Beta"],
    ]
    assert lines[0].endswith("\tkey")
    data = json.loads(cli(config, "list", "--json", "--store", "webhosting").stdout)
    assert [d["thumbprint"] for d in data] == [b.thumbprint]
    assert data[0]["sans"] == ["DNS:b.test"]
    assert json.loads(cli(config, "list", "--json", "--store", "Root").stdout) == []


def test_list_on_a_terminal_draws_a_table(config: Path) -> None:
    stored = _store(config).create_self_signed("Table Cert", ["t.test"])
    primary, secondary = pty.openpty()
    env = {**os.environ, "COLUMNS": "250", "TERM": "xterm"}
    proc = subprocess.run(
        [sys.executable, "-m", "iisftp", "cert", "list", "-c", str(config)],
        stdout=secondary,
        stderr=subprocess.PIPE,
        env=env,
        timeout=60,
        check=False,
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # EIO once the terminal is drained
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    text = b"".join(chunks).decode()
    assert proc.returncode == 0, proc.stderr
    assert "Thumbprint" in text and "Friendly name" in text  # rich table header
    assert stored.thumbprint in text and "Table Cert" in text


def test_export_pfx_and_pem(config: Path, tmp_path: Path) -> None:
    made = _store(config).create_self_signed("Exp", ["e.test"])
    dest = tmp_path / "out.pfx"
    result = cli(
        config, "export", made.thumbprint.lower(), str(dest), "--password-stdin", input="x\n"
    )
    assert result.exit_code == 0, result.output
    assert (
        CertStore(tmp_path / "o").import_file(dest, b"x").certificate.thumbprint == made.thumbprint
    )

    result = cli(config, "export", made.thumbprint, str(tmp_path / "e.pfx"), "--password-stdin",
                 input="\n")  # fmt: skip
    assert isinstance(result.exception, UsageError) and "password is empty" in str(result.exception)
    assert not (tmp_path / "e.pfx").exists()
    result = cli(config, "export", made.thumbprint, str(dest))
    assert isinstance(result.exception, UsageError) and "already exists" in str(result.exception)
    result = cli(config, "export", made.thumbprint, str(dest), "--force", "--format", "pem")
    assert result.exit_code == 0 and "not password-protected" in result.stderr
    assert b"PRIVATE KEY" in dest.read_bytes()
    pub = tmp_path / "pub.pem"
    result = cli(config, "export", made.thumbprint, str(pub), "--format", "pem", "--no-key")
    assert result.exit_code == 0 and b"PRIVATE KEY" not in pub.read_bytes()


def test_remove(config: Path) -> None:
    made = _store(config).create_self_signed("Gone", ["g.test"])
    result = cli(config, "remove", made.thumbprint)
    assert result.exit_code == 0 and made.thumbprint in result.stdout
    assert _store(config).find(made.thumbprint) is None
    result = cli(config, "remove", made.thumbprint)
    assert isinstance(result.exception, UsageError)
    assert f"no certificate {made.thumbprint} in store MY" in str(result.exception)


def test_config_from_environment(config: Path) -> None:
    made = _store(config).create_self_signed("Env", ["env.test"])
    result = runner.invoke(app, ["cert", "list", "--json"], env={"IISFTP_CONFIG": str(config)})
    assert [d["thumbprint"] for d in json.loads(result.stdout)] == [made.thumbprint]


def test_real_process_exit_code_and_message(config: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "iisftp", "cert", "remove", "A" * 40, "-c", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"error: no certificate {'A' * 40} in store MY; ")
    assert proc.stdout == ""


def test_every_command_and_option_has_help() -> None:
    group = typer.main.get_command(cert_cli.app)
    assert set(group.commands) == {"create-self-signed", "import", "list", "export", "remove"}
    for name, command in group.commands.items():
        assert command.help, name
        for param in command.params:
            assert getattr(param, "help", None), f"{name} {param.name}"
        assert runner.invoke(app, ["cert", name, "--help"]).exit_code == 0


def test_list_empty_store_says_how_to_add(config: Path) -> None:
    result = cli(config, "list")
    assert result.exit_code == 0 and result.stdout == ""
    assert "no certificates in any store" in result.stderr
    assert json.loads(cli(config, "list", "--json").stdout) == []
