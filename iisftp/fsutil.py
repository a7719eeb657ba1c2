"""Atomic file replacement and bounded reads, shared by every store.

A crash or a full disk must leave either the old file or the new one, never half
of each, and a private file (a key, the user store) must never exist on disk,
even briefly, with wider permissions than asked. So: a temp file in the target's
folder (created 0600 by mkstemp), write, fchmod to the final mode, fsync,
os.replace, fsync the folder. Failures raise ConfigError and leave the target
untouched.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from iisftp.errors import ConfigError, IisftpError, Location, UsageError

__all__ = ["atomic_write", "read_bounded"]


def atomic_write(
    path: Path, data: bytes, mode: int | None = None, new_file_mode: int | None = None
) -> os.stat_result:
    """Replace `path` with `data`; returns the new file's stat.

    `mode` given: the file gets exactly that mode (private files). Otherwise an
    existing file keeps its mode and owner, and a new one gets `new_file_mode`
    (default 0666 & ~umask). A symlink's target is replaced, not the link."""
    target = Path(os.path.realpath(path))
    owner = None
    if mode is None:
        try:
            old = target.stat()
            mode, owner = stat.S_IMODE(old.st_mode), (old.st_uid, old.st_gid)
        except FileNotFoundError:
            mode = new_file_mode
    if mode is None:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise _write_error(path, exc) from exc
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fchmod(out.fileno(), mode)
            if owner and owner != (os.getuid(), os.getgid()):
                with contextlib.suppress(PermissionError):  # only root may give files away
                    os.fchown(out.fileno(), *owner)
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _write_error(path, exc) from exc
        raise
    _fsync_dir(target.parent)
    return target.stat()


def read_bounded(path: Path, limit: int) -> bytes:
    """Read a file the user pointed at, refusing anything larger than `limit` bytes."""
    path = Path(path)
    try:
        with open(path, "rb") as src:
            data = src.read(limit + 1)
    except FileNotFoundError as exc:
        raise UsageError(f"{path}: file not found", "check the path") from exc
    except IsADirectoryError as exc:
        raise UsageError(f"{path}: is a folder, not a file", "give a file path") from exc
    except OSError as exc:
        raise IisftpError(f"{path}: cannot read ({exc.strerror})", "check permissions") from exc
    if len(data) > limit:
        raise UsageError(f"{path}: file is larger than {limit} bytes", "is this the right file?")
    return data


def _write_error(path: Path, exc: OSError) -> ConfigError:
    return ConfigError(
        f"could not write the file: {exc.strerror or exc}",
        "check the folder's permissions and free space; the original file is unchanged",
        Location(str(path)),
    )


def _fsync_dir(folder: Path) -> None:
    # Makes the rename durable; not every platform/filesystem allows opening a folder.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
