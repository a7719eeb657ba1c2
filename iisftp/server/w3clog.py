"""IIS FTP logging: W3C extended log files (ftpServer/logFile, system.ftpServer/log).

Distrusts the client's text that reaches a log line (the command verb and its
argument): whitespace becomes `+` and control characters become `%XX`, so a
client cannot forge lines, fields or `#` directives; a password is never
written (PASS shows `***`; only the "e-mail" of an anonymous logon is kept, as
IIS does). Records are formatted on the event loop and appended to memory; a
flusher thread writes them every `FLUSH_INTERVAL` seconds and at stop, so no
command waits for the disk. Each file gets the W3C header when this process
opens it (a new file, or an existing one after a restart).
"""

from __future__ import annotations

import calendar
import datetime
import functools
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from iisftp.model.site import (
    LogFields,
    LogFile,
    LogPeriod,
    SelectiveLogging,
    ServerSettings,
)
from iisftp.server.replies import Reply

if TYPE_CHECKING:
    from iisftp.server.session import FtpSession

__all__ = [
    "FIELD_NAMES",
    "FtpLog",
    "LogRecord",
    "LogWriter",
    "Pending",
    "command_record",
    "file_name",
    "format_line",
    "header",
]

log = logging.getLogger("iisftp.server.log")
FLUSH_INTERVAL = 1.0
SOFTWARE = "Microsoft Internet Information Services 10.0"
F = LogFields
# Field order in the file follows this table (wire-behaviour.md §5).
FIELD_NAMES: tuple[tuple[LogFields, str], ...] = (
    (F.DATE, "date"),
    (F.TIME, "time"),
    (F.CLIENTIP, "c-ip"),
    (F.CLIENTPORT, "c-port"),
    (F.USERNAME, "cs-username"),
    (F.SITENAME, "s-sitename"),
    (F.COMPUTERNAME, "s-computername"),
    (F.HOST, "cs-host"),
    (F.SERVERIP, "s-ip"),
    (F.SERVERPORT, "s-port"),
    (F.METHOD, "cs-method"),
    (F.URISTEM, "cs-uri-stem"),
    (F.FTPSTATUS, "sc-status"),
    (F.WIN32STATUS, "sc-win32-status"),
    (F.FTPSUBSTATUS, "sc-substatus"),
    (F.BYTESSENT, "sc-bytes"),
    (F.BYTESRECV, "cs-bytes"),
    (F.TIMETAKEN, "time-taken"),
    (F.SESSION, "x-session"),
    (F.FULLPATH, "x-fullpath"),
    (F.PHYSICALPATH, "x-physicalpath"),  # [uncertain] the IIS 8.5 name is not recorded
    (F.INFO, "x-debug"),
)
# IIS-COMPAT: PORT/EPRT/PASV/EPSV and the channel pseudo-commands are the
# "infrastructure" entries of selectiveLogging (DOC logFile).
INFRASTRUCTURE = frozenset({"PORT", "EPRT", "PASV", "EPSV"})
ANONYMOUS_NAMES = ("anonymous", "ftp")
# Win32 errors behind the IIS reply texts (sc-win32-status).
_WIN32 = {
    "Access is denied.": 5,
    "The system cannot find the file specified.": 2,
    "The system cannot find the path specified.": 3,
    "The directory is not empty.": 145,
    "Cannot create a file when that file already exists.": 183,
    "The filename, directory name, or volume label syntax is incorrect.": 123,
    "User cannot log in.": 1326,
}


class LogRecord(NamedTuple):
    """The values of one log line; `status` None is written `-` (pseudo-commands).

    A NamedTuple: immutable and, unlike a frozen dataclass, cheap to build on
    the event loop for every command."""

    time: float  # seconds since the epoch; written as UTC
    site_id: int
    client_ip: str
    client_port: int
    server_ip: str
    server_port: int
    method: str
    argument: str = ""  # already masked (see command_record)
    status: int | None = None
    win32_status: int = 0
    substatus: int = 0
    user: str = ""  # "" = not logged in, or anonymous
    host: str = ""
    bytes_sent: int = 0
    bytes_received: int = 0
    time_taken: int = 0  # milliseconds
    session: str = ""
    full_path: str = ""
    physical_path: str = ""
    info: str = ""

    @property
    def infrastructure(self) -> bool:
        return self.status is None or self.method.upper() in INFRASTRUCTURE


@dataclass
class Pending:
    """A command waiting for its final reply (kept by the session)."""

    method: str  # as sent (case kept)
    argument: str  # masked
    start: float
    received: int  # bytes of the command line
    full_path: str = ""
    physical_path: str = ""


