"""Data connections: passive listeners and one blocking worker per transfer (workers.py).

Distrusts who connects to a passive port: with matchClientAddressForPasv a
connection from any other address than the control client is closed and the
listener keeps waiting (anti port-theft). With PROT P the data socket is a TLS
server on the site's SSLContext; when session reuse is required a connection
that did not resume the control connection's own session is refused
(tlsconf.same_session). Uploads
must end with close_notify under TLS; a bare TCP close is reported TRUNCATED.

Bytes move with no per-byte Python work: `socket.sendfile` for clear RETR,
1 MiB `readinto` + `sendall` under TLS, 1 MiB `recv_into` for uploads.
"""

from __future__ import annotations

import logging
import random
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable

from iisftp.server import tlsconf, workers
from iisftp.server.effects import Direction, Outcome, Transfer, TransferResult

__all__ = ["DataChannel", "PassivePort", "open_passive"]

log = logging.getLogger("iisftp.server.data")
CHUNK = 1 << 20


class PassivePort:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.port: int = sock.getsockname()[1]

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


def open_passive(local_ip: str, port_range: tuple[int, int] | None) -> PassivePort | None:
    """Listen on `local_ip`, on a random free port of the configured range."""
    family = socket.AF_INET6 if ":" in local_ip else socket.AF_INET
    if port_range and port_range[0] > 0 and port_range[1] >= port_range[0]:
        low, high = port_range
        candidates = list(range(low, high + 1))
        random.shuffle(candidates)
    else:
        candidates = [0]
    for port in candidates[:200]:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.bind((local_ip, port))
            sock.listen(1)
            return PassivePort(sock)
        except OSError:
            sock.close()
    log.warning("no free passive port in %s", port_range)
    return None


class _Aborted(Exception):
    pass


