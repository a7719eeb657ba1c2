"""Shared helpers for the benchmarks: ports, process memory, sizes, tables.

Benchmark-only code: nothing here is imported by the iisftp package or its tests
except the smoke test in tests/benchmarks/.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

MiB = 1024 * 1024
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": MiB, "g": 1024 * MiB, "t": 1024 * 1024 * MiB}


def parse_size(text: str) -> int:
    """'1G' -> 1073741824; binary units, an optional trailing 'B'/'iB'."""
    match = _SIZE_RE.match(text)
    if not match:
        raise ValueError(f"bad size {text!r}; use e.g. 512M, 1G, 4096")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def free_port() -> int:
    """An OS-assigned free port on 127.0.0.1 (bind 0, read it, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_banner(port: int, timeout: float = 20.0, proc: subprocess.Popen | None = None) -> None:
    """Poll until something on `port` sends an FTP 220 greeting."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
                if sock.recv(256).startswith(b"220"):
                    sock.sendall(b"QUIT\r\n")
                    return
        except OSError as exc:
            last = exc
        time.sleep(0.05)
    raise RuntimeError(f"no FTP greeting on 127.0.0.1:{port} after {timeout:.0f}s ({last})")


def _status_kib(pid: int, field: str) -> int:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else 0


def _pss_kib(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    match = re.search(r"^Pss:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else 0


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants (vsftpd forks one or two processes per session)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces/parens: the ppid follows the last ')'.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, ()))
    return tree


def tree_memory_kib(pid: int) -> tuple[int, int, int]:
    """(sum of VmRSS, sum of Pss, process count) over the process tree of `pid`."""
    pids = process_tree(pid)
    return (
        sum(_status_kib(p, "VmRSS") for p in pids),
        sum(_pss_kib(p) for p in pids),
        len(pids),
    )


def raise_nofile(limit: int = 65536) -> None:
    """Lift RLIMIT_NOFILE (for the idle-session client and the servers it talks to)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(limit, hard) if hard != resource.RLIM_INFINITY else limit
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, target), hard))


def make_file(path: Path, size: int) -> Path:
    """A file of `size` pseudo-random-ish bytes (incompressible enough; fast to make)."""
    block = os.urandom(MiB)
    with open(path, "wb") as out:
        left = size
        while left > 0:
            out.write(block[: min(left, MiB)])
            left -= MiB
    return path


def scratch_root() -> Path:
    """tmpfs when present, so disk speed does not cap STOR figures."""
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else Path("/tmp")


def fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "n/a"
    value = a / b
    return f"{value:.2f}x" if value >= 0.1 else f"{value:.3f}x"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table with padded columns (readable in a terminal and in README)."""
    rows = [list(map(str, r)) for r in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out.extend(line(r) for r in rows)
    return "\n".join(out)
