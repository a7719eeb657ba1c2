"""The IIS walkthrough "Using FTP Over SSL in IIS 7", replayed with iisftp commands.

Shared by the golden-file test (samples/walkthrough/) and the end-to-end test
that serves the result to real clients.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from typer.testing import CliRunner

from iisftp.cli import app

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples" / "walkthrough"
WIZARD_SITE = "My New FTP Site"
CONTENT = r"%SystemDrive%\inetpub\ftproot"


def cli(cfg_dir: Path, *args: str, input: str | None = None) -> str:
    result = CliRunner().invoke(app, [*args, "-c", str(cfg_dir)], input=input)
    assert result.exit_code == 0, f"{args}: {result.output} {result.exception!r}"
    return result.output


def prepare(cfg_dir: Path) -> None:
    """The server before the walkthrough: Default Web Site only, a content folder."""
    shutil.copy(SAMPLES / "start" / "applicationHost.config", cfg_dir)
    (cfg_dir / "variables.env").write_text(f"SystemDrive={cfg_dir}\n")
    for folder in ("inetpub/ftproot", "inetpub/wwwroot"):
        (cfg_dir / folder).mkdir(parents=True, exist_ok=True)
    cli(cfg_dir, "user", "add", "administrator", "--password-stdin", input="Adm1n-pass\n")
    cli(cfg_dir, "user", "add", "guest", "--password-stdin", input="Gue5t-pass\n")
    # Step 1: "Create a self-signed certificate" named My FTP Certificate.
    cli(cfg_dir, "cert", "create-self-signed", "--name", "My FTP Certificate")


def wizard_path(cfg_dir: Path, port: int = 21) -> None:
    """Steps 2-3: the Add FTP Site wizard, then the Advanced SSL Policy dialog."""
    cli(
        cfg_dir,
        "site",
        "add",
        WIZARD_SITE,
        "--path",
        CONTENT,
        "--ip",
        "127.0.0.1",
        "--port",
        str(port),
        "--cert",
        "My FTP Certificate",
        "--ssl",
        "allow",
        "--basic",
        "--no-anonymous",
        "-u",
        "administrator",
        "-p",
        "Read, Write",
    )
    cli(
        cfg_dir,
        "site",
        "ssl",
        WIZARD_SITE,
        "--control",
        "SslRequireCredentialsOnly",
        "--data",
        "SslAllow",
    )


def hand_edit_path(cfg_dir: Path, port: int = 21) -> None:
    """The walkthrough's second path: FTP added to Default Web Site by editing
    applicationHost.config; here each edit is one command (the binding last, so
    the site never becomes an FTP site that requires SSL without a certificate)."""
    site = "Default Web Site"
    cli(
        cfg_dir,
        "site",
        "ssl",
        site,
        "--cert",
        "My FTP Certificate",
        "--control",
        "SslRequire",
        "--data",
        "SslRequire",
    )
    cli(cfg_dir, "site", "auth", site, "--basic", "--no-anonymous")
    cli(cfg_dir, "site", "authz", "add", site, "-u", "administrator", "-p", "Read, Write")
    cli(cfg_dir, "site", "binding", "add", site, "--ip", "*", "--port", str(port))


def normalized(text: str) -> str:
    """The file with what differs per run (thumbprint) replaced."""
    return re.sub(r'serverCertHash="[0-9A-F]{40}"', 'serverCertHash="THUMBPRINT"', text)
