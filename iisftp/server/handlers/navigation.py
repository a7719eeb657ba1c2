"""PWD CWD CDUP MKD RMD DELE RNFR RNTO SIZE MDTM MFMT MLST: file-system commands.

Every client path goes through `session.resolve` (fsview containment +
authorization) before any file-system call.
"""

from __future__ import annotations

import calendar
import os
import posixpath
import shutil
import time
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
    if exc.errno in (39, 66):  # ENOTEMPTY
        return R.DIR_NOT_EMPTY
    return R.ACCESS_DENIED


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


def cwd(s: FtpSession, arg: str) -> None:
    assert s.view is not None
    try:
        vpath, _ = s.resolve(arg.strip() or "/", Permission.NONE)
        if not s.view.is_dir(vpath):
            raise FsError(R.NOT_FOUND)
        if not (s.allowed(vpath, R_) or s.allowed(vpath, W_)):
            raise FsError(R.ACCESS_DENIED)
    except FsError as exc:
        s.send(exc.reply)
        return
    s.cwd = vpath
    s.send(reply(250, "CWD command successful."))


def cdup(s: FtpSession, arg: str) -> None:
    # The parent as an absolute path: a denyUrlSequences ".." rule must not block CDUP.
    cwd(s, posixpath.dirname(s.cwd.rstrip("/")) or "/")


def mkd(s: FtpSession, arg: str) -> None:
    try:
        vpath, host = _host(s, arg, W_)
        host.mkdir()
    except FsError as exc:
        s.send(exc.reply)
    except OSError as exc:
        s.send(_os_error(exc))
    else:
        s.send(reply(257, f"{quote(vpath)} directory created."))


def rmd(s: FtpSession, arg: str) -> None:
    try:
        vpath, host = _host(s, arg, W_)
        if _is_mount_root(s, vpath):
            raise FsError(R.ACCESS_DENIED)  # never remove a virtual directory's folder
        host.rmdir()
    except FsError as exc:
        s.send(exc.reply)
    except NotADirectoryError:
        s.send(R.PATH_NOT_FOUND)
    except OSError as exc:
        s.send(_os_error(exc))
    else:
        s.send(reply(250, "RMD command successful."))


def dele(s: FtpSession, arg: str) -> None:
    try:
        _, host = _host(s, arg, W_)
        if host.is_dir():
            raise FsError(R.ACCESS_DENIED)
        host.unlink()
    except FsError as exc:
        s.send(exc.reply)
    except OSError as exc:
        s.send(_os_error(exc))
    else:
        s.send(reply(250, "DELE command successful."))


def rnfr(s: FtpSession, arg: str) -> None:
    try:
        vpath, host = _host(s, arg, W_)
        if _is_mount_root(s, vpath) or not os.path.lexists(host):
            raise FsError(R.NOT_FOUND if not os.path.lexists(host) else R.ACCESS_DENIED)
    except FsError as exc:
        s.send(exc.reply)
        return
    s.rename_from = (vpath, host)
    s.send(reply(350, "Requested file action pending further information."))


def rnto(s: FtpSession, arg: str) -> None:
    source, s.rename_from = s.rename_from, None
    if source is None:
        s.send(R.BAD_SEQUENCE)
        return
    assert s.site is not None
    try:
        _, host = _host(s, arg, W_)
        if os.path.lexists(host):
            if not s.site.file_handling.allow_replace_on_rename or host.is_dir():
                raise FsError(R.ALREADY_EXISTS)
            os.replace(source[1], host)
        else:
            shutil.move(str(source[1]), str(host))
    except FsError as exc:
        s.send(exc.reply)
    except OSError as exc:
        s.send(_os_error(exc))
    else:
        s.send(reply(250, "RNTO command successful."))


def _file(s: FtpSession, arg: str, need: Permission) -> Path:
    _, host = _host(s, arg, need)
    if not host.is_file():
        raise FsError(R.NOT_FOUND)
    return host


def size(s: FtpSession, arg: str) -> None:
    try:
        host = _file(s, arg, R_)
        s.send(reply(213, str(host.stat().st_size)))
    except FsError as exc:
        s.send(exc.reply)
    except OSError as exc:
        s.send(_os_error(exc))


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


def mdtm(s: FtpSession, arg: str) -> None:
    first, _, rest = arg.strip().partition(" ")
    when = _parse_time(first) if rest else None
    try:
        if when is not None:
            # IIS-COMPAT: `MDTM YYYYMMDDHHMMSS path` sets the time (IIS has no MFMT).
            _set_time(s, when, rest)
            s.send(reply(213, time.strftime("%Y%m%d%H%M%S", time.gmtime(when))))
            return
        host = _file(s, arg.strip(), R_)
        s.send(reply(213, time.strftime("%Y%m%d%H%M%S", time.gmtime(host.stat().st_mtime))))
    except FsError as exc:
        s.send(exc.reply)
    except OSError as exc:
        s.send(_os_error(exc))


def mfmt(s: FtpSession, arg: str) -> None:
    stamp, _, path = arg.strip().partition(" ")
    when = _parse_time(stamp)
    if when is None or not path:
        s.send(R.BAD_ARGUMENT)
        return
    try:
        _set_time(s, when, path)
    except FsError as exc:
        s.send(exc.reply)
        return
    except OSError as exc:
        s.send(_os_error(exc))
        return
    s.send(reply(213, f"Modify={stamp[:14]}; {path}"))


def perm_facts(s: FtpSession, vpath: str, is_dir: bool) -> str:
    read, write = s.allowed(vpath, R_), s.allowed(vpath, W_)
    if is_dir:
        return ("el" if read else "") + ("cmpfd" if write else "")
    return ("r" if read else "") + ("awfd" if write else "")


def mlst(s: FtpSession, arg: str) -> None:
    assert s.view is not None
    try:
        vpath, _ = s.resolve(arg.strip() or s.cwd, R_)
        entry = s.view.stat(vpath)
    except FsError as exc:
        s.send(exc.reply)
        return
    facts = mlsx_facts(entry, perm_facts(s, vpath, entry.is_dir))
    s.send(reply(250, f"Listing {vpath}", f"{facts} {vpath}", "End", indent=" "))
