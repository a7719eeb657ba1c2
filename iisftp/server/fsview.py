"""The file system as one FTP session may see it: virtual paths -> host paths.

SECURITY BOUNDARY. Distrusts every path a client sends. Client paths reach the
disk only through `FsView.resolve`, which:
- accepts `/` and `\\` as separators and resolves `.`/`..` in the *virtual*
  namespace (`..` at `/` stays at `/`, as IIS does), so no path text can climb
  above a root;
- refuses NUL bytes, `:` (Windows drive letters, alternate data streams) and
  control characters;
- maps the path through the longest matching mount (virtual directory) and
  then checks, after resolving symlinks, that the host path is still inside
  that mount's folder (a symlink pointing outside is refused).
Nothing is URL-decoded, so `%2e%2e` is just a file name.
"""

from __future__ import annotations

import os
import stat as stat_mod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from iisftp.server import replies as R
from iisftp.server.replies import Reply

__all__ = ["Entry", "FsError", "FsView", "Mount", "join_virtual"]

# Uploads in progress are written under this prefix and renamed when complete.
PARTIAL_PREFIX = ".~iisftp-partial-"


class FsError(Exception):
    """A path the client may not use, carrying the reply to send."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.text)
        self.reply = reply


@dataclass(frozen=True)
class Mount:
    parts: tuple[str, ...]  # virtual location, as configured (matched case-insensitively)
    root: Path  # host folder

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(p.lower() for p in self.parts)


@dataclass(frozen=True)
class Entry:
    name: str
    is_dir: bool
    size: int
    mtime: float


def split_virtual(path: str) -> tuple[str, ...]:
    return tuple(p for p in path.replace("\\", "/").split("/") if p)


def join_virtual(parts: tuple[str, ...] | list[str]) -> str:
    return "/" + "/".join(parts)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class FsView:
    def __init__(self, mounts: list[Mount], show_virtual: bool = False) -> None:
        # Longest mount first, so the first prefix match is the deepest.
        self.mounts = sorted(mounts, key=lambda m: len(m.parts), reverse=True)
        self.show_virtual = show_virtual
        self._real_roots = {m.key: os.path.realpath(m.root) for m in self.mounts}

    # -- path text -------------------------------------------------------
    @staticmethod
    def normalize(cwd: str, arg: str) -> str:
        """The absolute virtual path for `arg` typed while in `cwd`."""
        if any(ch == "\0" or ord(ch) < 32 for ch in arg):
            raise FsError(R.BAD_NAME)
        absolute = arg.startswith(("/", "\\"))
        parts: list[str] = [] if absolute else list(split_virtual(cwd))
        for part in split_virtual(arg):
            if ":" in part:  # C:\..., file.txt::$DATA
                raise FsError(R.BAD_NAME)
            if part == ".":
                continue
            if part == "..":
                if parts:
                    parts.pop()
                continue
            parts.append(part)
        return join_virtual(parts)

    # -- mapping ---------------------------------------------------------
    def _mount_for(self, parts: tuple[str, ...]) -> tuple[Mount, tuple[str, ...]] | None:
        key = tuple(p.lower() for p in parts)
        for mount in self.mounts:
            n = len(mount.parts)
            if key[:n] == mount.key:
                return mount, parts[n:]
        return None

    def resolve(self, vpath: str) -> Path | None:
        """The contained host path for `vpath`, or None when it only exists as the
        virtual parent of a mount (e.g. `/LocalUser` above `/LocalUser/alice`)."""
        parts = split_virtual(vpath)
        found = self._mount_for(parts)
        if found is None:
            if self.is_virtual_parent(parts):
                return None
            raise FsError(R.PATH_NOT_FOUND)
        mount, rest = found
        if rest and self.is_virtual_parent(parts):
            host = os.path.join(mount.root, *rest)
            if not os.path.isdir(host):
                return None
        host = os.path.join(mount.root, *rest)
        real = os.path.realpath(host)
        if not _inside(real, self._real_roots[mount.key]):
            raise FsError(R.ACCESS_DENIED)
        return Path(real)

    def is_virtual_parent(self, parts: tuple[str, ...]) -> bool:
        key = tuple(p.lower() for p in parts)
        return any(len(m.parts) > len(key) and m.key[: len(key)] == key for m in self.mounts)

    def virtual_children(self, vpath: str) -> list[str]:
        key = tuple(p.lower() for p in split_virtual(vpath))
        names: dict[str, str] = {}
        for m in self.mounts:
            if len(m.parts) > len(key) and m.key[: len(key)] == key:
                child = m.parts[len(key)]
                names.setdefault(child.lower(), child)
        return sorted(names.values(), key=str.lower)

    # -- queries ---------------------------------------------------------
    def is_dir(self, vpath: str) -> bool:
        try:
            host = self.resolve(vpath)
        except FsError:
            return False
        return host is None or host.is_dir()

    def stat(self, vpath: str) -> Entry:
        """Entry for a file or directory; FsError(550) when missing."""
        host = self.resolve(vpath)
        name = split_virtual(vpath)[-1] if split_virtual(vpath) else "/"
        if host is None:
            return Entry(name, True, 0, 0.0)
        try:
            st = host.stat()
        except FileNotFoundError:
            raise FsError(R.NOT_FOUND) from None
        except OSError:
            raise FsError(R.ACCESS_DENIED) from None
        return Entry(name, stat_mod.S_ISDIR(st.st_mode), st.st_size, st.st_mtime)

    def listdir(self, vpath: str) -> Iterator[Entry]:
        """Entries of a directory (host entries, then virtual directories)."""
        host = self.resolve(vpath)
        seen: set[str] = set()
        if host is not None:
            parts = split_virtual(vpath)
            found = self._mount_for(parts)
            root = self._real_roots[found[0].key] if found else ""
            try:
                it = os.scandir(host)
            except FileNotFoundError:
                raise FsError(R.PATH_NOT_FOUND) from None
            except NotADirectoryError:
                raise FsError(R.PATH_NOT_FOUND) from None
            except OSError:
                raise FsError(R.ACCESS_DENIED) from None
            with it:
                for de in it:
                    if de.name.startswith(PARTIAL_PREFIX):
                        continue
                    try:
                        if de.is_symlink() and not _inside(os.path.realpath(de.path), root):
                            continue  # never show what lies outside the root
                        st = de.stat()
                    except OSError:
                        continue
                    seen.add(de.name.lower())
                    yield Entry(de.name, stat_mod.S_ISDIR(st.st_mode), st.st_size, st.st_mtime)
        if host is None or self.show_virtual:
            for name in self.virtual_children(vpath):
                if name.lower() not in seen:
                    child = vpath.rstrip("/") + "/" + name
                    try:
                        yield self.stat(child)
                    except FsError:
                        yield Entry(name, True, 0, 0.0)