class DataChannel:
    """One data connection and the transfer on it, run in a worker thread.

    Passive: `open()` right after PASV/EPSV accepts the client's connection and,
    when PROT P is in force, completes the TLS handshake before the transfer
    command arrives (clients such as curl connect and send ClientHello at once
    and stall until answered). `run(transfer)` hands over the transfer; the
    result goes to `on_done` (only for a channel that was given a transfer).
    Active: `run(transfer)` connects to the PORT/EPRT target, then transfers.
    """

    def __init__(
        self,
        *,
        passive: PassivePort | None,
        client_ip: str,
        local_ip: str,
        match_pasv: bool,
        tls: Callable[[], tuple[ssl.SSLContext | None, bytes | None]],
        timeout: float,
        on_done: Callable[[TransferResult], None],
    ) -> None:
        self.passive = passive
        self.client_ip = client_ip
        self.local_ip = local_ip
        self.match_pasv = match_pasv
        self.tls = tls  # (context, control session ID), read when needed
        self.timeout = timeout
        self.on_done = on_done
        self.conn: socket.socket | None = None
        self.nbytes = 0
        self.t: Transfer | None = None
        self._early: TransferResult | None = None  # failure found before the transfer
        self._go = threading.Event()
        self._aborted = False
        self._started = False
        self._reported = False
        self._wake_r, self._wake_w = socket.socketpair()
        # For the W3C log: when the data connection was made, and our port on it.
        self.opened_at: float | None = None
        self.local_port = 0

    def open(self, early_tls: bool) -> None:
        """Passive: start accepting now (and handshake when `early_tls`)."""
        self._started = True
        workers.submit(lambda: self._main(early_tls))

    def run(self, transfer: Transfer) -> None:
        self.t = transfer
        self.timeout = transfer.timeout
        if not self._started:
            self.open(False)
        self._go.set()

    def abort(self) -> None:
        self._aborted = True
        self._go.set()
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass
        if self.passive is not None:
            self.passive.close()  # free the port now: the next PASV may want it
        conn = self.conn
        if conn is not None:
            try:  # wakes a blocked send/recv; the base method leaves SSL state alone
                socket.socket.shutdown(conn, socket.SHUT_RDWR)
            except OSError:
                pass

    # ---- worker thread --------------------------------------------------
    def _main(self, early_tls: bool) -> None:
        result: TransferResult | None = None
        try:
            if self.passive is not None:
                self._prepare(early_tls)
            self._go.wait()
            result = self._run()
        except _Aborted:
            result = TransferResult(Outcome.ABORTED, self.nbytes)
        except Exception as exc:  # a worker must always report back
            log.exception("data transfer failed")
            result = TransferResult(Outcome.LOCAL_ERROR, self.nbytes, str(exc))
        finally:
            if isinstance(self.conn, ssl.SSLSocket):
                _mark_shut_down(self.conn)
            for sock in (self.conn, self._wake_r, self._wake_w):
                if sock is not None:
                    try:
                        sock.close()
                    except OSError:
                        pass
            if self.passive is not None:
                self.passive.close()
        self._report(result)

    def _report(self, result: TransferResult | None) -> None:
        if self.t is not None and result is not None and not self._reported:
            self._reported = True
            self.on_done(result)

    def _prepare(self, early_tls: bool) -> None:
        """Passive: accept (and maybe handshake) before the transfer command."""
        self.conn = self._accept()
        assert self.passive is not None
        self.passive.close()  # one connection per PASV: free the port at once
        if self.conn is None:
            self._early = TransferResult(Outcome.NO_CONNECTION)
        elif early_tls:
            self._early = self._handshake()

    def _handshake(self) -> TransferResult | None:
        raw = self.conn
        assert raw is not None
        ctx = self.tls()[0]
        if ctx is None:
            return TransferResult(Outcome.TLS_FAILED, 0, "no TLS context")
        try:
            sconn = ctx.wrap_socket(
                raw, server_side=True, do_handshake_on_connect=False, suppress_ragged_eofs=False
            )
            self.conn = sconn
            sconn.do_handshake()
        except (ssl.SSLError, OSError) as exc:
            if self._aborted:
                raise _Aborted from None
            return TransferResult(Outcome.TLS_FAILED, 0, str(exc))
        return None

    def _run(self) -> TransferResult:
        if self._aborted or self.t is None:
            raise _Aborted
        if self._early is not None:
            return self._early
        if self.conn is None:
            self.conn = self._connect_active()
            if self.conn is None:
                return TransferResult(Outcome.NO_CONNECTION)
        is_tls = isinstance(self.conn, ssl.SSLSocket)
        if self.t.protect and not is_tls:
            failed = self._handshake()
            if failed is not None:
                return failed
        elif is_tls and not self.t.protect:
            return TransferResult(Outcome.TLS_FAILED, 0, "PROT changed after PASV")
        conn = self.conn
        if (
            isinstance(conn, ssl.SSLSocket)
            and self.t.require_reuse
            and not tlsconf.same_session(conn, self.tls()[1])
        ):
            log.info("data connection from %s did not resume the TLS session", self.client_ip)
            return TransferResult(Outcome.NOT_RESUMED)
        conn.settimeout(self.timeout)
        try:
            if self.t.direction is Direction.SEND:
                self._send(conn)
            else:
                self._recv(conn)
        except _Aborted:
            raise
        except (ssl.SSLEOFError, ConnectionError, TimeoutError, ssl.SSLError) as exc:
            if self._aborted:
                raise _Aborted from None
            return TransferResult(Outcome.TRUNCATED, self.nbytes, str(exc))
        except OSError as exc:
            if self._aborted:
                raise _Aborted from None
            # Socket errors are the peer's; file errors are ours.
            kind = Outcome.TRUNCATED if exc.errno in (32, 104, 110) else Outcome.LOCAL_ERROR
            return TransferResult(kind, self.nbytes, str(exc))
        # IIS-COMPAT (KB2505047): 226 goes out before the data connection's
        # shutdown handshake finishes; close_notify is still sent and awaited.
        self._report(TransferResult(Outcome.OK, self.nbytes))
        self._close(conn)
        return TransferResult(Outcome.OK, self.nbytes)

    def _connect_active(self) -> socket.socket | None:
        assert self.t is not None and self.t.active is not None
        try:
            family = socket.AF_INET6 if ":" in self.t.active[0] else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            if family == (socket.AF_INET6 if ":" in self.local_ip else socket.AF_INET):
                sock.bind((self.local_ip, 0))
            sock.connect(self.t.active)
        except OSError:
            return None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._opened(sock)
        return sock

    def _accept(self) -> socket.socket | None:
        assert self.passive is not None
        listener = self.passive.sock
        client = self.client_ip.removeprefix("::ffff:")
        while not self._aborted:
            try:
                ready, _, _ = select.select([listener, self._wake_r], [], [], self.timeout)
                if self._wake_r in ready:
                    raise _Aborted
                if not ready:
                    return None  # dataChannelTimeout
                conn, addr = listener.accept()
            except (OSError, ValueError):
                if self._aborted:  # the listener was closed under us by abort()
                    raise _Aborted from None
                raise
            peer = addr[0].removeprefix("::ffff:")
            if self.match_pasv and peer != client:
                log.warning("refused passive data connection from %s (client is %s)", peer, client)
                conn.close()
                continue
            conn.settimeout(self.timeout)
            # No Nagle: the last small segment and close_notify must not wait for an ACK.
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._opened(conn)
            return conn
        raise _Aborted

    def _opened(self, conn: socket.socket) -> None:
        self.local_port = conn.getsockname()[1]
        self.opened_at = time.time()

    def _send(self, conn: socket.socket) -> None:
        t = self.t
        assert t is not None
        if t.produce is not None:
            for chunk in t.produce():
                if self._aborted:
                    raise _Aborted
                conn.sendall(chunk)
                self.nbytes += len(chunk)
            return
        assert t.path is not None
        with open(t.path, "rb") as f:
            if not isinstance(conn, ssl.SSLSocket):
                self.nbytes = conn.sendfile(f, t.offset)
                return
            f.seek(t.offset)
            buf = bytearray(CHUNK)
            view = memoryview(buf)
            while n := f.readinto(buf):
                if self._aborted:
                    raise _Aborted
                conn.sendall(view[:n])
                self.nbytes += n

    def _open_target(self):
        t = self.t
        assert t is not None and t.path is not None
        if t.temp_path is not None:
            return open(t.temp_path, "wb", buffering=0)
        if t.append:
            return open(t.path, "ab", buffering=0)
        f = open(t.path, "r+b" if t.path.exists() else "wb", buffering=0)  # noqa: SIM115
        f.seek(t.offset)
        f.truncate()
        return f

    def _recv(self, conn: socket.socket) -> None:
        is_tls = isinstance(conn, ssl.SSLSocket)
        buf = bytearray(CHUNK)
        view = memoryview(buf)
        with self._open_target() as f:
            eof = False
            while not eof:
                got = 0
                while got < CHUNK:
                    n = conn.recv_into(view[got:])
                    if n == 0:
                        eof = True
                        break
                    got += n
                    if not is_tls:
                        break  # one large recv is already a good write size
                if self._aborted:
                    raise _Aborted
                if got:
                    f.write(view[:got])
                    self.nbytes += got
        if self._aborted:
            raise _Aborted

    def _close(self, conn: socket.socket) -> None:
        """Orderly end: close_notify both ways under TLS, FIN in clear."""
        try:
            if isinstance(conn, ssl.SSLSocket):
                conn.settimeout(min(self.timeout, 5.0))
                conn.unwrap()
            else:
                conn.shutdown(socket.SHUT_WR)
        except (OSError, ValueError):
            pass


def _mark_shut_down(conn: ssl.SSLSocket) -> None:
    """Send close_notify without waiting, whatever ended the connection.

    OpenSSL drops a session from the site's cache when a connection using it is
    freed without close_notify; a refused (522) or aborted data connection would
    otherwise take the control session with it, and every later data connection
    of that control connection would fail to resume. TLS 1.1+ lets a session
    outlive an unclean close (RFC 5246 §7.2.1)."""
    try:
        conn.settimeout(0)
        conn.unwrap()
    except (OSError, ValueError):  # already unwrapped, handshake unfinished, or peer gone
        pass
