"""A socket-free harness: a scripted client linked to an FtpSession in memory.

Effects are completed the way a well-behaved driver would (TLS handshakes
succeed, passive ports open, credentials come from the test user dict) so
tests can talk to the protocol state machine line by line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from iisftp.model.site import FtpSite
from iisftp.server.effects import (
    Authenticate,
    Close,
    OpenPassive,
    Outcome,
    StartTls,
    StopTls,
    Transfer,
    TransferResult,
)
from iisftp.server.replies import Reply
from iisftp.server.session import FtpSession, Peer, SessionConfig
from tests.server.conftest import authenticate


@dataclass
class Pair:
    site: FtpSite | tuple[FtpSite, ...]
    implicit: bool = False
    client_ip: str = "127.0.0.1"
    auto_transfer: bool = True
    replies: list[Reply] = field(default_factory=list)
    effects: list[object] = field(default_factory=list)
    closed: bool = False

    def __post_init__(self) -> None:
        sites = self.site if isinstance(self.site, tuple) else (self.site,)
        self.session = FtpSession(
            SessionConfig(sites, implicit=self.implicit), Peer(self.client_ip, "127.0.0.1")
        )
        self._run(self.session.start())
        if self.implicit:
            self._run(self.session.tls_done())

    def _run(self, outputs: list[object]) -> None:
        for item in outputs:
            if isinstance(item, Reply):
                self.replies.append(item)
                continue
            self.effects.append(item)
            if isinstance(item, Authenticate):
                self._run(self.session.auth_done(authenticate(item.name, item.password)))
            elif isinstance(item, StartTls):
                self._run(self.session.tls_done())
            elif isinstance(item, StopTls):
                self._run(self.session.tls_stopped())
            elif isinstance(item, OpenPassive):
                self._run(self.session.passive_done(50000))
            elif isinstance(item, Transfer) and self.auto_transfer:
                self._run(self.session.transfer_done(TransferResult(Outcome.OK)))
            elif isinstance(item, Close):
                self.closed = True

    def send_raw(self, data: bytes) -> list[Reply]:
        start = len(self.replies)
        self._run(self.session.receive(data))
        return self.replies[start:]

    def cmd(self, line: str) -> Reply:
        """Send one command; its last reply."""
        got = self.send_raw(line.encode() + b"\r\n")
        assert got, f"no reply to {line!r}"
        return got[-1]

    def text(self, line: str) -> str:
        r = self.cmd(line)
        return f"{r.code} {r.lines[-1]}"

    def login(self, user: str = "alice", password: str = "secret", tls: bool = True) -> None:
        if tls:
            assert self.text("AUTH TLS").startswith("234")
        assert self.text(f"USER {user}").startswith("331")
        assert self.text(f"PASS {password}").startswith("230")
