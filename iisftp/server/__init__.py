"""The embedded FTPS server: `FtpServer(settings, authenticate=..., certificate=...)`.

Layout: session.py (sans-I/O control session: state enum + transition table,
one command gate), commands.py (the CommandSpec table), handlers/ (login, tls,
navigation, transfer, misc), replies.py (IIS reply texts), effects.py (what the
session asks the driver to do), fsview.py / isolation.py / authz.py /
filtering.py (security boundaries), listing.py (listing formats), control.py
(asyncio control connections, TLS through MemoryBIO), data.py (data connections
in worker threads: sendfile, 1 MiB TLS writes, recv_into), w3clog.py (IIS W3C
logs, written by a flusher thread), tlsconf.py, server.py.

Decisions where IIS gives no answer:
- A PROT P data connection that does not resume the control connection's TLS
  session is refused with `522 Data connection must resume the TLS session of
  the control connection.` (ssl/@requireSessionReuse, default true).
- TLS 1.2 only (see tlsconf.py for the measurement against curl + TLS 1.3).
- `226` is sent before the data connection's close_notify exchange finishes
  (as IIS does, KB2505047); a TLS upload without close_notify gets `426`.
- Passive data connections are accepted (and TLS-handshaked under PROT P) as
  soon as the client connects, before the transfer command.
"""

from iisftp.server.server import FtpServer

__all__ = ["FtpServer"]
