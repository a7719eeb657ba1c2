"""The embedded FTPS server: `FtpServer(settings, authenticate=..., certificate=...)`.

Layout: session.py (sans-I/O control session, state machine and gate),
commands.py (the command table), handlers/ (one module per concern),
replies.py (IIS reply texts), fsview.py / isolation.py / authz.py (security
boundaries), listing.py (listing formats), control.py (asyncio + MemoryBIO
TLS driver), data.py (data connections in worker threads), server.py.
"""

from iisftp.server.server import FtpServer

__all__ = ["FtpServer"]
