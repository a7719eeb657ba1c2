"""iisftp: an IIS-compatible FTP/FTPS platform.

Public API (see README): `iisftp.load(path)` returns a configuration object;
`iisftp.server.FtpServer` runs the sites it describes.
"""

from __future__ import annotations

from iisftp.errors import ConfigError, IisftpError, UsageError

__all__ = ["ConfigError", "IisftpError", "UsageError", "__version__", "load"]
__version__ = "0.1.0"


def load(path, **kwargs):  # type: ignore[no-untyped-def]
    """Load an applicationHost.config (file or configuration folder)."""
    from iisftp.config import load as _load

    return _load(path, **kwargs)
