"""Directory listing formats: IIS MS-DOS and UNIX styles, NLST names, MLSx facts.

Pure formatting of `Entry` values (wire-behaviour.md §2); no file access.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator

from iisftp.model.site import ShowFlags
from iisftp.server.fsview import Entry

__all__ = ["dos_line", "format_lines", "mlsx_facts", "unix_line"]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SIX_MONTHS = 182 * 24 * 3600


def _tm(mtime: float, flags: ShowFlags) -> time.struct_time:
    return time.gmtime(mtime) if flags & ShowFlags.USE_GMT_TIME else time.localtime(mtime)


def dos_line(e: Entry, flags: ShowFlags) -> str:
    # IIS-COMPAT: "%02u-%02u-%02u  %02u:%02u%s %20s %s" (newls.cxx), <DIR> padded to 14.
    t = _tm(e.mtime, flags)
    year = t.tm_year if flags & ShowFlags.LONG_DATE else t.tm_year % 100
    hour = t.tm_hour % 12 or 12
    ampm = "AM" if t.tm_hour < 12 else "PM"
    size = "<DIR>         " if e.is_dir else str(e.size)
    width = 4 if flags & ShowFlags.LONG_DATE else 2
    return (
        f"{t.tm_mon:02d}-{t.tm_mday:02d}-{year:0{width}d}  "
        f"{hour:02d}:{t.tm_min:02d}{ampm} {size:>20} {e.name}"
    )


def unix_line(e: Entry, flags: ShowFlags, now: float) -> str:
    # IIS-COMPAT: "%c%s %3lu %-8s %-8s %12s %s %2u %5s %s" with literal owner/group.
    t = _tm(e.mtime, flags)
    recent = abs(now - e.mtime) < _SIX_MONTHS
    when = f"{t.tm_hour:d}:{t.tm_min:02d}" if recent else str(t.tm_year)
    kind = "d" if e.is_dir else "-"
    return (
        f"{kind}rwxrwxrwx {1:3d} {'owner':<8} {'group':<8} {e.size:12d} "
        f"{_MONTHS[t.tm_mon - 1]} {t.tm_mday:2d} {when:>5} {e.name}"
    )


def mlsx_facts(e: Entry, perm: str, kind: str | None = None) -> str:
    """RFC 3659 facts (no name): `type=file;size=3;modify=...;perm=r;`."""
    modify = time.strftime("%Y%m%d%H%M%S", time.gmtime(e.mtime))
    typ = kind or ("dir" if e.is_dir else "file")
    size = f"size={e.size};" if not e.is_dir else ""
    return f"type={typ};{size}modify={modify};perm={perm};"


def format_lines(entries: Iterable[Entry], flags: ShowFlags) -> Iterator[str]:
    if flags & ShowFlags.STYLE_UNIX:
        now = time.time()
        return (unix_line(e, flags, now) for e in entries)
    return (dos_line(e, flags) for e in entries)


def chunked(lines: Iterable[str], encoding: str, size: int = 256 * 1024) -> Iterator[bytes]:
    """Join CRLF-terminated lines into large chunks (few writes on the data socket)."""
    buf: list[bytes] = []
    n = 0
    for line in lines:
        b = (line + "\r\n").encode(encoding, "surrogateescape")
        buf.append(b)
        n += len(b)
        if n >= size:
            yield b"".join(buf)
            buf, n = [], 0
    if buf:
        yield b"".join(buf)
