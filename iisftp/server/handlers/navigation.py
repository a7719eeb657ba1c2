"""PWD CWD CDUP MKD RMD DELE RNFR RNTO SIZE MDTM MFMT MLST: file-system commands.

Every client path goes through `session.resolve` (fsview containment +
authorization) before any file-system call.
"""

from __future__ import annotations

import calendar
import functools
import os
import posixpath
import shutil
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from iisftp.model.site import Permission
from iisftp.server import replies as R
from iisftp.server.fsview import FsError, split_virtual
from iisftp.server.listing import mlsx_facts
from iisftp.server.replies import Reply, reply

if TYPE_CHECKING:
    from pathlib import Path

    from iisftp.server.session import FtpSession

R_, W_ = Permission.READ, Permission.WRITE


def quote(vpath: str) -> str:
    return '"' + vpath.replace('"', '""') + '"'


def _os_error(exc: OSError) -> Reply:
    if isinstance(exc, FileNotFoundError):
        return R.NOT_FOUND
    if isinstance(exc, FileExistsError):
        return R.ALREADY_EXISTS
    if isinstance(exc, PermissionError):
        return R.ACCESS_DENIED
    if isinstance(exc, NotADirectoryError):
        return R.PATH_NOT_FOUND
    if exc.errno in (39, 66):  # ENOTEMPTY
        return R.DIR_NOT_EMPTY
    return R.ACCESS_DENIED


def _answers(handler: Callable[[FtpSession, str], Reply]) -> Callable[[FtpSession, str], None]:
    """Send the handler's reply, or the one for the file-system error it raised: one
    place maps FsError/OSError to IIS replies for every command here."""

    @functools.wraps(handler)
    def run(s: FtpSession, arg: str) -> None:
        try:
            answer = handler(s, arg)
        except FsError as exc:
            answer = exc.reply
        except OSError as exc:
            answer = _os_error(exc)
        s.send(answer)

    return run


def _host(s: FtpSession, arg: str, need: Permission) -> tuple[str, Path]:
    vpath, host = s.resolve(arg, need)
    if host is None:  # a purely virtual parent folder: nothing to change there
        raise FsError(R.ACCESS_DENIED)
    return vpath, host


def _is_mount_root(s: FtpSession, vpath: str) -> bool:
    assert s.view is not None
    key = tuple(p.lower() for p in split_virtual(vpath))
    return any(m.key == key for m in s.view.mounts)


def pwd(s: FtpSession, arg: str) -> None:
    s.send(reply(257, f"{quote(s.cwd)} is current directory."))


@_answers
def cwd(s: FtpSession, arg: str) -> Reply:
    assert s.view is not None
    vpath, _ = s.resolve(arg.strip() or "/", Permission.NONE)
    if not s.view.is_dir(vpath):
        raise FsError(R.NOT_FOUND)
    if not (s.allowed(vpath, R_) or s.allowed(vpath, W_)):
        raise FsError(R.ACCESS_DENIED)
    s.cwd = vpath
    return reply(250, "CWD command successful.")


def cdup(s: FtpSession, arg: str) -> None:
    # The parent as an absolute path: a denyUrlSequences ".." rule must not block CDUP.
    cwd(s, posixpath.dirname(s.cwd.rstrip("/")) or "/")


@_answers
def mkd(s: FtpSession, arg: str) -> Reply:
    vpath, host = _host(s, arg, W_)
    host.mkdir()
    return reply(257, f"{quote(vpath)} directory created.")


@_answers
def rmd(s: FtpSession, arg: str) -> Reply:
    vpath, host = _host(s, arg, W_)
    if _is_mount_root(s, vpath):
        raise FsError(R.ACCESS_DENIED)  # never remove a virtual directory's folder
    host.rmdir()
    return reply(250, "RMD command successful.")


@_answers
def dele(s: FtpSession, arg: str) -> Reply:
    _, host = _host(s, arg, W_)
    if host.is_dir():
        raise FsError(R.ACCESS_DENIED)
    host.unlink()
    return reply(250, "DELE command successful.")


@_answers
def rnfr(s: FtpSession, arg: str) -> Reply:
    vpath, host = _host(s, arg, W_)
    if _is_mount_root(s, vpath) or not os.path.lexists(host):
        raise FsError(R.NOT_FOUND if not os.path.lexists(host) else R.ACCESS_DENIED)
    s.rename_from = (vpath, host)
    return reply(350, "Requested file action pending further information.")


@_answers
def rnto(s: FtpSession, arg: str) -> Reply:
    source, s.rename_from = s.rename_from, None
    if source is None:
        return R.BAD_SEQUENCE
    assert s.site is not None
    _, host = _host(s, arg, W_)
    if os.path.lexists(host):
        if not s.site.file_handling.allow_replace_on_rename or host.is_dir():
            raise FsError(R.ALREADY_EXISTS)
        os.replace(source[1], host)
    else:
        shutil.move(str(source[1]), str(host))
    return reply(250, "RNTO command successful.")


def _file(s: FtpSession, arg: str, need: Permission) -> Path:
    _, host = _host(s, arg, need)
    if not host.is_file():
        raise FsError(R.NOT_FOUND)
    return host


@_answers
def size(s: FtpSession, arg: str) -> Reply:
    return reply(213, str(_file(s, arg, R_).stat().st_size))


def _parse_time(text: str) -> float | None:
    digits = text.split(".")[0]
    if not digits.isdigit() or len(digits) not in (8, 14):
        return None
    fmt = "%Y%m%d" if len(digits) == 8 else "%Y%m%d%H%M%S"
    try:
        return float(calendar.timegm(time.strptime(digits, fmt)))
    except ValueError:
        return None


def _set_time(s: FtpSession, when: float, path_arg: str) -> Path:
    host = _file(s, path_arg, W_)
    os.utime(host, (when, when))
    return host


@_answers
def mdtm(s: FtpSession, arg: str) -> Reply:
    first, _, rest = arg.strip().partition(" ")
    when = _parse_time(first) if rest else None
    if when is not None:
        # IIS-COMPAT: `MDTM YYYYMMDDHHMMSS path` sets the time (IIS has no MFMT).
        _set_time(s, when, rest)
    else:
        when = _file(s, arg.strip(), R_).stat().st_mtime
    return reply(213, time.strftime("%Y%m%d%H%M%S", time.gmtime(when)))


@_answers
def mfmt(s: FtpSession, arg: str) -> Reply:
    stamp, _, path = arg.strip().partition(" ")
    when = _parse_time(stamp)
    if when is None or not path:
        return R.BAD_ARGUMENT
    _set_time(s, when, path)
    return reply(213, f"Modify={stamp[:14]}; {path}")


def perm_facts(s: FtpSession, vpath: str, is_dir: bool) -> str:
    read, write = s.allowed(vpath, R_), s.allowed(vpath, W_)
    if is_dir:
        return ("el" if read else "") + ("cmpfd" if write else "")
    return ("r" if read else "") + ("awfd" if write else "")


@_answers
def mlst(s: FtpSession, arg: str) -> Reply:
    assert s.view is not None
    vpath, _ = s.resolve(arg.strip() or s.cwd, R_)
    entry = s.view.stat(vpath)
    facts = mlsx_facts(entry, perm_facts(s, vpath, entry.is_dir))
    return reply(250, f"Listing {vpath}", f"{facts} {vpath}", "End", indent=" ")
