"""Atomic file replacement for configuration saves.

Write a temp file in the target's folder, fsync it, give it the target's permission
bits, then `os.replace` it over the target. On any failure the target is untouched
and the temp file removed; failures raise ConfigError.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from iisftp.errors import ConfigError, Location

__all__ = ["atomic_write"]


def atomic_write(path: Path, data: bytes, fallback_mode: int | None = None) -> os.stat_result:
    """Replace `path` with `data` atomically; returns the new file's stat."""
    target = Path(os.path.realpath(path))  # replace a symlink's target, not the link
    try:
        old = target.stat()
        mode, owner = stat.S_IMODE(old.st_mode), (old.st_uid, old.st_gid)
    except FileNotFoundError:
        mode, owner = fallback_mode, None
    if mode is None:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise _write_error(path, exc) from exc
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fchmod(f.fileno(), mode)
            if owner and owner != (os.getuid(), os.getgid()):
                with contextlib.suppress(PermissionError):  # only root may give files away
                    os.fchown(f.fileno(), *owner)
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _write_error(path, exc) from exc
        raise
    _fsync_dir(target.parent)
    return target.stat()


def _write_error(path: Path, exc: OSError) -> ConfigError:
    return ConfigError(
        f"could not write the file: {exc.strerror or exc}",
        "check the folder's permissions and free space; the original file is unchanged",
        Location(str(path)),
    )


def _fsync_dir(folder: Path) -> None:
    # Make the rename durable; not every platform/filesystem allows opening a folder.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
