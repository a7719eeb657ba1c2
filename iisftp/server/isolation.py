"""User isolation: which folders a logged-in user sees, and where they start.

SECURITY BOUNDARY. Distrusts the login name: it becomes a path segment only
after it is checked to be one plain segment (no separators, no `..`, no `:`).
Modes follow wire-behaviour.md §3: homes are `LocalUser\\<name>`,
`LocalUser\\Public` for anonymous, `<DOMAIN>\\<name>` for `DOMAIN\\name` logins.
"""

from __future__ import annotations

import os
from pathlib import Path

from iisftp.model.site import FtpSite, IsolationMode, ShowFlags
from iisftp.server.authz import Identity
from iisftp.server.fsview import FsError, FsView, Mount, split_virtual

__all__ = ["site_view", "user_view"]


def _mounts(site: FtpSite) -> list[Mount]:
    return [Mount(split_virtual(v.path), Path(v.physical_path)) for v in site.virtual_directories]


def site_view(site: FtpSite) -> FsView:
    """The whole site, as a non-isolated user sees it."""
    return FsView(_mounts(site), bool(site.show_flags & ShowFlags.DISPLAY_VIRTUAL_DIRECTORIES))


def _safe_segment(name: str) -> bool:
    return bool(name) and name not in (".", "..") and not any(c in name for c in "/\\:\0")


def _home_parts(who: Identity) -> tuple[str, ...] | None:
    if who.anonymous:
        return ("LocalUser", "Public")
    domain, sep, user = who.name.rpartition("\\")
    parts = (domain, user) if sep else ("LocalUser", who.name)
    return parts if all(_safe_segment(p) for p in parts) else None


def _ci_child(folder: Path, name: str) -> Path:
    """`folder/name`, matching an existing entry case-insensitively (IIS is)."""
    exact = folder / name
    if exact.exists():
        return exact
    try:
        for entry in os.scandir(folder):
            if entry.name.lower() == name.lower():
                return Path(entry.path)
    except OSError:
        pass
    return exact


def user_view(site: FtpSite, who: Identity) -> tuple[FsView, str] | None:
    """(view, start directory) for `who`, or None when the home is missing."""
    full = site_view(site)
    mode = site.user_isolation
    if mode is IsolationMode.NONE:
        return full, "/"
    if mode is IsolationMode.START_IN_USERS_DIRECTORY:
        start = "/default" if who.anonymous else "/" + who.name.rpartition("\\")[2]
        if not _safe_segment(start[1:]) or not full.is_dir(start):
            start = "/"
        return full, start
    parts = _home_parts(who)
    if parts is None or mode not in (
        IsolationMode.ISOLATE_ROOT_DIRECTORY_ONLY,
        IsolationMode.ISOLATE_ALL_DIRECTORIES,
    ):
        return None  # ActiveDirectory / Custom homes are not available here
    home = _find_home(full, parts)
    if home is None:
        return None
    show = full.show_virtual
    mounts = [Mount((), home)]
    home_key = tuple(p.lower() for p in parts)
    for m in full.mounts:
        if m.key[: len(home_key)] == home_key and len(m.parts) > len(home_key):
            mounts.append(Mount(m.parts[len(home_key) :], m.root))  # vdirs under the home
        elif (
            mode is IsolationMode.ISOLATE_ROOT_DIRECTORY_ONLY
            and m.parts
            and (m.key[0] != home_key[0])
        ):
            mounts.append(m)  # global virtual directories stay visible
    return FsView(mounts, show), "/"


def _find_home(full: FsView, parts: tuple[str, ...]) -> Path | None:
    try:
        host = full.resolve("/" + "/".join(parts))
    except FsError:
        return None
    if host is None:
        return None
    # Resolve case-insensitively below the mount when the exact name is missing.
    if not host.is_dir():
        top = host.parent.parent
        host = _ci_child(_ci_child(top, host.parent.name), host.name)
        if not os.path.realpath(host).startswith(os.path.realpath(top) + os.sep):
            return None
    return host if host.is_dir() else None
