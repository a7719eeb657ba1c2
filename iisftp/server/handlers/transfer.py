"""PASV EPSV PORT EPRT ABOR and the data commands RETR STOR APPE STOU LIST NLST MLSD.

Distrusts PORT/EPRT targets (bounce attacks: with matchClientAddressForPort the
target must be the client's own address and a port >= 1024) and data-command
paths (resolved through fsview + authorization). Uploads go to a temporary
sibling and are renamed only when complete; a failed upload is deleted (or
truncated back) unless keepPartialUploads is set.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import shutil
import uuid
from typing import TYPE_CHECKING

from iisftp.model.site import Permission, ShowFlags
from iisftp.server import replies as R
from iisftp.server.effects import Abort, CloseData, Direction, OpenPassive, Outcome, Transfer
from iisftp.server.fsview import PARTIAL_PREFIX, FsError
from iisftp.server.handlers.navigation import perm_facts
from iisftp.server.listing import chunked, format_lines, mlsx_facts
from iisftp.server.replies import reply

if TYPE_CHECKING:
    from iisftp.server.effects import TransferResult
    from iisftp.server.session import FtpSession

R_, W_ = Permission.READ, Permission.WRITE


def _plain_ip(ip: str) -> str:
    return ip[7:] if ip.lower().startswith("::ffff:") else ip


# ---- data connection setup ------------------------------------------------
def pasv(s: FtpSession, arg: str) -> None:
    _open_passive(s, "PASV")


def epsv(s: FtpSession, arg: str) -> None:
    value = arg.strip().upper()
    if value == "ALL":
        s.epsv_all = True
        s.send(reply(200, "EPSV ALL command successful."))
        return
    family = "2" if ":" in _plain_ip(s.peer.server_ip) else "1"
    if value and value != family:
        s.send(reply(522, f"Network protocol not supported, use ({family})"))
        return
    _open_passive(s, "EPSV")


def _open_passive(s: FtpSession, verb: str) -> None:
    from iisftp.server.session import State

    if verb == "PASV" and s.epsv_all:
        s.send(R.USE_EPSV)
        return
    s.transfer_ctx = {"passive": verb}
    s.suspend(State.OPENING, State.READY)
    s.send(OpenPassive())


def passive_opened(s: FtpSession, port: int | None) -> None:
    from iisftp.server.session import State

    verb = s.transfer_ctx.get("passive")
    s.goto(State.READY)
    if port is None:
        s.data = None
        s.send(R.CANT_OPEN_DATA)
        return
    s.data = "passive"
    if verb == "EPSV":
        s.send(reply(229, f"Entering Extended Passive Mode (|||{port}|)"))
        return
    assert s.site is not None
    ip = s.site.external_ip4_address or _plain_ip(s.peer.server_ip)
    if ":" in ip:  # PASV cannot describe an IPv6 address
        s.send(reply(522, "Network protocol not supported, use EPSV."))
        return
    h = ip.replace(".", ",")
    s.send(reply(227, f"Entering Passive Mode ({h},{port >> 8},{port & 255})."))


def _set_active(s: FtpSession, ip: str, port: int, verb: str) -> None:
    assert s.site is not None
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        s.send(R.CANNOT_ACCEPT)
        return
    client = ipaddress.ip_address(_plain_ip(s.peer.client_ip))
    if not 0 < port < 65536:
        s.send(R.CANNOT_ACCEPT)
        return
    if s.site.data_channel_security.match_client_address_for_port and (
        addr != client or port < 1024
    ):
        s.send(R.CANNOT_ACCEPT)  # IIS-COMPAT: anti-bounce (substatus 38)
        return
    if s.data == "passive":
        s.send(CloseData())
    s.data = (str(addr), port)
    s.send(reply(200, f"{verb} command successful."))


def port(s: FtpSession, arg: str) -> None:
    if s.epsv_all:
        s.send(R.USE_EPSV)
        return
    nums = arg.strip().split(",")
    if len(nums) != 6 or not all(n.strip().isdigit() and int(n) < 256 for n in nums):
        s.send(R.CANNOT_ACCEPT)
        return
    v = [int(n) for n in nums]
    _set_active(s, ".".join(map(str, v[:4])), v[4] * 256 + v[5], "PORT")


def eprt(s: FtpSession, arg: str) -> None:
    if s.epsv_all:
        s.send(R.USE_EPSV)
        return
    text = arg.strip()
    fields = text[1:-1].split(text[0]) if len(text) > 2 else []
    if len(fields) != 3 or fields[0] not in ("1", "2") or not fields[2].isdigit():
        s.send(R.CANNOT_ACCEPT)
        return
    _set_active(s, fields[1], int(fields[2]), "EPRT")


def abor(s: FtpSession, arg: str) -> None:
    from iisftp.server.session import State

    if s.state is State.TRANSFER:
        s.abort_requested = True
        s.send(Abort())
        return
    if s.data == "passive":
        s.send(CloseData())
    s.data = None
    s.send(reply(226, "ABOR command successful."))


# ---- transfers -------------------------------------------------------------
def _start(s: FtpSession, transfer: Transfer, opening: str, ctx: dict[str, object]) -> None:
    from iisftp.server.session import State

    if s.data is None:
        s.send(R.CANT_OPEN_DATA)
        return
    assert s.site is not None
    active = s.data if isinstance(s.data, tuple) else None
    protect = s.prot == "P"
    kw = {
        "active": active,
        "protect": protect,
        "require_reuse": s.ssl.require_session_reuse and not s.cleared,
        "timeout": float(s.site.connections.data_channel_timeout),
    }
    s.transfer_ctx = ctx
    s.abort_requested = False
    s.data = None  # one transfer per data connection
    s.rest = 0
    s.send(reply(150, opening))
    s.goto(State.TRANSFER)
    s.send(dataclasses.replace(transfer, **kw))


def _opening(s: FtpSession) -> str:
    mode = "BINARY" if s.type == "I" else "ASCII"
    return f"Opening {mode} mode data connection."


def retr(s: FtpSession, arg: str) -> None:
    try:
        vpath, host = s.resolve(arg, R_)
        if host is None or not host.is_file():
            raise FsError(R.NOT_FOUND)
        size = host.stat().st_size
    except FsError as exc:
        s.send(exc.reply)
        return
    except OSError:
        s.send(R.ACCESS_DENIED)
        return
    if s.rest > size:
        s.send(reply(554, "Restart position is beyond the end of the file."))
        return
    t = Transfer(Direction.SEND, path=host, offset=s.rest)
    _start(s, t, _opening(s), {"verb": "RETR", "vpath": vpath})


def _upload(s: FtpSession, arg: str, verb: str) -> None:
    assert s.site is not None
    try:
        vpath, host = s.resolve(arg, W_)
        if host is None or host.is_dir():
            raise FsError(R.ACCESS_DENIED)
        if not host.parent.is_dir():
            raise FsError(R.PATH_NOT_FOUND)
        limit = s.site.policy_for(vpath).request_filtering.max_allowed_content_length
        exists = host.exists()
        original = host.stat().st_size if exists else 0
    except FsError as exc:
        s.send(exc.reply)
        return
    if verb == "STOU" and exists:
        s.send(R.ALREADY_EXISTS)
        return
    offset = s.rest
    append = verb == "APPE"
    in_place = append or offset > 0
    if in_place and offset > original:
        s.send(reply(554, "Restart position is beyond the end of the file."))
        return
    temp = None if in_place else host.with_name(f"{PARTIAL_PREFIX}{uuid.uuid4().hex}")
    ctx = {
        "verb": verb,
        "vpath": vpath,
        "host": host,
        "temp": temp,
        "original": original,
        "in_place": in_place,
        "limit": limit,
    }
    t = Transfer(Direction.RECV, path=host, offset=offset, append=append, temp_path=temp)
    opening = f"FILE: {host.name}" if verb == "STOU" else _opening(s)
    _start(s, t, opening, ctx)


def stor(s: FtpSession, arg: str) -> None:
    _upload(s, arg, "STOR")


def appe(s: FtpSession, arg: str) -> None:
    _upload(s, arg, "APPE")


def stou(s: FtpSession, arg: str) -> None:
    base = arg.strip() or "file"
    _upload(s, f"{base}.{uuid.uuid4().hex[:8]}", "STOU")


_SWITCH = re.compile(r"-[C1lFaAR]+")


def _listing_target(s: FtpSession, arg: str) -> str:
    """The path of LIST/NLST `arg` without leading `-la`-style switches.

    IIS-COMPAT (KB2505047): only -C -1 -l -F -a -A (and -R) count as switches;
    anything else, e.g. `-x`, is a file name."""
    rest = arg.lstrip(" ")
    while True:
        token, sep, tail = rest.partition(" ")
        if not _SWITCH.fullmatch(token):
            return rest
        rest = tail.lstrip(" ") if sep else ""


def _list_common(s: FtpSession, arg: str, verb: str) -> None:
    assert s.view is not None and s.site is not None
    view, flags = s.view, s.site.show_flags
    long_nlst = verb == "NLST" and "-l" in arg.split()
    try:
        vpath, host = s.resolve(_listing_target(s, arg) or s.cwd, R_)
        is_dir = view.is_dir(vpath)
        single = None if is_dir else view.stat(vpath)
    except FsError as exc:
        s.send(exc.reply)
        return
    perm = perm_facts(s, vpath, False) if verb == "MLSD" else ""
    dperm = perm_facts(s, vpath, True) if verb == "MLSD" else ""
    encoding = s.encoding

    hidden = s.site.policy_for(vpath).request_filtering.hidden_segments

    def produce():
        entries = [single] if single is not None else view.listdir(vpath)
        if hidden:
            entries = [e for e in entries if e.name.lower() not in hidden]
        if verb == "LIST" or long_nlst:
            lines = format_lines(entries, flags)
        elif verb == "NLST":
            lines = (e.name for e in entries)
        else:
            lines = (f"{mlsx_facts(e, dperm if e.is_dir else perm)} {e.name}" for e in entries)
        return chunked(lines, encoding)

    if verb == "MLSD" and single is not None:
        s.send(reply(501, "MLSD requires a directory."))
        return
    ctx = {"verb": verb, "vpath": vpath, "host": host}
    _start(s, Transfer(Direction.SEND, produce=produce), "Opening ASCII mode data connection.", ctx)


def list_(s: FtpSession, arg: str) -> None:
    _list_common(s, arg, "LIST")


def nlst(s: FtpSession, arg: str) -> None:
    _list_common(s, arg, "NLST")


def mlsd(s: FtpSession, arg: str) -> None:
    _list_common(s, arg, "MLSD")


# ---- completion --------------------------------------------------------------
def _finish_upload(s: FtpSession, ok: bool) -> None:
    ctx = s.transfer_ctx
    host, temp = ctx["host"], ctx["temp"]
    assert s.site is not None
    keep = s.site.file_handling.keep_partial_uploads
    try:
        if temp is not None:
            if ok or keep:
                os.replace(temp, host)  # type: ignore[arg-type]
            else:
                os.unlink(temp)  # type: ignore[arg-type]
        elif not ok and not keep:
            # An interrupted APPE/REST upload goes back to what it was.
            os.truncate(host, ctx["original"])  # type: ignore[arg-type]
    except OSError:
        pass


_FAIL = {
    Outcome.NO_CONNECTION: R.CANT_OPEN_DATA,
    Outcome.TLS_FAILED: R.DATA_TLS_FAILED,
    Outcome.NOT_RESUMED: R.NOT_RESUMED,
    Outcome.TRUNCATED: R.TRANSFER_ABORTED,
    Outcome.ABORTED: R.TRANSFER_ABORTED,
    Outcome.LOCAL_ERROR: R.LOCAL_ERROR,
}


def finished(s: FtpSession, result: TransferResult) -> None:
    from iisftp.server.session import State

    ctx = s.transfer_ctx
    verb = ctx.get("verb")
    ok = result.outcome is Outcome.OK
    limit = ctx.get("limit") or 0
    if ok and verb in ("STOR", "APPE", "STOU") and limit and result.nbytes > int(limit):
        ok = False  # requestLimits/@maxAllowedContentLength
    if verb in ("STOR", "APPE", "STOU"):
        s.bytes_received += result.nbytes
        _finish_upload(s, ok)
    else:
        s.bytes_sent += result.nbytes
    s.goto(State.READY)
    s.transfer_ctx = {}
    if ok:
        assert s.site is not None
        if (
            verb in ("LIST", "NLST", "MLSD")
            and s.site.show_flags & ShowFlags.DISPLAY_AVAILABLE_BYTES
        ):
            free = shutil.disk_usage(ctx["host"] or ".").free if ctx.get("host") else 0
            s.send(
                reply(226, f"Directory has {free} bytes of disk space available.", R.TRANSFER_OK)
            )
        else:
            s.send(reply(226, R.TRANSFER_OK))
    elif result.outcome is Outcome.OK:
        s.send(reply(552, "Maximum file size was exceeded."))
    else:
        s.send(_FAIL[result.outcome])
    if s.abort_requested:
        s.abort_requested = False
        s.send(reply(226, "ABOR command successful."))
