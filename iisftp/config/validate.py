"""`Config.validate()` and `validate_file()`: every problem in a file, as Diagnostics.

Distrusts: the file (any bytes). Malformed or unreadable input becomes one
IIS001 diagnostic (the CLI's "unusable input"); every other problem is reported
and the walk goes on. appcmd exports (`<appcmd>` root) and `<site>` fragments
are recognised and their `<site>` elements checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from iisftp.config._gc import gc_paused
from iisftp.config.check_ftp import check_authorization_rules, check_locations, check_sites
from iisftp.config.check_locks import check_locks
from iisftp.config.check_schema import check_element, check_sections
from iisftp.config.config import SITES, Config
from iisftp.config.diagnostics import CODES, ERROR, INFO, WARNING, Diagnostic, render, summary
from iisftp.config.sink import Sink
from iisftp.errors import ConfigError

__all__ = ["CODES", "Diagnostic", "render", "summary", "validate_config", "validate_file"]

UNUSABLE = "IIS001"


def validate_config(config: Config, *, strict: bool = False) -> list[Diagnostic]:
    """Check a loaded configuration; `strict` turns warnings and "not validated" into errors."""
    with gc_paused():
        return _validate(config, strict)


def _validate(config: Config, strict: bool) -> list[Diagnostic]:
    sink = Sink(config.filename, config.document)
    kind = config.root_kind
    if kind == "configuration":
        check_sections(config, sink)
        check_locations(config, sink)
        check_locks(config, sink)
        check_authorization_rules(config, sink)
        check_sites(config, sink, config.sites())
    elif kind in ("appcmd", "site"):
        what = (
            "an appcmd export (appcmd list ... /config /xml)"
            if kind == "appcmd"
            else "a <site> fragment"
        )
        sink.add(
            config.root,
            "IIS002",
            INFO,
            f"this is {what}, not an applicationHost.config; only its <site> elements are checked",
            "import it into a configuration with `iisftp migrate`",
        )
        sites = [config.root] if kind == "site" else list(config.root.iter("site"))
        item = _site_schema(config)
        for site in sites:
            if item is not None:
                check_element(sink, site, item, "site", item_of=_sites_collection(config))
        check_sites(config, sink, [config.site_view(s) for s in sites])
    else:
        sink.add(
            config.root,
            "IIS002",
            ERROR,
            f"the root element is <{kind}>, not <configuration>",
            "pass an applicationHost.config file",
        )
    diagnostics = sorted(sink.items, key=lambda d: (d.line, d.code))
    return [_promote(d) for d in diagnostics] if strict else diagnostics


def _sites_collection(config: Config) -> Any:
    schema = config.section_schema(SITES)
    return schema.root.collection if schema is not None else None


def _site_schema(config: Config) -> Any:
    coll = _sites_collection(config)
    return coll.item if coll is not None else None


def _promote(diag: Diagnostic) -> Diagnostic:
    if diag.severity == WARNING or (diag.severity == INFO and diag.code == "IIS003"):
        return Diagnostic(
            diag.file, diag.line, diag.column, diag.code, ERROR, diag.message, diag.hint
        )
    return diag


def validate_file(
    path: str | Path,
    *,
    schema_dirs: Sequence[Path] | None = None,
    strict: bool = False,
    variables: Mapping[str, str] | None = None,
    schemas: Any = None,
) -> list[Diagnostic]:
    """Load and check one file; unreadable or malformed input is one IIS001 error.

    `variables` (for %VAR% in physical paths) default to the process environment
    plus the configuration folder's variables.env, as for `iisftp serve`.

    A bad schema folder raises ConfigError (that is not the file's fault).
    """
    from iisftp.config.config import load
    from iisftp.schema import load_schemas

    if schemas is None:
        schemas = load_schemas(list(schema_dirs) if schema_dirs else None)
    try:
        config = load(path, schemas=schemas, variables=variables)
    except ConfigError as exc:
        where = exc.where
        return [
            Diagnostic(
                where.file if where else str(path),
                where.line if where else 0,
                where.column if where else 0,
                UNUSABLE,
                ERROR,
                exc.message,
                exc.hint,
            )
        ]
    return validate_config(config, strict=strict)


def is_unusable(diagnostics: Sequence[Diagnostic]) -> bool:
    return any(d.code == UNUSABLE for d in diagnostics)
