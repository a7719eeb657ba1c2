"""Validation diagnostics: the value type, the stable codes and the output formats.

Codes are stable identifiers (tests, CI annotations and users grep for them);
add new ones at the end of a block, never renumber.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

__all__ = ["CODES", "ERROR", "INFO", "WARNING", "Diagnostic", "render"]

ERROR, WARNING, INFO = "error", "warning", "info"

CODES: dict[str, str] = {
    # the file itself
    "IIS001": "malformed or unreadable XML",
    "IIS002": "not an applicationHost.config (export or fragment)",
    "IIS003": "section not validated (no schema loaded)",
    "IIS004": "unknown section (not registered, no schema)",
    # schema
    "IIS005": "unknown element",
    "IIS006": "unknown attribute",
    "IIS007": "invalid value",
    "IIS008": "required attribute missing",
    "IIS009": "duplicate collection key",
    "IIS010": "unsupported collection directive",
    "IIS011": "lock violation",
    "IIS012": "location sets both overrideMode and allowOverride",
    "IIS013": "section not allowed here",
    "IIS014": "runtime-only attribute in a file",
    "IIS015": "encrypted value (kept verbatim, not checked)",
    "IIS016": "section defined twice for the same path",
    "IIS017": "undefined environment variable in a path",
    "IIS018": "configSource is not followed",
    "IIS019": "Windows-only physical path",
    # sites and bindings
    "IIS020": "malformed bindingInformation",
    "IIS021": "FTP bindings collide",
    "IIS022": "binding on port 0",
    # FTP security
    "IIS030": "SSL required but no certificate",
    "IIS031": "serverCertHash is not a SHA-1 thumbprint",
    "IIS032": "serverCertHash not in IIS Manager's form",
    "IIS033": "certificate not in the certificate store",
    "IIS034": "authorization rule with neither users nor roles",
    # locations
    "IIS040": "location names no existing site",
}


@dataclass(frozen=True)
class Diagnostic:
    """One problem: where (file, 1-based line and column; 0 = unknown), what, what to do."""

    file: str
    line: int
    column: int
    code: str
    severity: str  # "error" | "warning" | "info"
    message: str
    hint: str = ""

    def text(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        hint = f"; {self.hint}" if self.hint else ""
        return f"{where}: {self.severity} {self.code}: {self.message}{hint}"

    def github(self) -> str:
        # GitHub workflow commands: notice/warning/error; escape per the runner's rules.
        level = {ERROR: "error", WARNING: "warning"}.get(self.severity, "notice")
        message = f"{self.message}; {self.hint}" if self.hint else self.message
        props = f"file={_prop(self.file)},line={self.line or 1},col={self.column or 1}"
        return f"::{level} {props},title={_prop(self.code)}::{_data(message)}"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def summary(diagnostics: Iterable[Diagnostic]) -> dict[str, int]:
    counts = {ERROR: 0, WARNING: 0, INFO: 0}
    for diag in diagnostics:
        counts[diag.severity] = counts.get(diag.severity, 0) + 1
    return {"errors": counts[ERROR], "warnings": counts[WARNING], "infos": counts[INFO]}


def render(diagnostics: Sequence[Diagnostic], fmt: str) -> str:
    """Text (`file:line:col: severity CODE: message; hint`), json or github annotations."""
    if fmt == "json":
        return json.dumps(
            {"diagnostics": [asdict(d) for d in diagnostics], "summary": summary(diagnostics)},
            indent=2,
        )
    if fmt == "github":
        return "\n".join(d.github() for d in diagnostics)
    return "\n".join(d.text() for d in diagnostics)
