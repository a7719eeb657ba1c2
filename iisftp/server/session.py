"""The FTP control session as a sans-I/O state machine.

Distrusts the client's bytes: lines are cut at CRLF and limited to
`maxCommandLine` while they arrive (an endless line is discarded, never
buffered), decoded with surrogateescape, and every command passes one gate
(`_dispatch`) before its handler runs. The session never touches a socket: the
driver feeds `receive(bytes)` and the `*_done` callbacks, and collects `Reply`
values and effects (effects.py) from their return values.
"""

from __future__ import annotations

import enum
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from iisftp.model.site import (
    ControlChannelPolicy,
    DataChannelPolicy,
    FtpSite,
    Permission,
    SslSettings,
)
from iisftp.server import messages, w3clog
from iisftp.server import replies as R
from iisftp.server.authz import Identity, permits
from iisftp.server.effects import Close, TransferResult
from iisftp.server.filtering import ip_allowed, path_allowed
from iisftp.server.fsview import FsError, FsView
from iisftp.server.replies import Reply

__all__ = ["FtpSession", "LocalProtocolError", "Peer", "SessionConfig", "State"]

log = logging.getLogger("iisftp.server")
Output = object  # a Reply or an effect value


class State(enum.Enum):
    HANDSHAKE = "handshake"  # implicit FTPS: TLS first, greeting after
    NEED_USER = "need-user"
    NEED_PASS = "need-pass"
    CHECKING = "checking"  # waiting for the authenticate() callback
    READY = "ready"  # logged in, idle
    SWITCHING = "switching"  # control-channel TLS starting or stopping
    OPENING = "opening"  # passive listener being opened
    TRANSFER = "transfer"  # a data transfer is running
    CLOSED = "closed"


S = State
TRANSITIONS: dict[State, frozenset[State]] = {
    S.HANDSHAKE: frozenset({S.NEED_USER, S.CLOSED}),
    S.NEED_USER: frozenset({S.NEED_USER, S.NEED_PASS, S.SWITCHING, S.CLOSED}),
    S.NEED_PASS: frozenset({S.NEED_USER, S.NEED_PASS, S.CHECKING, S.SWITCHING, S.CLOSED}),
    S.CHECKING: frozenset({S.NEED_USER, S.READY, S.CLOSED}),
    S.READY: frozenset(
        {S.NEED_USER, S.NEED_PASS, S.READY, S.OPENING, S.TRANSFER, S.SWITCHING, S.CLOSED}
    ),
    S.SWITCHING: frozenset({S.NEED_USER, S.READY, S.CLOSED}),
    S.OPENING: frozenset({S.READY, S.CLOSED}),
    S.TRANSFER: frozenset({S.READY, S.CLOSED}),
    S.CLOSED: frozenset({S.CLOSED}),
}
# States in which buffered command lines wait (an effect is outstanding).
_WAITING = frozenset({S.HANDSHAKE, S.CHECKING, S.SWITCHING, S.OPENING, S.CLOSED})


class LocalProtocolError(RuntimeError):
    """A bug on our side (illegal state transition): the session is closed."""


@dataclass(frozen=True)
class SessionConfig:
    """What the session knows about where it runs (set by the server)."""

    sites: tuple[FtpSite, ...]  # sites bound to this listener
    implicit: bool = False
    use_domain_name_as_host_name: bool = False
    cert_available: Callable[[FtpSite], bool] = lambda site: bool(site.ssl.cert_hash)
    logged_sites: frozenset[int] = frozenset()  # ids of sites with a W3C log

    @property
    def default_site(self) -> FtpSite | None:
        for site in self.sites:
            if any(not b.host for b in site.bindings):
                return site
        return None

    def site_for_host(self, host: str) -> FtpSite | None:
        host = host.strip().lower()
        for site in self.sites:
            if any(b.host.lower() == host for b in site.bindings if b.host):
                return site
        return None


@dataclass
class Peer:
    client_ip: str
    server_ip: str
    session_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    client_port: int = 0
    server_port: int = 0


