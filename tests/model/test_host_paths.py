"""IIS physical paths become host paths when the site model is built."""

from __future__ import annotations

from pathlib import Path

import pytest

import iisftp
from iisftp.model.build import build_server_settings

CONFIG = """<?xml version="1.0" encoding="UTF-8"?>
<configuration>
    <system.applicationHost>
        <sites>
            <site name="FTP" id="1">
                <application path="/">
                    <virtualDirectory path="/" physicalPath="{root}" />
                    <virtualDirectory path="/logs" physicalPath="%Logs%\\ftp\\today" />
                </application>
                <bindings>
                    <binding protocol="ftp" bindingInformation="127.0.0.1:0:" />
                </bindings>
                <ftpServer><security>
                    <ssl controlChannelPolicy="SslAllow" dataChannelPolicy="SslAllow" />
                </security></ftpServer>
            </site>
        </sites>
    </system.applicationHost>
</configuration>
"""


def settings(tmp_path: Path, root: str, **variables: str):
    path = tmp_path / "applicationHost.config"
    path.write_text(CONFIG.format(root=root))
    return build_server_settings(iisftp.load(path, variables=variables))


def test_backslashes_become_slashes_after_expansion(tmp_path: Path) -> None:
    site = settings(tmp_path, r"%SystemDrive%\inetpub\ftproot", SystemDrive="/srv", Logs="/var/log")
    paths = {v.path: v.physical_path for v in site.sites[0].virtual_directories}
    assert paths == {"/": "/srv/inetpub/ftproot", "/logs": "/var/log/ftp/today"}


@pytest.mark.parametrize("root", [r"C:\inetpub\ftproot", r"\\fileserver\share"])
def test_windows_only_paths_are_kept_and_reported(tmp_path: Path, root: str) -> None:
    site = settings(tmp_path, root, Logs="/var/log")
    assert site.sites[0].virtual_directories[0].physical_path == root
    config = iisftp.load(tmp_path / "applicationHost.config", variables={"Logs": "/var/log"})
    found = [d for d in config.validate() if d.code == "IIS019"]
    assert found and found[0].line == 7
