"""Config benchmark: iisftp.load / Config.validate / effective lookups against bare lxml.

Two files: the largest real file in ../shared/corpus/ and a generated
applicationHost.config with --sites FTP sites and as many <location>
authorization rules. Every measurement runs in a fresh subprocess, so peak
memory is that process's VmHWM (reset after imports) minus its RSS before the
operation; times are the BEST of --repeats calls in that process, and the first
(cold: schemas not yet loaded) call is shown too. Ratios are to a bare
`lxml.etree.parse` of the same file, measured in the same run.

    python3 benchmarks/config_bench.py [--sites 10000] [--quick] [--file PATH]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(REPO))

from common import fmt, ratio, table  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
AUTHZ = "system.ftpServer/security/authorization"
OPS = ("lxml", "load", "validate", "lookup")


def largest_corpus_file(corpus: Path = CORPUS) -> Path | None:
    """The biggest well-formed config in the corpus (files marked BROKEN are skipped)."""
    files = [p for p in corpus.glob("*.xml") if "BROKEN" not in p.name] if corpus.is_dir() else []
    return max(files, key=lambda p: p.stat().st_size, default=None)


# ---------------------------------------------------------------- inside the measuring subprocess


def _kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    # Writing 5 to clear_refs resets VmHWM to the current RSS (Linux >= 4.0).
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _site_names(config: object, path: Path) -> list[str]:
    names = [s.name for s in config.sites()]  # type: ignore[attr-defined]
    if not names:
        raise RuntimeError(f"{path.name} has no sites to query")
    return names


def _lookups(config: object, path: Path, queries: int) -> dict[str, float]:
    """µs per query for effective(authorization, "Site/sub") and site_element(ssl)."""
    names = _site_names(config, path)
    rng = random.Random(42)
    picks = [names[rng.randrange(len(names))] for _ in range(queries)]
    out: dict[str, float] = {}

    def effective(name: str) -> object:
        return config.effective(AUTHZ, f"{name}/sub").collection()  # type: ignore[attr-defined]

    def site_element(name: str) -> object:
        element = config.site_element(name, "ftpServer/security/ssl")  # type: ignore[attr-defined]
        return element.get("controlChannelPolicy")

    for key, fn in (("effective", effective), ("site_element", site_element)):
        start = time.perf_counter()
        fn(picks[0])
        out[key + "_first_us"] = (time.perf_counter() - start) * 1e6
        start = time.perf_counter()
        for name in picks:
            fn(name)
        out[key + "_us"] = (time.perf_counter() - start) * 1e6 / len(picks)
    return out


def measure(op: str, path: Path, repeats: int, queries: int) -> dict[str, float]:
    """Run one operation on `path` in this (fresh) process; called via --measure."""
    from lxml import etree

    import iisftp  # imported before the baseline so import cost is not counted as the op's memory

    if op != "lxml":
        import iisftp.config

    def once() -> object:
        if op == "lxml":
            return etree.parse(str(path))
        config = iisftp.load(path)
        if op == "validate":
            config.validate()
        return config

    _reset_peak()
    base = _kib("VmRSS")
    start = time.perf_counter()
    first = once()
    cold = time.perf_counter() - start
    result: dict[str, float] = {"peak_kib": _kib("VmHWM") - base, "cold_s": cold}
    if op == "lookup":
        return {**result, **_lookups(first, path, queries)}
    if op == "validate":
        result["diagnostics"] = len(first.validate())  # type: ignore[attr-defined]
    del first
    times = [cold]
    for _ in range(repeats - 1):
        start = time.perf_counter()
        once()
        times.append(time.perf_counter() - start)
    result["best_s"] = min(times)
    return result


# ---------------------------------------------------------------- the driver


def run_measure(op: str, path: Path, repeats: int, queries: int) -> dict[str, float] | str:
    """One subprocess per measurement; returns its figures or the reason it failed."""
    argv = [sys.executable, str(Path(__file__).resolve()), "--measure", op, str(path)]
    argv += ["--repeats", str(repeats), "--queries", str(queries)]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=REPO, timeout=900)
    if done.returncode != 0:
        lines = [ln for ln in done.stderr.strip().splitlines() if ln.strip()]
        return lines[-1] if lines else f"exit code {done.returncode}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--sites", type=int, default=None, help="sites in the generated config (10000; quick 1000)"
    )
    parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    parser.add_argument(
        "--repeats", type=int, default=None, help="calls per timing, best kept (5; quick 2)"
    )
    parser.add_argument(
        "--queries", type=int, default=None, help="lookups per figure (2000; quick 200)"
    )
    parser.add_argument(
        "--file", type=Path, action="append", help="benchmark this file instead (repeatable)"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write raw results here")
    parser.add_argument("--measure", nargs=2, metavar=("OP", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.sites = args.sites or (1000 if args.quick else 10_000)
    args.repeats = args.repeats or (2 if args.quick else 5)
    args.queries = args.queries or (200 if args.quick else 2000)
    if args.measure and args.measure[0] not in OPS:
        parser.error(f"--measure OP must be one of {', '.join(OPS)}")
    return args


def _cell(res: dict | str, key: str, scale: float = 1.0, digits: int = 1) -> str:
    if isinstance(res, str):
        return "not available"
    value = res.get(key)
    return fmt(value * scale, digits) if value is not None else "n/a"


def _vs(res: dict | str, base: dict | str, key: str) -> str:
    if isinstance(res, str) or isinstance(base, str):
        return ""
    return f" ({ratio(res.get(key), base.get(key))})"


def render(
    files: list[tuple[str, Path]], results: dict[str, dict[str, dict | str]], repeats: int
) -> str:
    headers = ["figure", *(label for label, _ in files)]
    rows = []

    def row(
        label: str, op: str, key: str, scale: float, digits: int = 1, vs_lxml: bool = False
    ) -> None:
        cells = []
        for name, _ in files:
            res, base = results[name][op], results[name]["lxml"]
            cells.append(_cell(res, key, scale, digits) + (_vs(res, base, key) if vs_lxml else ""))
        rows.append([label, *cells])

    row("lxml.etree.parse, ms (best)", "lxml", "best_s", 1e3, 2)
    row("iisftp.load, ms (best; x lxml)", "load", "best_s", 1e3, 2, vs_lxml=True)
    row("iisftp.load, ms (first call, cold)", "load", "cold_s", 1e3, 2)
    row("load + validate(), ms (best; x lxml)", "validate", "best_s", 1e3, 2, vs_lxml=True)
    row("validate() diagnostics (count)", "validate", "diagnostics", 1, 0)
    row("lxml.etree.parse, peak MiB", "lxml", "peak_kib", 1 / 1024, 2)
    row("iisftp.load, peak MiB (x lxml)", "load", "peak_kib", 1 / 1024, 2, vs_lxml=True)
    row("load + validate(), peak MiB (x lxml)", "validate", "peak_kib", 1 / 1024, 2, vs_lxml=True)
    row('effective(authorization, "<site>/sub"), first, us', "lookup", "effective_first_us", 1, 0)
    row(
        'effective(authorization, "<site>/sub").collection(), us/query', "lookup", "effective_us", 1
    )
    row(
        'site_element(<site>, "ftpServer/security/ssl"), first, us',
        "lookup",
        "site_element_first_us",
        1,
        0,
    )
    row(
        'site_element(<site>, "ftpServer/security/ssl").get(), us/query',
        "lookup",
        "site_element_us",
        1,
    )
    title = (
        f"Config benchmark (times: best of {repeats} calls in a fresh process;"
        " peak = VmHWM - RSS before)"
    )
    out = title + "\n\n" + table(headers, rows)
    notes = {
        f"{name}/{op}": res
        for name, per_op in results.items()
        for op, res in per_op.items()
        if isinstance(res, str)
    }
    for where, why in notes.items():
        out += f"\nnot available: {where}: {why}"
    return out


def run(args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory(prefix="iisftp-config-bench-") as tmp:
        files: list[tuple[str, Path]] = []
        if args.file:
            files = [(p.name, p) for p in args.file]
        else:
            corpus = largest_corpus_file()
            if corpus is not None:
                files.append((f"{corpus.name} ({corpus.stat().st_size // 1024} KiB)", corpus))
            import apphost

            big = apphost.big_config(Path(tmp) / "applicationHost.config", args.sites)
            files.append(
                (f"generated {args.sites:,} sites ({big.stat().st_size / 2**20:.1f} MiB)", big)
            )
        results = {
            label: {op: run_measure(op, path, args.repeats, args.queries) for op in OPS}
            for label, path in files
        }
    print(render(files, results, args.repeats))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.measure:
        op, path = args.measure
        print(json.dumps(measure(op, Path(path), args.repeats, args.queries)))
        return 0
    run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
