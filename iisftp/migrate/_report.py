"""The migration report: what was carried over, what was mapped, what needs attention.

One `Report` collects everything a run learns. It renders as a human summary or as
JSON, and it decides the exit code: 0 all carried over, 1 carried over with items
needing attention, 2 nothing usable. It holds no timestamps or absolute temp paths,
so two runs over the same input give the same report.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Literal

from iisftp.errors import Location

__all__ = ["EXIT_ATTENTION", "EXIT_NOTHING", "EXIT_OK", "Finding", "Mapped", "Report", "SiteResult"]

EXIT_OK = 0
EXIT_ATTENTION = 1
EXIT_NOTHING = 2

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Finding:
    """Something that did not carry over as it was, with where and what to do."""

    severity: Severity
    code: str  # stable, for scripts: "encrypted-value", "missing-folder", ...
    message: str
    where: Location | None = None
    hint: str = ""

    def line(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"{text}; {self.hint}" if self.hint else text


@dataclass(frozen=True)
class Mapped:
    """One value rewritten for this host: a path, address, port, account or certificate."""

    kind: str  # "path" | "address" | "port" | "account" | "role" | "certificate" | "site"
    source: str
    target: str
    rule: str  # where the rule came from: "--map-path", "mapping file", "default", ...
    where: Location | None = None


@dataclass
class SiteResult:
    name: str
    id: str
    source: str
    bindings: list[str] = field(default_factory=list)  # as written in the output
    folders: list[str] = field(default_factory=list)  # "/vpath -> /local/path"


@dataclass
class Report:
    sources: list[str] = field(default_factory=list)  # "path (kind)"
    output: str = ""
    dry_run: bool = False
    sites: list[SiteResult] = field(default_factory=list)
    mapped: list[Mapped] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # "3 non-FTP sites", ...
    users_created: list[str] = field(default_factory=list)
    users_needing_password: list[str] = field(default_factory=list)
    certificates_imported: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    _seen: set[Finding] = field(default_factory=set, repr=False, compare=False)

    # --- collecting ------------------------------------------------------------------

    def add(
        self,
        severity: Severity,
        code: str,
        message: str,
        where: Location | None = None,
        hint: str = "",
    ) -> None:
        finding = Finding(severity, code, message, where, hint)
        if finding not in self._seen:  # the same value reached twice reports once
            self._seen.add(finding)
            self.findings.append(finding)

    def map(
        self, kind: str, source: str, target: str, rule: str, where: Location | None = None
    ) -> None:
        self.mapped.append(Mapped(kind, source, target, rule, where))

    def step(self, text: str) -> None:
        if text not in self.next_steps:
            self.next_steps.append(text)

    # --- outcome ---------------------------------------------------------------------

    @property
    def exit_code(self) -> int:
        if not self.sites:
            return EXIT_NOTHING
        if any(f.severity in ("error", "warning") for f in self.findings):
            return EXIT_ATTENTION
        return EXIT_OK

    def counts(self) -> dict[str, int]:
        return {
            s: sum(f.severity == s for f in self.findings) for s in ("error", "warning", "info")
        }

    def to_json(self) -> str:
        data = asdict(self)
        del data["_seen"]
        data["exit_code"] = self.exit_code
        for item in (*data["findings"], *data["mapped"]):
            item["where"] = str(Location(**item["where"])) if item["where"] else None
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    def render_text(self) -> str:
        out: list[str] = []
        verb = "would migrate" if self.dry_run else "migrated"
        out.append(f"iisftp migrate: {verb} {len(self.sites)} FTP site(s)")
        out.extend(f"  source: {s}" for s in self.sources)
        if self.output:
            out.append(
                f"  output: {self.output}" + (" (dry run: not written)" if self.dry_run else "")
            )
        for site in self.sites:
            out.append(f"\nsite '{site.name}' (id {site.id}, from {site.source})")
            out.extend(f"  binding ftp {b}" for b in site.bindings)
            out.extend(f"  folder  {f}" for f in site.folders)
        if self.mapped:
            out.append("\nmapped:")
            width = max(len(m.source) for m in self.mapped)
            for m in self.mapped:
                out.append(f"  {m.kind:<11} {m.source:<{width}} -> {m.target}   [{m.rule}]")
        if self.dropped:
            out.append("\nnot carried over (not FTP):")
            out.extend(f"  {d}" for d in self.dropped)
        if self.users_created:
            out.append("\nusers created: " + ", ".join(self.users_created))
        if self.users_needing_password:
            out.append("\nusers needing a password (not created):")
            out.extend(f"  {u}" for u in self.users_needing_password)
        if self.certificates_imported:
            out.append("\ncertificates imported: " + ", ".join(self.certificates_imported))
        for severity, title in (("error", "errors"), ("warning", "warnings"), ("info", "notes")):
            items = [f for f in self.findings if f.severity == severity]
            if items:
                out.append(f"\n{title}:")
                out.extend(f"  {f.line()}" for f in items)
        if self.next_steps:
            out.append("\nnext steps:")
            out.extend(f"  {n}. {s}" for n, s in enumerate(self.next_steps, 1))
        c = self.counts()
        outcome = {
            EXIT_OK: "everything carried over",
            EXIT_ATTENTION: "carried over; some items need attention",
            EXIT_NOTHING: "nothing usable was found",
        }[self.exit_code]
        out.append(f"\n{outcome} ({c['error']} errors, {c['warning']} warnings, {c['info']} notes)")
        return "\n".join(out) + "\n"
