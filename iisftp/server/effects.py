"""What the sans-I/O session asks its driver to do, and what the driver reports back.

The session never touches a socket: it returns `Reply` values and these effect
values; the driver (control.py) performs them and feeds results back through
the session's `*_done` methods.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Abort",
    "Authenticate",
    "Close",
    "CloseData",
    "Direction",
    "LoginFailed",
    "OpenPassive",
    "Outcome",
    "StartTls",
    "StopTls",
    "Transfer",
    "TransferResult",
]


@dataclass(frozen=True)
class StartTls:
    """Begin a TLS handshake on the control channel; `pending` are bytes already
    received after the AUTH line (the start of the ClientHello)."""

    pending: bytes = b""


@dataclass(frozen=True)
class StopTls:
    """CCC/REIN: send close_notify and go back to clear text on the control channel."""

    pending: bytes = b""


@dataclass(frozen=True)
class OpenPassive:
    """Open a passive listener; the driver answers `session.passive_done(port)`."""


@dataclass(frozen=True)
class CloseData:
    """Drop any passive listener (PORT/EPRT/REIN replace it)."""


@dataclass(frozen=True)
class Authenticate:
    """Check credentials off the event loop; answer `session.auth_done(user)`."""

    name: str
    password: str


class Direction(enum.Enum):
    SEND = "send"  # server -> client (RETR, LIST)
    RECV = "recv"  # client -> server (STOR, APPE, STOU)


@dataclass(frozen=True)
class Transfer:
    """Run one data transfer: connect/accept, optional TLS, move bytes, close.

    Exactly one of `path` (a file) and `produce` (listing chunks) is used for
    SEND; RECV writes to `path` from `offset` (`append`: at the end).
    """

    direction: Direction
    path: Path | None = None
    offset: int = 0
    append: bool = False
    produce: Callable[[], Iterable[bytes]] | None = None
    active: tuple[str, int] | None = None  # PORT/EPRT target; None = passive listener
    protect: bool = False
    require_reuse: bool = True
    timeout: float = 30.0
    # STOR/STOU write to a temporary sibling and rename on success, so an
    # interrupted upload never shows up under its final name.
    temp_path: Path | None = None


class Outcome(enum.Enum):
    OK = "ok"
    ABORTED = "aborted"  # ABOR from the client
    NO_CONNECTION = "no-connection"  # nobody connected / connect failed / timeout
    TLS_FAILED = "tls-failed"
    NOT_RESUMED = "not-resumed"
    TRUNCATED = "truncated"  # TLS upload ended without close_notify, or peer reset
    LOCAL_ERROR = "local-error"  # file system error on our side


@dataclass(frozen=True)
class TransferResult:
    outcome: Outcome
    nbytes: int = 0
    detail: str = ""


@dataclass(frozen=True)
class Abort:
    """Stop the running transfer (ABOR); the driver still reports its result."""


@dataclass(frozen=True)
class LoginFailed:
    """A failed logon, for denyByFailure accounting (the driver may then close)."""


@dataclass(frozen=True)
class Close:
    """Flush pending replies, then close the control connection."""

    reset: bool = False  # TCP reset instead of an orderly close
