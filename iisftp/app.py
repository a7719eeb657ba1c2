"""An installation, assembled: configuration folder -> site model -> server.

The one place that wires the layers together (config engine, user store,
certificate store, server), for `iisftp serve`, `iisftp quickstart`, tests and
programs embedding iisftp.
"""

from __future__ import annotations

from iisftp.certs import CertStore
from iisftp.config import load
from iisftp.errors import UsageError
from iisftp.folder import ConfigFolder
from iisftp.model.build import build_server_settings
from iisftp.server import FtpServer
from iisftp.users import UserStore

__all__ = ["server_for"]


def server_for(folder: ConfigFolder) -> FtpServer:
    """A server (not yet started) for every FTP site in the folder's applicationHost.config.

    The user store re-reads users.json when it changes, so `iisftp user add`
    takes effect without a restart."""
    settings = build_server_settings(load(folder.apphost))
    if not settings.sites:
        raise UsageError(
            f"{folder.apphost}: no site has an ftp binding",
            "add one with `iisftp site add NAME --path DIR --port 21` "
            "or `iisftp site binding add NAME --port 21`",
        )
    users = UserStore.open(folder.users_file)
    certs = CertStore(folder.cert_dir)
    return FtpServer(settings, authenticate=users.authenticate, certificate=certs.tls_files)
