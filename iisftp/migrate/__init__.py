"""`iisftp migrate`: bring FTP sites over from real IIS exports.

Public API:

- `migrate(MigrateOptions(sources=[...], to=folder, mapping=..., ...)) -> Report`
- `MigrationMapping` (paths, addresses, ports, accounts, certificates) and
  `load_mapping(path)` for the TOML mapping file; `parse_pairs` for `FROM=TO` options.
- `Report` (`.exit_code`, `.render_text()`, `.to_json()`, `.findings`, `.mapped`, `.sites`).

Sources are detected by content: applicationHost.config, appcmd `/config /xml`
exports (UTF-16 too), bare `<site>` fragments, administration.config, PFX/PEM
files, or an exported configuration folder holding them. Sources are never written.
"""

from __future__ import annotations

from iisftp.migrate._engine import MigrateOptions, migrate
from iisftp.migrate._mapping import (
    DEFAULT_FALLBACK_ROOT,
    DEFAULT_PATHS,
    CertSource,
    MigrationMapping,
    load_mapping,
    parse_pairs,
    parse_ports,
)
from iisftp.migrate._report import EXIT_ATTENTION, EXIT_NOTHING, EXIT_OK, Finding, Mapped, Report

__all__ = [
    "DEFAULT_FALLBACK_ROOT",
    "DEFAULT_PATHS",
    "EXIT_ATTENTION",
    "EXIT_NOTHING",
    "EXIT_OK",
    "CertSource",
    "Finding",
    "Mapped",
    "MigrateOptions",
    "MigrationMapping",
    "Report",
    "load_mapping",
    "migrate",
    "parse_pairs",
    "parse_ports",
]
