"""Serve a config folder through iisftp's public API, wired as `iisftp serve` does.

Used by the benchmark only while this checkout has no `iisftp serve` command
(the results then say "via iisftp_direct.py"):
    python3 benchmarks/iisftp_direct.py FOLDER
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout, not an install

from iisftp.certs import CertStore
from iisftp.config import load
from iisftp.model.build import build_server_settings
from iisftp.server import FtpServer
from iisftp.users import UserStore


def main(argv: list[str]) -> int:
    folder = Path(argv[0])
    settings = build_server_settings(load(folder))
    users = UserStore.open(folder / "users.json")
    certs = CertStore(folder / "certs")

    def certificate(store: str, thumbprint: str) -> tuple[Path, Path] | None:
        found = certs.find(thumbprint, store)
        return (found.cert_file, found.key_file) if found and found.key_file else None

    server = FtpServer(settings, authenticate=users.authenticate, certificate=certificate)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    server.start_in_thread()
    print("listening on", server.addresses, flush=True)
    stop.wait()
    server.stop_in_thread()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
