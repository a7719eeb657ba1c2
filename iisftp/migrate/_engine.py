"""`migrate()`: sources in, a runnable iisftp configuration folder and a report out.

Order: read and classify sources -> pick the FTP sites -> build the output document
(lossless copy or template + spliced sites) -> rename colliding sites -> rewrite
values for this host -> users and certificates -> write (unless dry run) ->
validate with iisftp.config. Sources are only ever read.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from iisftp.errors import IisftpError, Location, UsageError
from iisftp.folder import ConfigFolder
from iisftp.migrate._certs import settle_certificates
from iisftp.migrate._extract import (
    Output,
    Unit,
    all_sites,
    build_output,
    ftp_sites,
    has_ftp_binding,
    location_site,
)
from iisftp.migrate._mapping import MigrationMapping
from iisftp.migrate._report import Report
from iisftp.migrate._rewrite import Rewriter
from iisftp.migrate._sources import SITE_KINDS, Source, read_sources
from iisftp.schema import is_encrypted
from iisftp.users import UserStore, validate_name
from iisftp.xmldoc import Document

__all__ = ["MigrateOptions", "migrate"]

Progress = Callable[[str, int, int], None]


@dataclass
class MigrateOptions:
    sources: list[Path]
    to: Path
    mapping: MigrationMapping = field(default_factory=MigrationMapping)
    keep_all: bool = False
    dry_run: bool = False
    force: bool = False  # replace an existing, different applicationHost.config
    key_file: Path | None = None
    pfx_password: bytes | None = None
    privileged: bool | None = None  # may bind ports < 1024; None = running as root
    sites: list[str] = field(default_factory=list)  # only these FTP sites (names); [] = all
    progress: Progress | None = None


def migrate(options: MigrateOptions) -> Report:
    """Migrate; raises UsageError for bad arguments, reports everything else."""
    folder = ConfigFolder.resolve(options.to)
    report = Report(output=str(folder.apphost), dry_run=options.dry_run)
    tick = options.progress or (lambda _what, _done, _total: None)
    sources = read_sources(options.sources)
    _refuse_overwriting_sources(sources, folder)
    for n, source in enumerate(sources, 1):
        tick(f"reading {source.path.name}", n, len(sources))
        report.sources.append(source.describe())
        _note_source(source, report)
    picked = _pick(sources, options.sites, report)
    if not picked:
        found = "; ".join(f"{s.path.name} is {_what(s)}" for s in sources) or "no files"
        if options.sites:
            found = "no FTP site matches --site " + ", ".join(options.sites)
        report.add(
            "error",
            "no-ftp-sites",
            f"no FTP site to migrate: {found}",
            hint='an FTP site has <binding protocol="ftp" ...>; pass applicationHost.config or '
            "`appcmd list site /config /xml` output (an app pool export has no sites)",
        )
        return report
    out = _assemble(picked, options.keep_all, report)
    chosen = _chosen(out, picked) if options.sites else None
    rewriter = Rewriter(
        out,
        options.mapping,
        report,
        _privileged(options),
        options.keep_all,
        key_file=options.key_file,
        tick=tick,
        chosen=chosen,
    )
    report.sites = rewriter.run()
    _settle_users(rewriter, sources, folder, options.mapping, report)
    _drop_unused_protected_data(out, options.keep_all)
    data = out.doc.to_bytes()
    unchanged = not options.dry_run and _check_target(folder, data, options.force)
    settle_certificates(
        rewriter.certificates,
        sources,
        options.mapping,
        folder.cert_dir,
        report,
        dry_run=options.dry_run,
        pfx_password=options.pfx_password,
    )
    if options.dry_run:
        with tempfile.TemporaryDirectory(prefix="iisftp-migrate-") as tmp:
            _validate(_write(Path(tmp) / folder.apphost.name, data), report, folder.apphost, out)
    else:
        if unchanged:
            report.add("info", "unchanged", f"{folder.apphost} already holds this migration")
        else:
            folder.root.mkdir(parents=True, exist_ok=True)
            Document.from_bytes(data, str(folder.apphost)).save(folder.apphost)
        _validate(folder.apphost, report, folder.apphost, out)
    tick("done", 1, 1)
    _next_steps(report, folder, options)
    return report


def _pick(
    sources: list[Source], wanted: list[str], report: Report
) -> list[tuple[Source, list[etree._Element]]]:
    """The FTP sites to migrate per source: all, or those named with --site."""
    names = {w.casefold(): w for w in wanted}
    picked = []
    for source in sources:
        if source.kind not in SITE_KINDS:
            continue
        sites = ftp_sites(source)
        if names:
            for site in sites:
                if site.get("name", "").casefold() not in names:
                    report.add(
                        "info",
                        "site-not-chosen",
                        f"FTP site '{site.get('name')}' left out (not named with --site)",
                        Location(str(source.path), site.sourceline or 0),
                    )
            sites = [s for s in sites if s.get("name", "").casefold() in names]
            for site in sites:
                names.pop(site.get("name", "").casefold(), None)
        if sites:
            picked.append((source, sites))
    for missing in names.values():
        report.add(
            "error",
            "no-such-site",
            f"--site '{missing}': no FTP site of that name",
            hint="the report lists the FTP sites found; names are matched case-insensitively",
        )
    return picked


def _chosen(out: Output, picked: list[tuple[Source, list[etree._Element]]]) -> set[str]:
    """Output names (after renames) of the sites picked with --site."""
    wanted = {site for _, sites in picked for site in sites}
    return {e.get("name", "").casefold() for e, (_, src) in out.origin.items() if src in wanted}


def _what(source: Source) -> str:
    if source.kind in SITE_KINDS:
        return f"{source.detail} whose {len(all_sites(source))} site(s) have no ftp binding"
    return source.detail or source.kind


def _privileged(options: MigrateOptions) -> bool:
    if options.privileged is not None:
        return options.privileged
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _refuse_overwriting_sources(sources: list[Source], folder: ConfigFolder) -> None:
    if not folder.apphost.exists():
        return
    for source in sources:
        if source.path.is_file() and os.path.samefile(source.path, folder.apphost):
            raise UsageError(
                f"--to {folder.root} would overwrite the source {source.path}",
                "migrate into a new folder; sources are never modified",
            )


def _note_source(source: Source, report: Report) -> None:
    where = Location(str(source.path))
    if source.kind == "unreadable":
        report.add(
            "error",
            "unreadable-source",
            source.detail,
            None if ":" in source.detail else where,
            "fix or leave out this file",
        )
    elif source.kind == "appcmd-other":
        report.add(
            "info",
            "no-sites",
            f"{source.detail}: it has no sites",
            where,
            "export sites with `appcmd list site /config /xml`",
        )
    elif source.kind in SITE_KINDS:
        sites = all_sites(source)
        ftp = ftp_sites(source)
        if source.kind == "appcmd-sites":
            _summary_only(source, report)
        if source.kind == "appcmd-sites" and ftp:
            report.add(
                "warning",
                "appcmd-no-authorization",
                "appcmd site exports hold no <location> authorization rules, so nobody has "
                "access to the migrated sites yet",
                where,
                "also pass applicationHost.config, or add rules with `iisftp config add`",
            )
        for site in sites:
            if site in ftp:
                continue
            settings = site.find("ftpServer")
            if settings is not None and any(e.attrib for e in settings.iter(etree.Element)):
                report.add(
                    "warning",
                    "ftp-settings-without-binding",
                    f"site '{site.get('name')}' has FTP settings but no ftp binding; not migrated",
                    Location(str(source.path), site.sourceline or 0),
                    'add <binding protocol="ftp" bindingInformation="*:21:" /> to migrate it',
                )
        if sites and not ftp:
            report.add(
                "info",
                "no-ftp-sites-here",
                f"{len(sites)} site(s), none with an ftp binding",
                where,
            )
    elif source.kind == "redirection":
        report.add(
            "info",
            "shared-configuration",
            "this server reads its configuration from a share (redirection.config)",
            where,
            "pass the applicationHost.config from that share",
        )
    elif source.kind == "unknown":
        report.add("info", "ignored-file", source.detail, where)


def _summary_only(source: Source, report: Report) -> None:
    """appcmd `list site /xml` without `/config` gives only one summary line per site."""
    assert source.doc is not None
    for entry in source.doc.root.iterfind("SITE"):
        if entry.find("site") is None and "ftp/" in entry.get("bindings", "").lower():
            report.add(
                "warning",
                "appcmd-without-config",
                f"FTP site '{entry.get('SITE.NAME')}' was exported without its configuration",
                Location(str(source.path), entry.sourceline or 0),
                "export again with `appcmd list site /config /xml`",
            )


def _assemble(
    picked: list[tuple[Source, list[etree._Element]]], keep_all: bool, report: Report
) -> Output:
    base = next((s for s, _ in picked if s.kind == "apphost"), None)
    names: dict[str, str] = {}
    extra_sites: list[Unit] = []
    extra_locations: list[Unit] = []
    renames: dict[etree._Element, tuple[str, str]] = {}  # source site -> (new name, new id)
    used_ids: set[str] = set()
    if keep_all and base is not None:  # the base's web sites stay: their names are taken
        for site in all_sites(base):
            if not has_ftp_binding(site):
                names[site.get("name", "").casefold()] = site.get("name", "")
                used_ids.add(site.get("id", ""))
    for source, sites in picked:
        own: dict[str, str] = {}
        for site in sites:
            name, site_id = site.get("name", ""), site.get("id", "")
            new_name, new_id = _unique(name, names), site_id
            if site_id in used_ids:
                new_id = str(max((int(i) for i in used_ids if i.isdigit()), default=0) + 1)
            if (new_name, new_id) != (name, site_id):
                renames[site] = (new_name, new_id)
                report.add(
                    "warning",
                    "name-collision",
                    f"site '{name}' (id {site_id}) is already taken by an earlier source; "
                    f"migrated as '{new_name}' (id {new_id})",
                    Location(str(source.path), site.sourceline or 0),
                    "edit the name in the output if another one suits better",
                )
            names[new_name.casefold()] = new_name
            own[name.casefold()] = name
            used_ids.add(new_id)
            if source is not base:
                extra_sites.append(Unit(source, site))
        if source is not base and source.kind == "apphost" and source.doc is not None:
            for loc in source.doc.root.iterfind("location"):
                if (
                    location_site(loc.get("path", ""), own)
                    and loc.find("system.ftpServer") is not None
                ):
                    extra_locations.append(Unit(source, loc))
            server_wide = source.doc.root.find("system.ftpServer")
            if server_wide is not None:
                report.add(
                    "info",
                    "global-not-merged",
                    "server-wide <system.ftpServer> settings of this "
                    "file were not merged (the first applicationHost.config's are used)",
                    Location(str(source.path), server_wide.sourceline or 0),
                )
    label = ", ".join(s.path.name for s, _ in picked)
    base_names = {
        s.get("name", "").casefold(): s.get("name", "")
        for src, sites in picked
        if src is base
        for s in sites
    }
    out = build_output(base, extra_sites, extra_locations, base_names, keep_all, report, label)
    _apply_renames(out, renames, keep_all)
    return out


def _unique(name: str, taken: dict[str, str]) -> str:
    candidate, n = name, 2
    while candidate.casefold() in taken:
        candidate, n = f"{name} ({n})", n + 1
    return candidate


def _apply_renames(
    out: Output, renames: dict[etree._Element, tuple[str, str]], keep_all: bool
) -> None:
    doc = out.doc
    # (id of the Source, which lives as long as this run, old name casefolded) -> new name;
    # not the path: the same file may be given twice.
    moved: dict[tuple[int, str], str] = {}
    for elem, (source, src) in list(out.origin.items()):
        if src in renames and elem.tag == "site":
            new_name, new_id = renames[src]
            moved[(id(source), src.get("name", "").casefold())] = new_name
            doc.set_attribute(elem, "name", new_name)
            doc.set_attribute(elem, "id", new_id)
    for loc in doc.root.iterfind("location"):
        origin = out.origin.get(loc)
        if origin is None:
            continue
        path = loc.get("path", "")
        head, sep, rest = path.strip("/").partition("/")
        new = moved.get((id(origin[0]), head.casefold()))
        if new is not None:
            doc.set_attribute(loc, "path", new + sep + rest)
        if not keep_all:
            for section in [
                c for c in loc if isinstance(c.tag, str) and c.tag != "system.ftpServer"
            ]:
                doc.remove_element(section)


def _settle_users(
    rewriter: Rewriter,
    sources: list[Source],
    folder: ConfigFolder,
    mapping: MigrationMapping,
    report: Report,
) -> None:
    store = UserStore.open(folder.users_file)
    managers = [
        (add.get("name", ""), Location(str(s.path), add.sourceline or 0))
        for s in sources
        if s.kind == "administration" and s.doc is not None
        for add in s.doc.root.iterfind("system.webServer/management/authentication/credentials/add")
    ]
    anonymous = rewriter.anonymous_names
    needed = {u: "named in authorization rules" for u in sorted(rewriter.users)}
    for name in [u for u in needed if u.casefold() in anonymous]:
        del needed[name]  # the anonymous account: anonymous logins match it, no password
    for name, where in managers:
        target, _rule = mapping.resolve_account(name)
        # IIS-COMPAT: IIS Manager stores unsalted SHA-256 hashes; iisftp's store takes
        # only its own scrypt hashes, so these users need their password set again.
        needed.setdefault(target, f"IIS Manager user from {where}")
    if rewriter.needs_iis_manager_users and not managers:
        report.add(
            "warning",
            "iis-manager-users",
            "sites use IIS Manager users, but no administration.config was given",
            hint="pass administration.config (or the exported folder) to list them",
        )
    for name, why in needed.items():
        try:
            validate_name(name)
        except UsageError as exc:
            report.add(
                "warning",
                "bad-user-name",
                f"{name!r} ({why}) cannot be an iisftp user: {exc.message}",
                hint=f"map it with --map-account '{name}=NEW_NAME'",
            )
            continue
        if store.get(name) is None:
            report.users_needing_password.append(f"{name} ({why})")
        else:
            report.add(
                "info",
                "user-exists",
                f"user {name!r} ({why}) already exists in iisftp; kept as it is",
                hint="check it is the same person",
            )
    if report.users_needing_password:
        report.add(
            "warning",
            "users-need-passwords",
            f"{len(report.users_needing_password)} user(s) "
            "must be created with a password before they can log in",
            hint="`iisftp user add NAME` for each user listed",
        )
    existing_roles = {r.casefold() for u in store.list() for r in u.roles}
    for role in sorted(rewriter.roles):
        if role.casefold() not in existing_roles:
            report.add(
                "info",
                "role-unused",
                f"role {role!r} is used by authorization rules but no iisftp user has it yet",
                hint=f"`iisftp user add NAME --role {role}`",
            )


def _drop_unused_protected_data(out: Output, keep_all: bool) -> None:
    data = out.doc.root.find("configProtectedData")
    if data is None or keep_all:
        return
    if not any(
        is_encrypted(v) for e in out.doc.root.iter(etree.Element) for v in e.attrib.values()
    ):
        out.doc.remove_element(data)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _check_target(folder: ConfigFolder, data: bytes, force: bool) -> bool:
    """True when the target already holds exactly this output; refuse to replace another
    file without --force (checked before anything is written)."""
    target = folder.apphost
    if not target.exists():
        return False
    if target.read_bytes() == data:
        return True
    if not force:
        raise UsageError(
            f"{target} exists and differs from this migration",
            "give --force to replace it (or migrate into an empty folder)",
        )
    return False


def _validate(path: Path, report: Report, shown: Path, out: Output) -> None:
    """Validate the written output; point each finding at the source line it came from."""
    from iisftp.config import load

    try:
        config = load(path)
    except IisftpError as exc:
        report.add("error", "validate-failed", f"the output does not load: {exc}", exc.where)
        return
    origins: dict[int, Location] = {}
    for written, edited in zip(config.document.root.iter(), out.doc.root.iter(), strict=False):
        where = out.where(edited)
        if where is not None and written.sourceline:
            origins.setdefault(written.sourceline, where)
    for d in config.validate():
        if d.severity in ("error", "warning"):
            where = origins.get(d.line) or Location(str(shown), d.line)
            report.add(d.severity, f"validate:{d.code}", d.message, where, d.hint)


def _next_steps(report: Report, folder: ConfigFolder, options: MigrateOptions) -> None:
    if options.dry_run:
        report.step("rerun without --dry-run to write the configuration")
    codes = {f.code for f in report.findings}
    if "missing-folder" in codes:
        report.step("create the missing folders and copy the site content into them")
    if report.users_needing_password:
        report.step(f"create the users: iisftp user add NAME -c {folder.root}")
    if "missing-certificate" in codes:
        report.step(f"import the certificates: iisftp cert import FILE.pfx -c {folder.root}")
    if any(f.code == "encrypted-value" and f.severity == "warning" for f in report.findings):
        report.step("remove the encrypted values listed above (`iisftp config unset ...`)")
    if report.sites:
        report.step(
            f"check and start: iisftp validate -c {folder.root} && iisftp serve -c {folder.root}"
        )
