"""FtpServer: listeners for every site binding, connection limits, lifecycle.

Distrusts nothing itself: it wires the typed settings, the authenticate and
certificate callbacks, and one ControlProtocol per accepted connection.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from iisftp.errors import IisftpError
from iisftp.model.site import UNLIMITED, FtpSite, ServerSettings
from iisftp.server import messages, tlsconf
from iisftp.server import replies as R
from iisftp.server.control import ControlProtocol
from iisftp.server.replies import Reply
from iisftp.server.session import SessionConfig
from iisftp.server.w3clog import FtpLog

__all__ = ["FtpServer"]

log = logging.getLogger("iisftp.server")

# credentialsCache defaults (flushInterval="900"); the site model has no field for them.
CREDENTIALS_TTL = 900.0
CREDENTIALS_CACHE_SIZE = 10_000

Authenticator = Callable[[str, str], object | None]
CertificateLookup = Callable[[str, str], "tuple[Path, Path] | None"]


@dataclass
class _Listener:
    ip: str
    port: int
    implicit: bool
    sites: list[FtpSite]
    backlog: int
    server: asyncio.base_events.Server | None = None


class FtpServer:
    def __init__(
        self,
        settings: ServerSettings,
        *,
        authenticate: Authenticator,
        certificate: CertificateLookup,
    ) -> None:
        self.settings = settings
        self._authenticate = authenticate
        self._certificate = certificate
        self._certs: dict[str, tuple[Path, Path] | None] = {}
        self._contexts: dict[str, ssl.SSLContext] = {}  # per site, built on first AUTH
        self._listeners: list[_Listener] = []
        self._connections: set[ControlProtocol] = set()
        self._counts: dict[str, int] = {}
        self._failures: dict[str, list[float]] = {}
        self._credentials: dict[tuple[str, bytes], tuple[float, object]] = {}
        self._cache_key = secrets.token_bytes(32)
        self._blocked: dict[str, float] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self.passive_range = settings.passive_port_range
        self.log = FtpLog(settings)  # W3C logs (ftpServer/logFile, system.ftpServer/log)

    # ---- callbacks used by connections -------------------------------------
    def _credentials_key(self, name: str, password: str) -> tuple[str, bytes]:
        digest = hmac.new(
            self._cache_key, password.encode("utf-8", "surrogateescape"), hashlib.sha256
        ).digest()
        return name, digest

    def cached_user(self, name: str, password: str) -> object | None:
        """The credentials cache alone (µs, safe on the event loop): the user of
        an unexpired successful logon with this name and password, else None."""
        hit = self._credentials.get(self._credentials_key(name, password))
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        return None

    def check_credentials(self, name: str, password: str) -> object | None:
        """The authenticate callback behind IIS's credentials cache.

        IIS-COMPAT: system.ftpServer/caching/credentialsCache (enabled, 900 s by
        default) keeps successful logons, so a password hash (scrypt) is not
        recomputed for every session. Only successes are cached, keyed by an HMAC
        of the password under a per-process random key; nothing is ever logged.
        """
        key = self._credentials_key(name, password)
        now = time.monotonic()
        hit = self._credentials.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        try:
            user = self._authenticate(name, password)
        except Exception:  # a broken user store must not kill the session
            log.exception("authenticate callback failed for %r", name)
            return None
        if user is not None:
            if len(self._credentials) >= CREDENTIALS_CACHE_SIZE:
                self._credentials.clear()
            self._credentials[key] = (now + CREDENTIALS_TTL, user)
        else:
            self._credentials.pop(key, None)
        return user

    def cert_available(self, site: FtpSite) -> bool:
        return self._certs.get(site.name) is not None

    def tls_context(self, site: FtpSite | None) -> ssl.SSLContext:
        """The site's SSLContext, shared by all its control and data connections.

        Built once (~1.5 ms of CPU, mostly PEM decoding) on the first AUTH; one
        session cache per site, so a data connection can only resume sessions
        of its own site (tlsconf.py says why that is enough with the ID check).
        """
        pair = self._certs.get(site.name) if site is not None else None
        if site is None or pair is None:
            raise OSError("no certificate for this site")
        ctx = self._contexts.get(site.name)
        if ctx is None:
            ctx = self._contexts[site.name] = tlsconf.server_context(*pair)
        return ctx

    def login_failed(self, client_ip: str) -> bool:
        """denyByFailure: record a failed logon; True when the address is now blocked."""
        st = self.settings
        if not st.deny_by_failure_enabled:
            return False
        now = time.monotonic()
        recent = [
            t for t in self._failures.get(client_ip, []) if now - t < st.deny_by_failure_expiration
        ]
        recent.append(now)
        self._failures[client_ip] = recent
        if len(recent) >= st.deny_by_failure_max:
            log.warning(
                "denyByFailure: blocking %s for %.0f s", client_ip, st.deny_by_failure_expiration
            )
            self._blocked[client_ip] = now + st.deny_by_failure_expiration
            self._failures.pop(client_ip, None)
            return True
        return False

    def admit(self, conn: ControlProtocol) -> Reply | None:
        """Count the connection against its site's maxConnections; a refusal
        Reply (code 0 = reset) when over the limit or the address is blocked."""
        assert conn.session is not None
        until = self._blocked.get(conn.session.peer.client_ip)
        if until is not None:
            if time.monotonic() < until:
                return Reply(0, ("",))
            del self._blocked[conn.session.peer.client_ip]
        site = conn.config.default_site or conn.config.sites[0]
        count = self._counts.get(site.name, 0)
        limit = site.connections.max_connections
        if limit != UNLIMITED and count >= limit:
            if site.connections.reset_on_max_connections:
                return Reply(0, ("",))
            m = site.messages
            return messages.instead(421, m.max_clients, R.TOO_MANY.lines[0], m, {})
        self._counts[site.name] = count + 1
        conn.site_slot = site.name
        self._connections.add(conn)
        return None

    def release(self, conn: ControlProtocol) -> None:
        if conn in self._connections:
            self._connections.discard(conn)
            if conn.site_slot is not None:
                self._counts[conn.site_slot] -= 1

    # ---- lifecycle -----------------------------------------------------------
    def _plan(self) -> list[_Listener]:
        groups: dict[tuple[str, int, bool], _Listener] = {}
        for site in self.settings.sites:
            if not site.server_auto_start:
                continue
            for b in site.bindings:
                key = (b.ip, b.port, b.implicit_tls)
                lst = groups.setdefault(
                    key,
                    _Listener(
                        b.ip, b.port, b.implicit_tls, [], site.connections.server_listen_backlog
                    ),
                )
                if site not in lst.sites:
                    lst.sites.append(site)
        return list(groups.values())

    def _load_certs(self) -> None:
        self._contexts.clear()
        for site in self.settings.sites:
            ssl_ = site.ssl
            pair = None
            if ssl_.cert_hash:
                pair = self._certificate(ssl_.cert_store, ssl_.cert_hash)
                if pair is None:
                    log.warning(
                        "site %r: certificate %s not found in store %s; AUTH will answer 431",
                        site.name,
                        ssl_.cert_hash,
                        ssl_.cert_store,
                    )
            self._certs[site.name] = pair

    def _check_folders(self) -> None:
        for site in self.settings.sites:
            for vdir in site.virtual_directories:
                folder = Path(vdir.physical_path)
                if not folder.is_absolute() or not folder.is_dir():
                    log.warning(
                        "site %r: virtual directory %s maps to %r, which is not a folder on "
                        "this host; set its physicalPath (or variables.env for %%VARS%%)",
                        site.name,
                        vdir.path,
                        vdir.physical_path,
                    )

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._check_folders()
        self._load_certs()
        self.log.start()
        self._listeners = self._plan()
        for lst in self._listeners:
            if lst.implicit and not any(self.cert_available(s) for s in lst.sites):
                names = ", ".join(s.name for s in lst.sites)
                raise IisftpError(
                    f"site {names}: implicit FTPS binding {lst.ip}:{lst.port} has no usable "
                    "certificate",
                    "set ftpServer/security/ssl/@serverCertHash to a certificate in the store",
                )
        try:
            for lst in self._listeners:
                await self._listen(lst)
        except OSError as exc:
            await self.stop()
            raise IisftpError(f"cannot listen: {exc}", "choose a free port in the binding") from exc

    async def _listen(self, lst: _Listener) -> None:
        assert self._loop is not None
        config = SessionConfig(
            tuple(lst.sites),
            implicit=lst.implicit,
            use_domain_name_as_host_name=self.settings.use_domain_name_as_host_name,
            cert_available=self.cert_available,
            logged_sites=self.log.site_ids,
        )
        host: str | None = None if lst.ip in ("*", "") else lst.ip
        if host is None and lst.port == 0:
            host = "0.0.0.0"
        lst.server = await self._loop.create_server(
            lambda: ControlProtocol(self, config),
            host=host,
            port=lst.port,
            backlog=lst.backlog,
            reuse_address=True,
        )
        for sock in lst.server.sockets:
            addr = sock.getsockname()
            log.info(
                "listening on %s:%d (%s) for %s",
                addr[0],
                addr[1],
                "implicit FTPS" if lst.implicit else "FTP/explicit FTPS",
                ", ".join(s.name for s in lst.sites),
            )

    @property
    def addresses(self) -> list[tuple[str, str, int, bool]]:
        """(site name, host, port, implicit) for every listening binding."""
        out = []
        for lst in self._listeners:
            if lst.server is None:
                continue
            for sock in lst.server.sockets:
                host, port = sock.getsockname()[:2]
                out += [(s.name, host, port, lst.implicit) for s in lst.sites]
        return out

    async def stop(self) -> None:
        for lst in self._listeners:
            if lst.server is not None:
                lst.server.close()
        for conn in list(self._connections):
            conn.shutdown()
        for lst in self._listeners:
            if lst.server is not None:
                await lst.server.wait_closed()
                lst.server = None
        # Let the closed connections finish (and log ControlChannelClosed), briefly.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 2.0
        while self._connections and loop.time() < deadline:
            await asyncio.sleep(0.01)
        await loop.run_in_executor(None, self.log.stop)

    # ---- thread helpers ------------------------------------------------------
    def start_in_thread(self) -> None:
        """Run the server on its own event loop thread; returns once listening."""
        loop = asyncio.new_event_loop()
        started = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(started.set)
            loop.run_forever()

        self._thread = threading.Thread(target=run, name="iisftp-server", daemon=True)
        self._thread.start()
        started.wait()
        try:
            asyncio.run_coroutine_threadsafe(self.start(), loop).result()
        except BaseException:
            loop.call_soon_threadsafe(loop.stop)
            self._thread.join()
            raise

    def stop_in_thread(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(self.stop(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()
        self._thread = None
