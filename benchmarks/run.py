"""Run all iisftp benchmarks: install the peers they need, then the server and config runs.

    python3 benchmarks/run.py [--size 1G] [--quick] [--only server|config] [--no-install]

Installs for the benchmark only (never needed by iisftp itself or its tests):
pyftpdlib + pyopenssl with pip, vsftpd with apt-get. A peer that cannot be
installed or started is reported as "not available" and the rest still runs.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _quiet(argv: list[str]) -> bool:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"  {' '.join(argv)}: {exc}")
        return False
    if done.returncode != 0:
        print(f"  {' '.join(argv)} failed: {(done.stderr or done.stdout).strip()[-300:]}")
    return done.returncode == 0


def install_peers() -> None:
    """pip/apt installs, each only when missing."""
    if not (importlib.util.find_spec("pyftpdlib") and importlib.util.find_spec("OpenSSL")):
        print("installing pyftpdlib + pyopenssl (pip) ...", flush=True)
        argv = [sys.executable, "-m", "pip", "install", "-q", "pyftpdlib", "pyopenssl"]
        try:
            from importlib.metadata import version

            # Keep iisftp's own cryptography: pick a pyopenssl that fits it, never upgrade it.
            pin = f"cryptography=={version('cryptography')}\n"
        except ImportError:
            pin = ""
        with tempfile.NamedTemporaryFile("w", suffix=".txt") as constraints:
            constraints.write(pin)
            constraints.flush()
            _quiet([*argv, "-c", constraints.name] if pin else argv)
    if not (shutil.which("vsftpd") or Path("/usr/sbin/vsftpd").exists()):
        if shutil.which("apt-get") is None:
            print("  no apt-get: vsftpd will be skipped")
            return
        print("installing vsftpd (apt-get) ...", flush=True)
        env_argv = [
            "env",
            "DEBIAN_FRONTEND=noninteractive",
            "apt-get",
            "install",
            "-y",
            "-q",
            "vsftpd",
        ]
        if not _quiet(env_argv):
            _quiet(["apt-get", "update", "-q"])
            _quiet(env_argv)
        # The package may start a system vsftpd on port 21; it does not touch our ports.


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--size", default=None, help="RETR/STOR file size (default 1G; quick 16M)")
    parser.add_argument("--quick", action="store_true", help="tiny smoke run (< 1 minute)")
    parser.add_argument(
        "--only", choices=("server", "config"), help="run one of the two benchmarks"
    )
    parser.add_argument("--servers", default=None, help="server subset, e.g. iisftp,pyftpdlib")
    parser.add_argument("--repeats", type=int, default=None, help="runs per figure (best kept)")
    parser.add_argument(
        "--no-install", action="store_true", help="do not pip/apt-get install peers"
    )
    parser.add_argument(
        "--json-dir", type=Path, default=None, help="write server.json/config.json here"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    when = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    print(f"iisftp benchmarks, {when}, python {sys.version.split()[0]}")
    if args.only != "config" and not args.no_install:
        install_peers()
    if args.json_dir:
        args.json_dir.mkdir(parents=True, exist_ok=True)
    if args.only != "config":
        import server_bench

        server_argv = ["--quick"] if args.quick else []
        for flag, value in (
            ("--size", args.size),
            ("--servers", args.servers),
            ("--repeats", args.repeats),
        ):
            if value is not None:
                server_argv += [flag, str(value)]
        if args.json_dir:
            server_argv += ["--json", str(args.json_dir / "server.json")]
        print(flush=True)
        server_bench.main(server_argv)
    if args.only != "server":
        import config_bench

        config_argv = ["--quick"] if args.quick else []
        if args.json_dir:
            config_argv += ["--json", str(args.json_dir / "config.json")]
        print(flush=True)
        config_bench.main(config_argv)
    print(f"\ntotal benchmark time: {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
