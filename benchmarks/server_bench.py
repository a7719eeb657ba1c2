"""Server benchmark: iisftp against pyftpdlib and vsftpd, same machine, same run.

Everything runs on 127.0.0.1 with OS-assigned free ports; curl is the client
(it resumes the control TLS session on data connections, as vsftpd requires).
Each throughput/rate figure is the BEST of --repeats runs, with the servers
interleaved per repetition so machine noise hits all of them alike. Memory is
one measurement per server on a freshly started server.

    python3 benchmarks/server_bench.py [--size 1G] [--quick] [--servers iisftp,pyftpdlib,vsftpd]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import MiB, fmt, make_file, parse_size, ratio, scratch_root, table, tree_memory_kib
from servers import Running, Unavailable, make_certificate, start_pyftpdlib, start_vsftpd

HERE = Path(__file__).resolve().parent
SERVER_NAMES = ("iisftp", "pyftpdlib", "vsftpd")
T = TypeVar("T")
MB = 1_000_000  # throughput is reported in MB/s (10^6 bytes), like curl and the perf notes


@dataclass(frozen=True)
class Options:
    size: int
    repeats: int
    small_files: int
    small_size: int
    parallel: int
    idle: int
    servers: tuple[str, ...]
    json_out: Path | None


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--size", default=None, help="big-file size for RETR/STOR (default 1G; quick 16M)"
    )
    parser.add_argument("--quick", action="store_true", help="tiny smoke run (< 1 minute)")
    parser.add_argument(
        "--repeats", type=int, default=None, help="runs per figure, best kept (3; quick 1)"
    )
    parser.add_argument(
        "--small-files", type=int, default=None, help="small files on one connection (200)"
    )
    parser.add_argument("--small-size", default="4K", help="size of each small file (4K)")
    parser.add_argument("--parallel", type=int, default=32, help="parallel curl clients (32)")
    parser.add_argument(
        "--idle", type=int, default=None, help="idle TLS sessions for RSS (1000; quick 100)"
    )
    parser.add_argument("--servers", default=",".join(SERVER_NAMES), help="comma-separated subset")
    parser.add_argument("--json", type=Path, default=None, help="also write raw results here")
    args = parser.parse_args(argv)
    servers = tuple(s.strip() for s in args.servers.split(",") if s.strip())
    unknown = set(servers) - set(SERVER_NAMES)
    if unknown:
        parser.error(f"unknown server(s) {sorted(unknown)}; choose from {', '.join(SERVER_NAMES)}")
    quick = args.quick
    return Options(
        size=parse_size(args.size or ("16M" if quick else "1G")),
        repeats=args.repeats or (1 if quick else 3),
        small_files=args.small_files or (50 if quick else 200),
        small_size=parse_size(args.small_size),
        parallel=args.parallel,
        idle=args.idle or (100 if quick else 1000),
        servers=servers,
        json_out=args.json,
    )


# ---------------------------------------------------------------- the client side (curl)


def _curl(server: Running, tls: bool) -> list[str]:
    argv = ["curl", "-sS", "--ftp-pasv", "-u", f"{server.user}:{server.password}"]
    return [*argv, "--ssl-reqd", "-k"] if tls else argv


def _url(server: Running, path: str) -> str:
    return f"ftp://127.0.0.1:{server.port}/{path}"


def _run(argv: list[str], **kw: object) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, timeout=600, **kw)  # type: ignore[call-overload]
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(
            f"curl exit {done.returncode}: {done.stderr.decode(errors='replace')[:300]}"
        )
    return elapsed, done


def _data_phase_rate(done: subprocess.CompletedProcess, size: int, what: str) -> float:
    """MB/s from curl's own marks: bytes / (time_total - time_pretransfer).

    This leaves out login and a curl 7.88 quirk that sometimes idles 1 s before
    connecting the data channel (see ftps_client.py); for 1 GiB the login part is
    a few ms.
    """
    got, pretransfer, total = done.stdout.split()
    if int(float(got)) != size:
        raise RuntimeError(f"{what} moved {got} bytes, expected {size}")
    return size / MB / (float(total) - float(pretransfer))


def retr(server: Running, tls: bool, path: str, size: int) -> float:
    """MB/s of one download written to /dev/null."""
    marks = "%{size_download} %{time_pretransfer} %{time_total}"
    _, done = _run([*_curl(server, tls), "-o", "/dev/null", "-w", marks, _url(server, path)])
    return _data_phase_rate(done, size, "RETR")


def stor(server: Running, tls: bool, local: Path, root: Path, size: int) -> float:
    """MB/s of one upload into upload/ (the file is checked on disk, then removed)."""
    name = f"stor-{time.monotonic_ns()}.bin"
    marks = "%{size_upload} %{time_pretransfer} %{time_total}"
    _, done = _run(
        [*_curl(server, tls), "-w", marks, "-T", str(local), _url(server, f"upload/{name}")]
    )
    target = root / "upload" / name
    got = target.stat().st_size if target.exists() else -1
    target.unlink(missing_ok=True)
    if got != size:
        raise RuntimeError(f"STOR stored {got} bytes, expected {size}")
    return _data_phase_rate(done, size, "STOR")


def _client(server: Running, mode: str, arg: str) -> list[str]:
    return [
        sys.executable,
        str(HERE / "ftps_client.py"),
        mode,
        str(server.port),
        server.user,
        server.password,
        arg,
    ]


def small_files(server: Running, count: int, size: int) -> float:
    """Files/s: `count` small RETRs on one control connection, TLS data channel each."""
    done = subprocess.run(
        _client(server, "small", str(count)), capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        raise RuntimeError(f"small files: {done.stderr.strip()[-300:]}")
    _files, total, seconds = done.stdout.split()
    if int(total) != count * size:
        raise RuntimeError(f"small files: got {total} bytes, expected {count * size}")
    return count / float(seconds)


def parallel_retr(server: Running, clients: int, path: str, size: int) -> float:
    """Aggregate MB/s of `clients` client processes, logged in first, then released together."""
    procs = [
        subprocess.Popen(
            _client(server, "retr", path), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        for _ in range(clients)
    ]
    try:
        for proc in procs:
            if proc.stdout.readline().strip() != "READY":  # type: ignore[union-attr]
                raise RuntimeError("parallel RETR: a client failed to log in")
        start = time.perf_counter()
        for proc in procs:
            proc.stdin.write("go\n")  # type: ignore[union-attr]
            proc.stdin.flush()  # type: ignore[union-attr]
        outs = [proc.stdout.readline().split() for proc in procs]  # type: ignore[union-attr]
        elapsed = time.perf_counter() - start
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.stdin.close()  # type: ignore[union-attr]
            proc.wait(timeout=60)
    if any(not out or int(out[0]) != size for out in outs):
        raise RuntimeError(f"parallel RETR: some clients got the wrong size: {outs[:3]}")
    return clients * size / MB / elapsed


def idle_sessions(server: Running, count: int) -> dict[str, float]:
    """Server memory per idle logged-in TLS session, and the session open rate."""
    warm = subprocess.run(
        [
            sys.executable,
            str(HERE / "idle_client.py"),
            str(server.port),
            server.user,
            server.password,
            "1",
        ],
        input=b"",
        capture_output=True,
        timeout=60,
    )
    if not warm.stdout.startswith(b"READY"):
        raise RuntimeError(
            f"idle warm-up failed: {warm.stdout.decode()} {warm.stderr.decode()[-300:]}"
        )
    settle = 0.1 + count / 2000  # seconds; forked per-session processes need a moment
    time.sleep(settle)  # let the warm-up session's process/state go away before the baseline
    rss0, pss0, _ = tree_memory_kib(server.pid)
    client = subprocess.Popen(
        [
            sys.executable,
            str(HERE / "idle_client.py"),
            str(server.port),
            server.user,
            server.password,
            str(count),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        line = client.stdout.readline().decode()  # type: ignore[union-attr]
        if not line.startswith("READY"):
            raise RuntimeError(
                f"idle client: {line.strip()} {client.stderr.read().decode()[-300:]}"
            )  # type: ignore[union-attr]
        seconds = float(line.split()[2])
        time.sleep(settle)  # forked session processes finish settling after the 230 reply
        rss1, pss1, nproc = tree_memory_kib(server.pid)
    finally:
        client.stdin.close()  # type: ignore[union-attr]
        client.wait(timeout=60)
    return {
        "idle_rss_kib": (rss1 - rss0) / count,
        "idle_pss_kib": (pss1 - pss0) / count,
        "login_rate": count / seconds,
        "base_rss_mib": rss0 / 1024,
        "processes": nproc,
    }


# ---------------------------------------------------------------- setup and the run


def build_tree(root: Path, opts: Options) -> dict[str, int]:
    """The served tree; returns the sizes the checks expect."""
    (root / "small").mkdir(parents=True)
    (root / "upload").mkdir()
    make_file(root / "big.bin", opts.size)
    mid = max(opts.size // opts.parallel, 64 * 1024)
    make_file(root / "mid.bin", mid)
    payload = bytes(range(256)) * (opts.small_size // 256 + 1)
    for i in range(opts.small_files):
        (root / "small" / f"f{i:04d}.bin").write_bytes(payload[: opts.small_size])
    return {"big": opts.size, "mid": mid}


def start_server(name: str, root: Path, cert: Path, key: Path, work: Path) -> Running:
    if name == "pyftpdlib":
        return start_pyftpdlib(root, cert, key, work)
    if name == "vsftpd":
        return start_vsftpd(root, cert, key, work)
    from iisftp_server import start_iisftp  # iisftp's launcher lives beside its config generator

    return start_iisftp(root, work)


# (label, key, unit): the ratio columns divide iisftp by each peer
ROWS = [
    ("FTPS RETR {size}", "ftps_retr", "MB/s"),
    ("FTPS STOR {size}", "ftps_stor", "MB/s"),
    ("FTP RETR {size}", "ftp_retr", "MB/s"),
    ("FTP STOR {size}", "ftp_stor", "MB/s"),
    ("FTPS {n} x {small} files, one connection", "small_files", "files/s"),
    ("FTPS {p} parallel RETR of {mid}", "parallel", "MB/s total"),
    ("FTPS login rate (AUTH TLS+USER+PASS)", "login_rate", "sessions/s"),
    ("{idle} idle TLS sessions: RSS/session", "idle_rss_kib", "KiB"),
    ("{idle} idle TLS sessions: PSS/session", "idle_pss_kib", "KiB"),
    ("server RSS before the idle sessions", "base_rss_mib", "MiB"),
]


def _human(n: int) -> str:
    for unit, div in (("GiB", 1024 * MiB), ("MiB", MiB), ("KiB", 1024)):
        if n >= div and n % div == 0:
            return f"{n // div} {unit}"
    return f"{n} B"


def run(opts: Options) -> dict[str, dict[str, float]]:
    if shutil.which("curl") is None:
        raise SystemExit("curl is required for the server benchmark")
    results: dict[str, dict[str, float]] = {name: {} for name in opts.servers}
    notes: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="iisftp-bench-", dir=scratch_root()) as tmp:
        work = Path(tmp)
        root = work / "root"
        sizes = build_tree(root, opts)
        cert, key = make_certificate(work)
        local_big = work / "upload-src.bin"
        shutil.copyfile(root / "big.bin", local_big)
        running: dict[str, Running] = {}
        try:
            for name in opts.servers:
                try:
                    running[name] = start_server(name, root, cert, key, work)
                    if running[name].name != name:
                        notes[name] = f"ran as {running[name].name}"
                except Unavailable as exc:
                    notes[name] = str(exc)
                    print(f"[{name}] not available: {exc}", flush=True)
            for name, server in running.items():
                idle = _measure(name, notes, lambda s=server: idle_sessions(s, opts.idle))
                results[name].update(idle or {})
            cases: list[tuple[str, Callable[[Running], float]]] = [
                ("ftps_retr", lambda s: retr(s, True, "big.bin", sizes["big"])),
                ("ftps_stor", lambda s: stor(s, True, local_big, root, sizes["big"])),
                ("ftp_retr", lambda s: retr(s, False, "big.bin", sizes["big"])),
                ("ftp_stor", lambda s: stor(s, False, local_big, root, sizes["big"])),
                ("small_files", lambda s: small_files(s, opts.small_files, opts.small_size)),
                ("parallel", lambda s: parallel_retr(s, opts.parallel, "mid.bin", sizes["mid"])),
            ]
            samples: dict[tuple[str, str], list[float]] = {}
            for rep in range(opts.repeats):
                for key_, case in cases:
                    for name, server in running.items():
                        value = _measure(name, notes, lambda s=server, c=case: c(s))
                        if value is not None:
                            samples.setdefault((name, key_), []).append(value)
                print(f"repetition {rep + 1}/{opts.repeats} done", flush=True)
            for (name, key_), values in samples.items():
                results[name][key_] = max(values)
                results[name][key_ + "_median"] = statistics.median(values)
        finally:
            for server in running.values():
                server.stop()
    labels = {
        "size": _human(opts.size),
        "n": opts.small_files,
        "small": _human(opts.small_size),
        "p": opts.parallel,
        "mid": _human(sizes["mid"]),
        "idle": f"{opts.idle:,}",
    }
    print()
    print(render(results, labels, opts.repeats))
    for name, note in notes.items():
        print(f"note: {name}: {note}")
    if opts.json_out:
        opts.json_out.write_text(
            json.dumps({"results": results, "notes": notes, "labels": labels}, indent=2)
        )
    return results


def _measure(name: str, notes: dict[str, str], fn: Callable[[], T]) -> T | None:
    """Run one measurement; a failure is recorded as a note, not a crash of the whole run."""
    try:
        return fn()
    except Exception as exc:  # benchmark harness: report and carry on with the other figures
        notes[name] = notes.get(name, "") + f" [{type(exc).__name__}: {exc}]"
        print(f"[{name}] failed: {exc}", flush=True)
        return None


def render(results: dict[str, dict[str, float]], labels: dict[str, object], repeats: int) -> str:
    names = [n for n in SERVER_NAMES if n in results]
    headers = ["figure", "unit", *names]
    if "iisftp" in names:
        headers += [f"iisftp/{n}" for n in names if n != "iisftp"]
    rows = []
    for label, key, unit in ROWS:
        row = [label.format(**labels), unit]
        row += [fmt(results[n].get(key)) for n in names]
        if "iisftp" in names:
            row += [
                ratio(results["iisftp"].get(key), results[n].get(key))
                for n in names
                if n != "iisftp"
            ]
        rows.append(row)
    title = f"Server benchmark (best of {repeats}; ratio > 1 is better for rates, < 1 for memory)"
    return title + "\n\n" + table(headers, rows)


def main(argv: list[str] | None = None) -> int:
    run(parse_args(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