def masked_argument(method: str, argument: str, login_name: str) -> str:
    """The argument as logged: PASS is `***` unless the logon is anonymous."""
    # IIS-COMPAT: the anonymous "password" (an e-mail by convention) is logged in
    # clear; it is never checked against the user store (handlers/login.py).
    if method.upper() == "PASS" and login_name.lower() not in ANONYMOUS_NAMES:
        return "***"
    return argument


def status_codes(reply: Reply, method: str, login_name: str) -> tuple[int, int]:
    """(sc-win32-status, sc-substatus) for a final reply."""
    win32 = _WIN32.get(reply.lines[-1].strip(), 0) if reply.code >= 400 else 0
    substatus = 0
    if reply.code == 530 and method.upper() == "PASS":
        # KB969061: 41 = error during authentication, 42 = anonymous not allowed,
        # 33 = home directory lookup failed.
        if "home directory" in reply.lines[-1]:
            return 0, 33
        win32, substatus = 1326, 42 if login_name.lower() in ANONYMOUS_NAMES else 41
    return win32, substatus


def command_record(session: FtpSession, cmd: Pending, reply: Reply, now: float) -> LogRecord:
    """The line for a command whose final reply `reply` was just sent."""
    win32, substatus = status_codes(reply, cmd.method, session.login_name)
    path = cmd.full_path
    if cmd.method.upper() == "PASS" and reply.code == 230:
        path = session.cwd
    return LogRecord(
        **_context(session, now),
        server_port=session.peer.server_port,
        method=cmd.method,
        argument=cmd.argument,
        status=reply.code,
        win32_status=win32,
        substatus=substatus,
        bytes_sent=len(reply.encode(session.encoding)),
        bytes_received=cmd.received,
        time_taken=int((now - cmd.start) * 1000),
        full_path=path,
        physical_path=cmd.physical_path,
    )


def channel_record(
    session: FtpSession,
    method: str,
    *,
    when: float,
    port: int | None = None,
    sent: int = 0,
    recv: int = 0,
) -> LogRecord:
    """ControlChannelOpened/Closed, DataChannelOpened/Closed (`port`: the data port)."""
    return LogRecord(
        **_context(session, when),
        server_port=port if port is not None else session.peer.server_port,
        method=method,
        bytes_sent=sent,
        bytes_received=recv,
    )


def _context(session: FtpSession, when: float) -> dict[str, Any]:
    peer, user, site = session.peer, session.user, session.site or session.config.sites[0]
    host = ""
    if session.host_chosen and session.site is not None:
        host = next((b.host for b in session.site.bindings if b.host), "")
    return {
        "time": when,
        "site_id": site.id,
        "client_ip": _plain(peer.client_ip),
        "client_port": peer.client_port,
        "server_ip": _plain(peer.server_ip),
        # IIS-COMPAT: anonymous sessions keep cs-username "-" after logon.
        "user": user.name if user is not None and not user.anonymous else "",
        "host": host,
        "session": peer.session_id,
    }


def _plain(ip: str) -> str:
    return ip[7:] if ip.lower().startswith("::ffff:") else ip


# ---- formatting -----------------------------------------------------------------
def _escape(text: str) -> str:
    """One W3C field: `-` when empty, spaces `+`, no control or undecodable characters."""
    if not text:
        return "-"
    if text.isprintable() and " " not in text:
        return text
    out = []
    for ch in text:
        if ch.isspace():
            out.append("+")
        elif not ch.isprintable() or "\udc80" <= ch <= "\udcff":
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogateescape")))
        else:
            out.append(ch)
    return "".join(out)


_STAMP: tuple[int, str, str] = (-1, "", "")  # last second formatted: (epoch s, date, time)


def _stamp(t: float) -> tuple[int, str, str]:
    """date and time (UTC) of `t`, computed once per second."""
    global _STAMP
    stamp = _STAMP
    if int(t) != stamp[0]:
        g = time.gmtime(t)
        date = f"{g.tm_year:04d}-{g.tm_mon:02d}-{g.tm_mday:02d}"
        stamp = _STAMP = (int(t), date, f"{g.tm_hour:02d}:{g.tm_min:02d}:{g.tm_sec:02d}")
    return stamp


