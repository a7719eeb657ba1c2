"""TLS contexts for control and data channels.

One SSLContext per control connection: its session cache and ticket keys are
private to that connection, so a data connection with `session_reused` True
provably resumed *this* control session (TLS 1.2 and 1.3; ftp-peers.md §0.1, §9).
Forward-secret AEAD suites only, no compression or renegotiation.

Version: TLS 1.2 exactly (MAX_VERSION). Measured here with Debian's curl 7.88:
under TLS 1.3 the server's post-handshake NewSessionTicket on an upload data
connection reaches a client that has already sent everything and closed, its
kernel answers RST, and ours discards the unread upload (curl#13556, ProFTPD
#2015). curl also needs a fresh ticket on every data connection to resume the
next one, so tickets cannot simply be turned off. TLS 1.2 resumption has no
post-handshake messages. Re-measured with early data-channel handshakes: TLS
1.3 still fails (curl does not resume from tickets issued on data connections).
Raise MAX_VERSION when old clients are gone.
"""

from __future__ import annotations

import ssl
from pathlib import Path

__all__ = ["CIPHERS", "server_context"]

MAX_VERSION = ssl.TLSVersion.TLSv1_2
CIPHERS = "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:!aNULL:!eNULL:!MD5:!SHA1"


def server_context(cert_file: Path, key_file: Path) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.maximum_version = MAX_VERSION
    ctx.set_ciphers(CIPHERS)
    ctx.options |= ssl.OP_NO_COMPRESSION | ssl.OP_CIPHER_SERVER_PREFERENCE
    ctx.options |= getattr(ssl, "OP_NO_RENEGOTIATION", 0)
    # ALPACA hardening as vsftpd 3.0.5: speak `ftp` when ALPN is offered.
    ctx.set_alpn_protocols(["ftp"])
    ctx.load_cert_chain(str(cert_file), str(key_file))
    return ctx
