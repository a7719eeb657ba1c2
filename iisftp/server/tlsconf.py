"""TLS contexts for control and data channels, and the data-channel reuse check.

One SSLContext per site, built once: its server-side session-ID cache is shared
by every connection of that site. A data connection counts as belonging to a
control connection only when it resumed (`session_reused`) AND its session ID
is the control connection's (`same_session`, ProFTPD's check). Resuming needs
the session's master secret, which only the control connection's client holds;
the ID itself is public (it travels in clear in the ServerHello).

Session tickets are OFF (OP_NO_TICKET), and that is what makes the ID check
sound: under a TLS 1.2 ticket resumption the session ID is whatever the client
sent, so an attacker resuming its own ticket could claim a victim's ID.

Version: TLS 1.2 exactly (MAX_VERSION). Measured here with Debian's curl 7.88:
under TLS 1.3 the server's post-handshake NewSessionTicket on an upload data
connection reaches a client that has already sent everything and closed, its
kernel answers RST, and ours discards the unread upload (curl#13556, ProFTPD
#2015). TLS 1.3 also has no session IDs, only tickets, so the ID check above
would not hold. Raise MAX_VERSION only with a different proof of reuse.

Session cache: OpenSSL's defaults (Python exposes no setter): 20,480 sessions
per context, 7,200 s lifetime, oldest evicted first when full. A control
session older than 2 h, or pushed out by 20,480 newer full handshakes on the
same site, can no longer be resumed: its data connections are then refused
(522) when reuse is required. That fails closed; the client reconnects.
"""

from __future__ import annotations

import hmac
import ssl
from pathlib import Path

__all__ = ["CIPHERS", "same_session", "server_context", "session_id"]

MAX_VERSION = ssl.TLSVersion.TLSv1_2
CIPHERS = "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:!aNULL:!eNULL:!MD5:!SHA1"


def server_context(cert_file: Path, key_file: Path) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.maximum_version = MAX_VERSION
    ctx.set_ciphers(CIPHERS)
    ctx.options |= ssl.OP_NO_COMPRESSION | ssl.OP_CIPHER_SERVER_PREFERENCE | ssl.OP_NO_TICKET
    ctx.options |= getattr(ssl, "OP_NO_RENEGOTIATION", 0)
    # ALPACA hardening as vsftpd 3.0.5: speak `ftp` when ALPN is offered.
    ctx.set_alpn_protocols(["ftp"])
    ctx.load_cert_chain(str(cert_file), str(key_file))
    return ctx


def session_id(conn: ssl.SSLObject | ssl.SSLSocket) -> bytes | None:
    """The TLS session ID of a completed handshake (None when there is none)."""
    session = conn.session
    return session.id if session is not None and session.id else None


def same_session(data: ssl.SSLSocket, control_id: bytes | None) -> bool:
    """True when `data` resumed the control connection's session (see above)."""
    if control_id is None or not data.session_reused:
        return False
    data_id = session_id(data)
    return data_id is not None and hmac.compare_digest(data_id, control_id)
