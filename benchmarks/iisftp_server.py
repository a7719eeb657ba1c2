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
    serve = [sys.executable, "-m", "iisftp", "serve", "-c", str(folder)]
    attempts = [
        # Per-command INFO logging is off for the peers too (pyftpdlib WARNING, vsftpd no xferlog).
        ("iisftp", [*serve, "--log-level", "warning"]),
        ("iisftp", serve),
        # Until `iisftp serve` lands: the same wiring through the public API.
        (
            "iisftp (via benchmarks/iisftp_direct.py: no `iisftp serve` yet)",
            [sys.executable, str(Path(__file__).with_name("iisftp_direct.py")), str(folder)],
        ),
    ]
    log = work / "iisftp.log"
    for name, argv in attempts:
        try:
            proc = launch(name, argv, port, log, (USER, PASSWORD), cwd=REPO)
        except Unavailable as exc:
            if "No such option" in str(exc) or "No such command" in str(exc):
                continue  # an older CLI: try the next way to start it
            raise
        return Running(name, port, proc, USER, PASSWORD, log)
    raise Unavailable("no way to start iisftp worked")