class FtpSession:
    def __init__(self, config: SessionConfig, peer: Peer) -> None:
        self.config = config
        self.peer = peer
        self.state = S.HANDSHAKE if config.implicit else S.NEED_USER
        self._resume = S.NEED_USER  # state to return to after SWITCHING
        self._out: list[Output] = []
        self._buf = bytearray()
        self._discarding = False  # inside an over-long line
        self.site: FtpSite | None = config.default_site
        self.host_chosen = False
        # control-channel TLS
        self.secure = config.implicit
        self.auth_mech = "TLS" if config.implicit else ""
        self.pbsz = config.implicit
        self.prot = "C"
        self.prot_failed = False
        self.cleared = False  # CCC done
        self.cipher_bits = 256
        # login
        self.login_name = ""
        self.user: Identity | None = None
        self.view: FsView | None = None
        self.cwd = "/"
        # transfer parameters
        self.type = "A"
        self.rest = 0
        self.rename_from: tuple[str, Path] | None = None
        self.data: tuple[str, int] | str | None = None  # ("ip", port) active, "passive", None
        self.epsv_all = False
        self.utf8 = True
        self.transfer_ctx: dict[str, object] = {}
        self.abort_requested = False
        self.bytes_sent = 0
        self.bytes_received = 0
        # W3C log: commands awaiting their final reply (ABOR/NOOP may overtake a
        # transfer, whose command waits in log_transfer after its 150).
        self.log_pending: list[w3clog.Pending] = []
        self.log_transfer: w3clog.Pending | None = None
        if config.implicit and self.site is not None:
            self.prot = "C" if self.ssl.data is DataChannelPolicy.DENY else "P"

    # ---- driver API ------------------------------------------------------
    def start(self) -> list[Output]:
        """Call once when the control connection is up (after an implicit handshake)."""
        if self.state is S.HANDSHAKE:
            return []
        self.send(self.banner())
        return self._take()

    def receive(self, data: bytes) -> list[Output]:
        if self.state is not S.CLOSED:
            self._buf += data
            self._pump()
        return self._take()

    def tls_done(self, cipher_bits: int = 256) -> list[Output]:
        """The control-channel handshake (AUTH or implicit) completed."""
        self.cipher_bits = cipher_bits
        if self.state is S.HANDSHAKE:
            self._goto(S.NEED_USER)
            self.send(self.banner())
        else:
            self.secure = True
            self.pbsz = False
            implicit_prot = self.auth_mech in ("SSL", "TLS-P")
            # README decision: AUTH SSL / TLS-P protect the data channel as if PROT P.
            deny = self.ssl.data is DataChannelPolicy.DENY
            self.prot = "P" if implicit_prot and not deny else "C"
            self.prot_failed = False
            self._goto(self._resume)
        self._pump()
        return self._take()

    def tls_stopped(self) -> list[Output]:
        """CCC/REIN: the control channel is clear again."""
        self.secure = False
        self.cleared = self._resume is S.READY  # CCC keeps the login; REIN starts over
        self._goto(self._resume)
        self._pump()
        return self._take()

    def auth_done(self, user: object | None) -> list[Output]:
        from iisftp.server.handlers.login import finish_login

        finish_login(self, user)
        self._pump()
        return self._take()

    def passive_done(self, port: int | None) -> list[Output]:
        from iisftp.server.handlers.transfer import passive_opened

        passive_opened(self, port)
        self._pump()
        return self._take()

    def transfer_done(self, result: TransferResult) -> list[Output]:
        from iisftp.server.handlers.transfer import finished

        if self.log_transfer is not None:  # its final reply comes first
            self.log_pending.insert(0, self.log_transfer)
            self.log_transfer = None
        finished(self, result)
        self._pump()
        return self._take()

    def timed_out(self) -> list[Output]:
        if self.state is not S.CLOSED:
            self.send(R.TIMED_OUT)
            self.close()
        return self._take()

    @property
    def idle_timeout(self) -> float | None:
        """Seconds of control-channel silence allowed now (None: no limit)."""
        conn = (self.site or self.config.sites[0]).connections
        if self.state in (S.TRANSFER, S.CHECKING, S.OPENING):
            return None
        if self.user is None:
            return float(conn.unauthenticated_timeout)
        return float(conn.control_channel_timeout)

    # ---- helpers for handlers -------------------------------------------
    @property
    def ssl(self) -> SslSettings:
        return self.site.ssl if self.site is not None else SslSettings()

    @property
    def encoding(self) -> str:
        return "utf-8"

    def send(self, item: Output) -> None:
        self._out.append(item)
        if self.log_pending and isinstance(item, Reply):
            cmd = self.log_pending.pop(0)
            if item.code < 200:  # 150: the transfer's end gives the final reply
                self.log_transfer = cmd
            else:
                self._out.append(w3clog.command_record(self, cmd, item, time.time()))

    def close(self, reset: bool = False) -> None:
        self._goto(S.CLOSED)
        self._out.append(Close(reset))

    def _goto(self, new: State) -> None:
        if new not in TRANSITIONS[self.state]:
            raise LocalProtocolError(f"illegal transition {self.state.name} -> {new.name}")
        self.state = new

    def goto(self, new: State) -> None:
        self._goto(new)

    def suspend(self, waiting: State, resume: State) -> None:
        """Enter a waiting state; the matching *_done call returns to `resume`."""
        self._resume = resume
        self._goto(waiting)

    def pending_bytes(self) -> bytes:
        """Hand unparsed input to the driver (bytes after AUTH belong to TLS)."""
        data = bytes(self._buf)
        self._buf.clear()
        return data

    def variables(self) -> dict[str, str]:
        return {
            "UserName": self.user.name if self.user else "",
            "SiteName": self.site.name if self.site else "",
            "SessionID": self.peer.session_id,
            "BytesSent": str(self.bytes_sent),
            "BytesReceived": str(self.bytes_received),
        }

    def banner(self) -> Reply:
        return messages.banner(self.site.messages if self.site else None, self.variables())

    def resolve(self, arg: str, need: Permission) -> tuple[str, Path | None]:
        """Virtual path + contained host path for `arg`, authorized for `need`.

        Raises FsError with the reply to send."""
        assert self.view is not None and self.user is not None and self.site is not None
        vpath = FsView.normalize(self.cwd, arg)
        if self.log_pending:
            self.log_pending[-1].full_path = vpath
        if not path_allowed(self.site.policy_for(vpath), vpath, arg):
            raise FsError(R.ACCESS_DENIED)  # request filtering (IIS substatus 8-12)
        if need and not self.allowed(vpath, need):
            raise FsError(R.ACCESS_DENIED)
        host = self.view.resolve(vpath)
        if self.log_pending and host is not None:
            self.log_pending[-1].physical_path = str(host)
        return vpath, host

    def allowed(self, vpath: str, need: Permission) -> bool:
        """Authorization rules and IP restrictions in force at `vpath`."""
        assert self.site is not None and self.user is not None
        policy = self.site.policy_for(vpath)
        if not ip_allowed(policy, self.peer.client_ip):
            return False
        return permits(policy.authorization, self.user, need)

    def data_policy_error(self) -> Reply | None:
        if self.prot_failed:
            return R.PROT_FAILED
        policy = self.ssl.data
        if policy is DataChannelPolicy.REQUIRE and self.prot != "P":
            return R.POLICY_REQUIRES_SSL
        if policy is DataChannelPolicy.DENY and self.prot == "P":
            return R.POLICY_DENIES_SSL
        return None

    def control_policy_error(self) -> Reply | None:
        policy = self.ssl.control
        if not self.secure and policy is not ControlChannelPolicy.ALLOW:
            return R.POLICY_REQUIRES_SSL
        if self.secure and self.ssl.ssl128 and self.cipher_bits < 128:
            return R.POLICY_STRONGER_SSL
        return None

    def _anonymous_pass_name(self) -> str:
        """The login name a PASS now answers (only a USER just accepted counts)."""
        return self.login_name if self.state is S.NEED_PASS else ""

    def _take(self) -> list[Output]:
        out, self._out = self._out, []
        return out

    # ---- input ----------------------------------------------------------
    def _limit(self) -> int:
        site = self.site or (self.config.sites[0] if self.config.sites else None)
        return site.command_filter.max_command_line if site else 4096

    def _next_line(self) -> bytes | None:
        """Cut one line; over-long lines are answered and their rest discarded."""
        limit = self._limit()
        while True:
            end = self._buf.find(b"\n")
            if self._discarding:
                if end < 0:
                    self._buf.clear()
                    return None
                del self._buf[: end + 1]
                self._discarding = False
                continue
            if end < 0:
                if len(self._buf) > limit + 2:
                    self._buf.clear()
                    self._discarding = True
                    self.send(R.TOO_LONG)
                return None
            line = bytes(self._buf[: end + 1])
            del self._buf[: end + 1]
            if len(line) > limit + 2:
                self.send(R.TOO_LONG)
                continue
            return line

    def _pump(self) -> None:
        while self.state not in _WAITING:
            if self.state is S.TRANSFER and not self._busy_command_next():
                return
            line = self._next_line()
            if line is None:
                return
            self._handle(line)

    def _busy_command_next(self) -> bool:
        end = self._buf.find(b"\n")
        if end < 0:
            return False
        from iisftp.server.commands import COMMANDS

        verb = _strip_telnet(bytes(self._buf[:end])).split(b" ", 1)[0].strip().upper()
        spec = COMMANDS.get(verb.decode("ascii", "replace"))
        return spec is not None and spec.while_busy

    def _handle(self, raw: bytes) -> None:
        if not raw.endswith(b"\r\n"):
            # IIS-COMPAT: FTP 7.5 requires CRLF; a bare LF line is refused (KB2505047).
            self.send(R.BARE_LF)
            return
        text = _strip_telnet(raw[:-2]).decode("utf-8", "surrogateescape")
        verb, _, arg = text.partition(" ")
        self._dispatch(verb.upper(), arg, text)

    def _dispatch(self, verb: str, arg: str, text: str) -> None:
        from iisftp.server.commands import COMMANDS, Arity, TlsGate

        log.debug("%s %s", self.peer.session_id[:8], "PASS ***" if verb == "PASS" else text)
        if (self.site or self.config.sites[0]).id in self.config.logged_sites:
            sent_verb = text.partition(" ")[0]
            self.log_pending.append(
                w3clog.Pending(
                    sent_verb,
                    w3clog.masked_argument(verb, arg, self._anonymous_pass_name()),
                    time.time(),
                    len(text.encode("utf-8", "surrogateescape")) + 2,
                )
            )
        spec = COMMANDS.get(verb)
        if spec is None:
            self.send(R.NOT_UNDERSTOOD)
            return
        site = self.site
        if site is not None and not site.command_filter.allows(verb):
            self.send(R.NOT_ALLOWED)
            return
        if spec.login and self.user is None:
            self.send(R.LOGIN_FIRST)
            return
        if (spec.arity is Arity.REQUIRED and not arg.strip()) or (
            spec.arity is Arity.NONE and arg.strip()
        ):
            self.send(R.BAD_PARAMS)
            return
        if spec.tls is TlsGate.DATA:
            refusal = self.data_policy_error()
            if refusal is not None:
                self.send(refusal)
                return
        if verb != "RNTO":
            self.rename_from = None if verb != "RNFR" else self.rename_from
        spec.handler(self, arg)


def _strip_telnet(line: bytes) -> bytes:
    """Drop Telnet IAC sequences (ftplib sends IAC IP IAC DM before ABOR)."""
    if b"\xff" not in line and b"\xf2" not in line[:1]:
        return line
    out = bytearray()
    i = 0
    while i < len(line):
        if line[i] == 0xFF and i + 1 < len(line):
            i += 2
            continue
        out.append(line[i])
        i += 1
    return bytes(out).lstrip(b"\xf2")