_COMPUTER = _escape(socket.gethostname())
# One getter per field, in FIELD_NAMES order: (record, site name) -> text.
_GETTERS: tuple[Callable[[LogRecord, str], str], ...] = (
    lambda r, _: _stamp(r.time)[1],
    lambda r, _: _stamp(r.time)[2],
    lambda r, _: r.client_ip or "-",
    lambda r, _: str(r.client_port),
    lambda r, _: _escape(r.user),
    lambda r, site: site or "-",
    lambda r, _: _COMPUTER,
    lambda r, _: _escape(r.host),
    lambda r, _: r.server_ip or "-",
    lambda r, _: str(r.server_port),
    lambda r, _: _escape(r.method),
    lambda r, _: _escape(r.argument),
    lambda r, _: "-" if r.status is None else str(r.status),
    lambda r, _: str(r.win32_status),
    lambda r, _: str(r.substatus),
    lambda r, _: str(r.bytes_sent),
    lambda r, _: str(r.bytes_received),
    lambda r, _: str(r.time_taken),
    lambda r, _: r.session or "-",
    lambda r, _: _escape(r.full_path),
    lambda r, _: _escape(r.physical_path),
    lambda r, _: _escape(r.info),
)


@functools.lru_cache(maxsize=64)
def _selected(fields: int) -> tuple[int, ...]:
    """Positions in FIELD_NAMES of the fields a flag set selects (IntFlag `&` is slow)."""
    return tuple(i for i, (flag, _) in enumerate(FIELD_NAMES) if flag.value & fields)


@functools.lru_cache(maxsize=64)
def _getters(fields: int) -> tuple[Callable[[LogRecord, str], str], ...]:
    return tuple(_GETTERS[i] for i in _selected(fields))


def format_line(record: LogRecord, fields: LogFields | int, site_name: str = "") -> str:
    """One entry, fields in IIS order, separated by spaces (no newline)."""
    return " ".join([get(record, site_name) for get in _getters(int(fields))])


def header(fields: LogFields, when: float) -> str:
    """The W3C directives written at the top of every file this process opens."""
    names = " ".join(FIELD_NAMES[i][1] for i in _selected(int(fields)))
    date = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(when))
    return f"#Software: {SOFTWARE}\n#Version: 1.0\n#Date: {date}\n#Fields: {names}\n"


# ---- file names and rollover ----------------------------------------------------
def _when(t: float, local: bool) -> datetime.datetime:
    if local:
        return datetime.datetime.fromtimestamp(t)
    return datetime.datetime.fromtimestamp(t, datetime.UTC)


def file_name(period: LogPeriod, t: float, *, local: bool = False, utf8: bool = True) -> str:
    """The file a record at `t` goes to (not MaxSize): u_exYYMMDD.log and friends.

    IIS-COMPAT: `u_` marks a UTF-8 log; hourly/weekly/monthly names follow
    HTTP.sys logging (u_exYYMMDDHH, u_exYYMMWW with WW the week of the month
    counted from Sunday, u_exYYMM); rollover is at UTC unless localTimeRollover.
    """
    d = _when(t, local)
    prefix = "u_ex" if utf8 else "ex"
    if period is LogPeriod.HOURLY:
        return f"{prefix}{d:%y%m%d%H}.log"
    if period is LogPeriod.MONTHLY:
        return f"{prefix}{d:%y%m}.log"
    if period is LogPeriod.WEEKLY:
        first_sunday_offset = (d.replace(day=1).weekday() + 1) % 7
        return f"{prefix}{d:%y%m}{(d.day - 1 + first_sunday_offset) // 7 + 1:02d}.log"
    return f"{prefix}{d:%y%m%d}.log"


def size_file_name(n: int, *, utf8: bool = True) -> str:
    return f"{'u_' if utf8 else ''}extend{n}.log"


