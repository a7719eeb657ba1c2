"""The control connection driver: asyncio transport <-> sans-I/O FtpSession.

Distrusts the network peer: TLS runs through ssl.MemoryBIO/SSLObject so AUTH,
CCC and REIN switch protection exactly at the right byte; a handshake or idle
period longer than the session's timeout closes the connection; reading pauses
while the peer does not read our replies (no unbounded write buffer).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
import time
from typing import TYPE_CHECKING

from iisftp.server import data, tlsconf, w3clog
from iisftp.server import replies as R
from iisftp.server.effects import (
    Abort,
    Authenticate,
    Close,
    CloseData,
    Direction,
    LoginFailed,
    OpenPassive,
    Outcome,
    StartTls,
    StopTls,
    Transfer,
    TransferResult,
)
from iisftp.server.replies import Reply
from iisftp.server.session import FtpSession, Peer, SessionConfig, State

if TYPE_CHECKING:
    from iisftp.server.server import FtpServer

__all__ = ["ControlProtocol"]

log = logging.getLogger("iisftp.server")
_TLS_RECORD_TYPES = range(0x14, 0x18)


class ControlProtocol(asyncio.Protocol):
    def __init__(self, server: FtpServer, config: SessionConfig) -> None:
        self.server = server
        self.config = config
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.session: FtpSession | None = None
        self.tls_ctx: ssl.SSLContext | None = None  # the site's (shared) context
        self.tls_session: bytes | None = None  # control session ID, data must resume it
        self._ssl: ssl.SSLObject | None = None
        self._in: ssl.MemoryBIO | None = None
        self._out: ssl.MemoryBIO | None = None
        self._handshaking = False
        self._unwrapping: ssl.SSLObject | None = None  # old TLS layer after CCC
        self._ccc_buf = b""
        self._passive: data.DataChannel | None = None  # opened by PASV/EPSV
        self._job: data.DataChannel | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._last = self.loop.time()
        self._unauth_since: float | None = None  # start of the unauthenticated period
        self._closed = False
        self.local_ip = ""
        self.site_slot: str | None = None

    # ---- asyncio callbacks ----------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        peer = transport.get_extra_info("peername") or ("?", 0)
        local = transport.get_extra_info("sockname") or ("?", 0)
        self.local_ip = local[0]
        self.session = FtpSession(
            self.config, Peer(peer[0], local[0], client_port=peer[1], server_port=local[1])
        )
        refusal = self.server.admit(self)
        if refusal is not None:
            if refusal.code == 0 or self.config.implicit:
                sock = transport.get_extra_info("socket")
                if sock is not None:  # RST instead of FIN (resetOnMaxConnections)
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
                transport.abort()
            else:
                transport.write(refusal.encode())
                transport.close()
            self._closed = True
            return
        log.info("%s control channel opened from %s", self.session.peer.session_id[:8], peer[0])
        self._log_channel("ControlChannelOpened")
        if self.config.implicit:
            self._start_tls(b"")
        else:
            self._apply(self.session.start())
        self._arm_timer()

    def data_received(self, data_: bytes) -> None:
        if self._closed or self.session is None:
            return
        self._last = self.loop.time()
        if self._unwrapping is not None:
            self._ccc_input(data_)
        elif self._ssl is not None:
            assert self._in is not None
            self._in.write(data_)
            self._tls_pump()
        else:
            self._apply(self.session.receive(data_))

    def _due(self) -> float | None:
        """When the session times out: unauthenticatedTimeout counts from connect
        (or REIN/logout) to logon, whatever the client sends meanwhile;
        controlChannelTimeout counts idle time after logon."""
        assert self.session is not None
        limit = self.session.idle_timeout
        if limit is None:
            return None
        if self.session.user is None:
            if self._unauth_since is None:
                self._unauth_since = self.loop.time()
            return self._unauth_since + limit
        self._unauth_since = None
        return self._last + limit

    def _rearm_if_sooner(self) -> None:
        """A different limit may apply now (after logon, REIN, or a transfer)."""
        if self.session is None or self._timer is None or self._closed:
            return
        due = self._due()
        if due is not None and due < self._timer.when() - 0.01:
            self._timer.cancel()
            self._arm_timer(due - self.loop.time())

    def eof_received(self) -> bool:
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
        if self._job is not None:
            self._job.abort()
        self._close_passive()
        self.server.release(self)
        if self.session is not None and self.site_slot is not None:
            log.info("%s control channel closed", self.session.peer.session_id[:8])
            self._log_channel("ControlChannelClosed")

    def pause_writing(self) -> None:
        if self.transport is not None:
            self.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.transport is not None and not self._closed:
            self.transport.resume_reading()

    # ---- TLS on the control channel --------------------------------------
    def _start_tls(self, pending: bytes) -> None:
        assert self.session is not None
        try:
            if self.tls_ctx is None:
                # Before HOST, an implicit listener of host-named sites only has no
                # site yet: use the first one with a certificate.
                site = self.session.site or next(
                    (s for s in self.config.sites if self.server.cert_available(s)), None
                )
                self.tls_ctx = self.server.tls_context(site)
        except (OSError, ssl.SSLError) as exc:
            log.error("cannot set up TLS: %s", exc)
            self._abort()
            return
        self._in, self._out = ssl.MemoryBIO(), ssl.MemoryBIO()
        self._ssl = self.tls_ctx.wrap_bio(self._in, self._out, server_side=True)
        self._handshaking = True
        if pending:
            self._in.write(pending)
        self._tls_pump()

    def _flush_tls(self) -> None:
        if self._out is not None and self._out.pending and self.transport is not None:
            self.transport.write(self._out.read())

    def _tls_pump(self) -> None:
        assert self._ssl is not None and self.session is not None
        if self._handshaking:
            try:
                self._ssl.do_handshake()
            except ssl.SSLWantReadError:
                self._flush_tls()
                return
            except (ssl.SSLError, OSError) as exc:
                log.info("%s TLS handshake failed: %s", self.session.peer.session_id[:8], exc)
                self._flush_tls()
                self._abort()
                return
            self._flush_tls()
            self._handshaking = False
            self.tls_session = tlsconf.session_id(self._ssl)
            cipher = self._ssl.cipher()
            self._apply(self.session.tls_done(cipher[2] if cipher else 0))
        chunks = []
        while self._ssl is not None and not self._closed:
            try:
                chunk = self._ssl.read(65536)
            except ssl.SSLWantReadError:
                break
            except ssl.SSLZeroReturnError:  # peer's close_notify: the session is over
                self._abort()
                return
            except ssl.SSLError as exc:
                log.info("TLS error on control channel: %s", exc)
                self._abort()
                return
            if not chunk:
                break
            chunks.append(chunk)
        self._flush_tls()
        if chunks and not self._closed:
            self._apply(self.session.receive(b"".join(chunks)))

    def _stop_tls(self, pending: bytes) -> None:
        """CCC/REIN: send close_notify, then talk clear; the peer's close_notify
        (if it sends one) is recognised as a TLS record and consumed."""
        assert self._ssl is not None and self._in is not None and self.session is not None
        old, leftover = self._ssl, self._in.read()
        try:
            old.unwrap()
        except (ssl.SSLWantReadError, ssl.SSLError):
            pass
        self._flush_tls()
        self._ssl = None
        self._unwrapping = old
        self._apply(self.session.tls_stopped())
        if pending:
            self._apply(self.session.receive(pending))
        if leftover:
            self._ccc_input(leftover)

    def _ccc_input(self, chunk: bytes) -> None:
        assert self.session is not None
        buf = self._ccc_buf + chunk
        self._ccc_buf = b""
        while buf and buf[0] in _TLS_RECORD_TYPES and self._unwrapping is not None:
            if len(buf) < 5:
                self._ccc_buf = buf
                return
            end = 5 + int.from_bytes(buf[3:5], "big")
            if len(buf) < end:
                self._ccc_buf = buf
                return
            assert self._in is not None
            self._in.write(buf[:end])
            try:
                self._unwrapping.unwrap()
                self._unwrapping = None
            except (ssl.SSLWantReadError, ssl.SSLError):
                pass
            buf = buf[end:]
        if buf:
            self._unwrapping = None  # clear text from now on
            self._apply(self.session.receive(buf))

    # ---- effects -----------------------------------------------------------
    def _write(self, payload: bytes) -> None:
        if self.transport is None or self._closed:
            return
        if self._ssl is not None and not self._handshaking:
            self._ssl.write(payload)
            self._flush_tls()
        else:
            self.transport.write(payload)

    def _apply(self, outputs: list[object]) -> None:
        assert self.session is not None
        for item in outputs:
            if self._closed:
                return
            if isinstance(item, Reply):
                log.debug(
                    "%s -> %d %s", self.session.peer.session_id[:8], item.code, item.lines[-1]
                )
                self._write(item.encode(self.session.encoding))
            elif isinstance(item, w3clog.LogRecord):
                self.server.log.write(item)
            elif isinstance(item, StartTls):
                self._start_tls(item.pending)
            elif isinstance(item, StopTls):
                self._stop_tls(item.pending)
            elif isinstance(item, OpenPassive):
                self._close_passive()
                port = self._open_passive()
                self._apply(self.session.passive_done(port))
            elif isinstance(item, CloseData):
                self._close_passive()
            elif isinstance(item, Authenticate):
                self._authenticate(item)
            elif isinstance(item, Transfer):
                self._start_transfer(item)
            elif isinstance(item, Abort):
                if self._job is not None:
                    self._job.abort()
            elif isinstance(item, LoginFailed):
                if self.server.login_failed(self.session.peer.client_ip):
                    self._close()  # denyByFailure: limit reached, the address is now blocked
            elif isinstance(item, Close):
                self._close(item.reset)
        self._rearm_if_sooner()

    def _authenticate(self, item: Authenticate) -> None:
        assert self.session is not None
        cached = self.server.cached_user(item.name, item.password)
        if cached is not None:  # no thread hand-off for a cache hit
            self._apply(self.session.auth_done(cached))
            return
        fut = self.loop.run_in_executor(
            None, self.server.check_credentials, item.name, item.password
        )

        def done(f: asyncio.Future) -> None:
            if not self._closed and self.session is not None:
                user = None if f.cancelled() or f.exception() else f.result()
                self._apply(self.session.auth_done(user))

        fut.add_done_callback(done)

    def _channel(self, passive: data.PassivePort | None) -> data.DataChannel:
        assert self.session is not None and self.session.site is not None
        site = self.session.site
        holder: list[data.DataChannel] = []
        channel = data.DataChannel(
            passive=passive,
            client_ip=self.session.peer.client_ip,
            local_ip=self.local_ip,
            match_pasv=site.data_channel_security.match_client_address_for_pasv,
            tls=lambda: (self.tls_ctx, self.tls_session),
            timeout=float(site.connections.data_channel_timeout),
            on_done=lambda r: self.loop.call_soon_threadsafe(self._transfer_done, holder[0], r),
        )
        holder.append(channel)
        return channel

    def _open_passive(self) -> int | None:
        assert self.session is not None
        port = data.open_passive(self.local_ip, self.server.passive_range)
        if port is None:
            return None
        self._passive = self._channel(port)
        # Accept now; handshake early when the data channel will be protected.
        self._passive.open(early_tls=self.session.prot == "P" and self.tls_ctx is not None)
        return port.port

    def _start_transfer(self, item: Transfer) -> None:
        channel, self._passive = self._passive, None
        if item.active is not None:
            if channel is not None:
                channel.abort()
            channel = self._channel(None)
        if channel is None:  # cannot happen: the session checked for a data target
            self._apply(self.session.transfer_done(TransferResult(Outcome.NO_CONNECTION)))
            return
        self._job = channel
        channel.run(item)

    def _transfer_done(self, job: data.DataChannel, result: TransferResult) -> None:
        if self._job is job:
            self._job = None
        self._last = self.loop.time()
        if result.outcome.value != "ok":
            log.info(
                "data transfer ended %s (%d bytes) %s",
                result.outcome.value,
                result.nbytes,
                result.detail,
            )
        if job.opened_at is not None:  # logged before the command's final line
            sent = job.t is not None and job.t.direction is Direction.SEND
            self._log_channel("DataChannelOpened", job.opened_at, port=job.local_port)
            self._log_channel(
                "DataChannelClosed",
                port=job.local_port,
                sent=result.nbytes if sent else 0,
                recv=0 if sent else result.nbytes,
            )
        if not self._closed and self.session is not None and self.session.state is State.TRANSFER:
            self._apply(self.session.transfer_done(result))

    def _log_channel(self, method: str, when: float | None = None, **kw: int) -> None:
        """A Control/DataChannel Opened/Closed line in the site's W3C log."""
        s = self.session
        if s is not None and (s.site or self.config.sites[0]).id in self.config.logged_sites:
            when = time.time() if when is None else when
            self.server.log.write(w3clog.channel_record(s, method, when=when, **kw))

    def _close_passive(self) -> None:
        if self._passive is not None:
            self._passive.abort()
            self._passive = None

    def _close(self, reset: bool = False) -> None:
        if self._closed or self.transport is None:
            return
        if reset:
            self._abort()
            return
        if self._ssl is not None and not self._handshaking:
            try:
                self._ssl.unwrap()
            except (ssl.SSLWantReadError, ssl.SSLError):
                pass
            self._flush_tls()
        self._closed = True
        self.transport.close()

    def _abort(self) -> None:
        self._closed = True
        if self.transport is not None:
            self.transport.abort()

    def shutdown(self) -> None:
        """Server stop: say so (421) where a reply can be sent, then end the session."""
        s = self.session
        if s is None or self._handshaking or s.state in (State.HANDSHAKE, State.SWITCHING):
            self._abort()
            return
        if self._job is not None:
            self._job.abort()
        self._write(R.TOO_MANY.encode())
        self._close()

    # ---- timeouts -----------------------------------------------------------
    def _arm_timer(self, delay: float | None = None) -> None:
        if self._closed or self.session is None:
            return
        if delay is None:
            due = self._due()
            delay = 5.0 if due is None else due - self.loop.time()
        self._timer = self.loop.call_later(max(delay, 0.01), self._on_timer)

    def _on_timer(self) -> None:
        if self._closed or self.session is None:
            return
        due = self._due()
        if due is None or due > self.loop.time():
            self._arm_timer(5.0 if due is None else due - self.loop.time())
            return
        log.info("%s control channel timed out", self.session.peer.session_id[:8])
        if self._handshaking or self.session.state in (State.HANDSHAKE, State.SWITCHING):
            self._abort()  # no way to send a reply mid-handshake
            return
        self._apply(self.session.timed_out())
