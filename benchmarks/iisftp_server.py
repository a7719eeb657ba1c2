"""Start `iisftp serve -c <folder>` for the server benchmark, set up through iisftp's own CLI.

The folder gets a one-site applicationHost.config (127.0.0.1:<free port>,
SslAllow/SslAllow), a certificate from `iisftp cert create-self-signed` (EC
P-256 by default, like the peers' certificate) and a user from
`iisftp user add bench --password-stdin`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import apphost
from common import free_port
from servers import PASSWORD, REPO, USER, Running, Unavailable, launch


def _cli(args: list[str], folder: Path, stdin: str | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "iisftp", *args, "-c", str(folder)],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    if done.returncode != 0:
        raise Unavailable(
            f"`iisftp {' '.join(args)}` failed: {(done.stderr or done.stdout).strip()[-400:]}"
        )
    return done.stdout


def _has_serve(work: Path) -> bool:
    try:
        _cli(["serve", "--help"], work)
    except Unavailable:
        return False
    return True


def start_iisftp(root: Path, work: Path) -> Running:
    folder = work / "iisftp-config"
    folder.mkdir(exist_ok=True)
    port = free_port()
    # Write the config first: the cert/user commands may expect an existing folder.
    apphost.server_config(folder, port, root, "", USER)
    thumbprint = _cli(
        ["cert", "create-self-signed", "--name", "bench", "--dns", "127.0.0.1"], folder
    )
    thumbprint = thumbprint.strip().splitlines()[-1].strip() if thumbprint.strip() else ""
    if not thumbprint:
        raise Unavailable("`iisftp cert create-self-signed` printed no thumbprint")
    _cli(["user", "add", USER, "--password-stdin"], folder, stdin=PASSWORD + "\n")
    apphost.server_config(folder, port, root, thumbprint, USER)
    argv = [sys.executable, "-m", "iisftp", "serve", "-c", str(folder)]
    name = "iisftp"
    if not _has_serve(work):
        # Until `iisftp serve` lands: the same wiring through the public API.
        argv = [sys.executable, str(Path(__file__).with_name("iisftp_direct.py")), str(folder)]
        name = "iisftp (via benchmarks/iisftp_direct.py: no `iisftp serve` yet)"
    proc = launch(name, argv, port, work / "iisftp.log", (USER, PASSWORD), cwd=REPO)
    return Running(name, port, proc, USER, PASSWORD, work / "iisftp.log")