class LogWriter:
    """One log folder (FTPSVC<id>, or the central FTPSVC): buffered and rotating.

    `add` is cheap (format + append under a lock); `flush` does the disk work
    and is called from the flusher thread, or directly in tests and at stop.
    """

    def __init__(
        self,
        folder: Path,
        settings: LogFile,
        *,
        utf8: bool = True,
        site_names: dict[int, str] | None = None,
    ) -> None:
        self.folder = folder
        self.settings = settings
        self.utf8 = utf8
        self.site_names = site_names or {}
        self._pending: list[tuple[float, str]] = []
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._opened: set[str] = set()  # files that got their header from this process
        self._size_n = 0  # MaxSize: current u_extendN
        self._selective = int(settings.selective)  # plain ints: IntFlag operators are slow
        self._fields = int(settings.fields)

    def restarted(self) -> None:
        """The service (re)starts: every file gets a new header when next written."""
        self._opened.clear()
        self._size_n = 0

    def wanted(self, record: LogRecord) -> bool:
        if record.infrastructure:
            return bool(self._selective & SelectiveLogging.LOGINFRASTRUCTURE.value)
        if record.status is not None and record.status >= 400:
            return bool(self._selective & SelectiveLogging.LOGERROR.value)
        return bool(self._selective & SelectiveLogging.LOGSUCCESSFUL.value)

    def add(self, record: LogRecord) -> None:
        if not self.wanted(record):
            return
        line = format_line(record, self._fields, self.site_names.get(record.site_id, ""))
        with self._lock:
            self._pending.append((record.time, line))

    def flush(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return
        with self._flush_lock:
            self._write(batch)

    def _write(self, batch: Iterable[tuple[float, str]]) -> None:
        encoding = "utf-8" if self.utf8 else "latin-1"
        current: str | None = None
        chunks: list[bytes] = []
        size = 0
        for t, line in batch:
            data = (line + "\r\n").encode(encoding, "replace")
            name = self._name_for(t, size if current else None, len(data))
            if name != current:
                if current is not None:
                    self._append(current, chunks)
                current, chunks = name, []
                size = self._size(name)
                if name not in self._opened:
                    self._opened.add(name)
                    head = header(self.settings.fields, t).replace("\n", "\r\n").encode()
                    chunks.append(head)
                    size += len(head)
            chunks.append(data)
            size += len(data)
        if current is not None:
            self._append(current, chunks)

    def _name_for(self, t: float, size: int | None, extra: int) -> str:
        s = self.settings
        if s.period is not LogPeriod.MAX_SIZE:
            return file_name(s.period, t, local=s.local_time_rollover, utf8=self.utf8)
        if self._size_n == 0:  # first write of this process: continue the newest file
            prefix = size_file_name(0, utf8=self.utf8).removesuffix("0.log")
            found = [p.stem[len(prefix) :] for p in self.folder.glob(prefix + "*.log")]
            self._size_n = max((int(n) for n in found if n.isdigit()), default=1)
        name = size_file_name(self._size_n, utf8=self.utf8)
        current = self._size(name) if size is None else size
        if current > 0 and current + extra > s.truncate_size:
            self._size_n += 1
            name = size_file_name(self._size_n, utf8=self.utf8)
        return name

    def _size(self, name: str) -> int:
        try:
            return (self.folder / name).stat().st_size
        except OSError:
            return 0

    def _append(self, name: str, chunks: list[bytes]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / name, "ab") as f:
            f.write(b"".join(chunks))


class FtpLog:
    """Every log of a server (one per site, or the central one) and their flusher."""

    def __init__(self, settings: ServerSettings, *, flush_interval: float = FLUSH_INTERVAL) -> None:
        self.flush_interval = flush_interval
        self._writers: dict[int, LogWriter] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        names = {site.id: f"FTPSVC{site.id}" for site in settings.sites}
        utf8 = settings.log_in_utf8
        if settings.central_log_file_mode.lower() == "central":
            central = settings.central_log_file
            # [uncertain] the folder of the central log: FTPSVC under the directory.
            folder = _folder(central, "FTPSVC", "central log")
            if folder is not None:
                writer = LogWriter(folder, central, utf8=utf8, site_names=names)
                self._writers = {site.id: writer for site in settings.sites}
            return
        for site in settings.sites:
            folder = _folder(site.log_file, names[site.id], f"site {site.name!r}")
            if folder is not None:
                self._writers[site.id] = LogWriter(
                    folder, site.log_file, utf8=utf8, site_names=names
                )

    @property
    def site_ids(self) -> frozenset[int]:
        """Sites that log (the session builds records only for these)."""
        return frozenset(self._writers)

    def write(self, record: LogRecord) -> None:
        writer = self._writers.get(record.site_id)
        if writer is not None:
            writer.add(record)

    def flush(self) -> None:
        """Write everything buffered now (IIS's ftpServer.FlushLog)."""
        for writer in set(self._writers.values()):
            try:
                writer.flush()
            except OSError as exc:
                log.warning("cannot write the FTP log in %s: %s", writer.folder, exc)

    def start(self) -> None:
        """Create the log folders (a log whose folder cannot be made is off), start flushing."""
        for site_id, writer in list(self._writers.items()):
            writer.restarted()
            try:
                writer.folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                log.warning("cannot create log folder %s: %s; not logging", writer.folder, exc)
                del self._writers[site_id]
        if self._writers and self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="iisftp-log", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.flush_interval):
            self.flush()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.flush()


def _folder(settings: LogFile, subfolder: str, what: str) -> Path | None:
    """The folder a log goes to, or None (with a warning) when it cannot be used."""
    if not settings.enabled or not settings.directory:
        return None
    base = Path(settings.directory)
    if not base.is_absolute():
        log.warning(
            "%s: log directory %r is not an absolute folder on this host; not logging "
            "(set logFile/@directory, or the variable it uses in variables.env)",
            what,
            settings.directory,
        )
        return None
    return base / subfolder


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> float:
    """Seconds since the epoch of a UTC time (handy for callers and tests)."""
    return float(calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0)))
