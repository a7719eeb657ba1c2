"""Atomic, private file writes shared by the certificate and user stores.

A private key or a password-hash file must never exist on disk, even briefly,
with wider permissions than 0600, and a crash must leave either the old file or
the new one, never half of each. So: create a temp file in the target folder
with O_EXCL and the final mode, write, fsync, os.replace, fsync the folder.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from iisftp.errors import IisftpError, UsageError

__all__ = ["read_bounded", "write_atomic"]


def write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace `path` with `data`; the file is created with `mode` from its first byte."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), mode)
    except OSError as exc:
        raise IisftpError(
            f"{path}: cannot write ({exc.strerror})", "check the folder exists and is writable"
        ) from exc
    try:
        with os.fdopen(fd, "wb") as out:
            # umask can only remove bits; fchmod makes the mode exact when asked for more.
            os.fchmod(out.fileno(), mode)
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    # Makes the rename durable; not every platform/filesystem allows it.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


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
