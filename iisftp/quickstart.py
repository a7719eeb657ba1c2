"""First-run preparation of a quickstart configuration folder.

`samples/quickstart/` ships an applicationHost.config with an empty
serverCertHash. On first run this copies it into the quickstart folder and
creates what a fresh machine lacks (the `%QuickstartRoot%` variable, the content
folder, a self-signed certificate, a demo user), recording the certificate's
thumbprint through the configuration engine and saying what it did. Later runs
find everything in place and change nothing. It refuses folders that hold any
other configuration, so it can never add a demo user to a real installation.
"""

from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from iisftp.certs import CertStore
from iisftp.config import SITES, load
from iisftp.errors import UsageError
from iisftp.folder import ConfigFolder
from iisftp.users import UserStore

__all__ = ["DEMO_USER", "QuickstartResult", "prepare"]

TEMPLATE = Path(__file__).resolve().parents[1] / "samples/quickstart/applicationHost.config"
SITE_NAME = "Quickstart FTP Site"
DEMO_USER = "demo"
CERT_NAME = "iisftp quickstart"
PASSWORD_FILE = "demo-password.txt"


@dataclass
class QuickstartResult:
    folder: ConfigFolder
    site_name: str
    address: str  # host:port of the site's ftp binding
    password: str
    actions: list[str] = field(default_factory=list)


def prepare(folder: ConfigFolder, port: int | None = None) -> QuickstartResult:
    """Make `folder` runnable; every change made is listed in `actions`."""
    actions: list[str] = []
    if not folder.apphost.exists():
        if not TEMPLATE.is_file():
            raise UsageError(
                f"the quickstart sample is not at {TEMPLATE}", "run from an iisftp source checkout"
            )
        folder.root.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(TEMPLATE, folder.apphost)
        actions.append(f"copied the quickstart sample into {folder.root}")
    _ensure_variables(folder, actions)
    config = load(folder.apphost, variables=folder.variables())
    if [s.name for s in config.sites()] != [SITE_NAME]:
        raise UsageError(
            f"{folder.apphost} is not a quickstart configuration",
            "give `iisftp quickstart` a new or quickstart folder (-c DIR); "
            "to run this configuration use `iisftp serve`",
        )
    site = config.sites()[0]
    ssl_path = f"[name='{site.name}'].ftpServer.security.ssl"

    store = CertStore(folder.cert_dir)
    thumbprint = config.site_element(site.name, "ftpServer/security/ssl").get("serverCertHash")
    if not thumbprint or store.find(thumbprint) is None:
        cert = store.create_self_signed(CERT_NAME, dns_names=("localhost",))
        config.set(SITES, ssl_path, "serverCertHash", cert.thumbprint)
        actions.append(f"created self-signed certificate {cert.thumbprint} ({CERT_NAME})")
    if port is not None:
        binding = next(b for b in site.bindings if b.protocol == "ftp")
        ip = binding.information.split(":")[0]
        config.set(
            SITES,
            f"[name='{site.name}'].bindings.[protocol='ftp']",
            "bindingInformation",
            f"{ip}:{port}:",
        )
        actions.append(f"bound the site to port {port}")
    if config.document.modified:
        config.save()

    password = _ensure_demo_user(folder, actions)
    ip, port = next(
        b for b in config.site(site.name).bindings if b.protocol == "ftp"
    ).information.split(":")[:2]
    address = f"{'127.0.0.1' if ip in ('*', '') else ip}:{port}"
    return QuickstartResult(folder, site.name, address, password, actions)


def _ensure_variables(folder: ConfigFolder, actions: list[str]) -> None:
    root = folder.root.resolve()
    if not folder.variables_file.exists():
        folder.variables_file.write_text(f"QuickstartRoot={root}\n", encoding="utf-8")
        actions.append(f"wrote {folder.variables_file} (QuickstartRoot={root})")
    content = root / "ftproot"
    if not content.is_dir():
        content.mkdir(parents=True)
        (content / "welcome.txt").write_text("Hello from iisftp.\n", encoding="utf-8")
        (content / "upload").mkdir()
        actions.append(f"created the content folder {content}")


def _ensure_demo_user(folder: ConfigFolder, actions: list[str]) -> str:
    users = UserStore.open(folder.users_file)
    secret_file = folder.root / PASSWORD_FILE
    if any(u.name.lower() == DEMO_USER for u in users.list()) and secret_file.is_file():
        return secret_file.read_text(encoding="utf-8").strip()
    password = secrets.token_urlsafe(12)
    if any(u.name.lower() == DEMO_USER for u in users.list()):
        users.set_password(DEMO_USER, password)
    else:
        users.add(DEMO_USER, password)
    users.save()
    fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(password + "\n")
    actions.append(f"created user '{DEMO_USER}' (password saved in {secret_file}, mode 0600)")
    return password
