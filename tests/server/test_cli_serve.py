"""`iisftp serve` end to end: a real configuration folder, real stores, curl, SIGTERM."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

CONFIG = """<?xml version="1.0" encoding="UTF-8"?>
<configuration>
    <configSections>
        <sectionGroup name="system.applicationHost">
            <section name="sites" allowDefinition="AppHostOnly" overrideModeDefault="Deny" />
        </sectionGroup>
        <sectionGroup name="system.ftpServer">
            <sectionGroup name="security">
                <section name="authorization" overrideModeDefault="Deny" />
            </sectionGroup>
        </sectionGroup>
    </configSections>
    <system.applicationHost>
        <sites>
            <site name="CLI FTP" id="1">
                <application path="/">
                    <virtualDirectory path="/" physicalPath="{root}" />
                </application>
                <bindings>
                    <binding protocol="ftp" bindingInformation="127.0.0.1:{port}:" />
                </bindings>
                <ftpServer>
                    <security>
                        <ssl serverCertHash="{thumb}" controlChannelPolicy="SslRequire"
                             dataChannelPolicy="SslRequire" />
                        <authentication>
                            <basicAuthentication enabled="true" />
                        </authentication>
                    </security>
                </ftpServer>
            </site>
        </sites>
    </system.applicationHost>
    <system.ftpServer>
        <security>
            <authorization>
                <add accessType="Allow" users="*" permissions="Read, Write" />
            </authorization>
        </security>
    </system.ftpServer>
</configuration>
"""
PASSWORD = "Pw-12345678!"


def iisftp(*args: str, stdin: str = "") -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "iisftp", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_serve_end_to_end(tmp_path: Path, stop_signal: signal.Signals) -> None:
    folder, root = tmp_path / "cfg", tmp_path / "content"
    folder.mkdir()
    root.mkdir()
    (root / "a.txt").write_text("from the cli\n")
    info = json.loads(
        iisftp(
            "cert",
            "create-self-signed",
            "-n",
            "t",
            "--dns",
            "localhost",
            "-c",
            str(folder),
            "--json",
        )
    )
    iisftp("user", "add", "alice", "--password-stdin", "-c", str(folder), stdin=PASSWORD + "\n")
    port = free_port()
    (folder / "applicationHost.config").write_text(
        CONFIG.format(root=root, port=port, thumb=info["thumbprint"])
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "iisftp", "serve", "-c", str(folder), "--log-level", "debug"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        banner = [proc.stdout.readline() for _ in range(2)]
        assert f"ftp://127.0.0.1:{port}/" in banner[1], banner
        url = f"ftp://127.0.0.1:{port}/a.txt"
        ok = subprocess.run(
            ["curl", "-sS", "-k", "--ssl-reqd", "-u", f"alice:{PASSWORD}", url],
            capture_output=True,
            timeout=30,
        )
        assert ok.stdout == b"from the cli\n", ok.stderr
        clear = subprocess.run(
            ["curl", "-sS", "-u", f"alice:{PASSWORD}", url], capture_output=True, timeout=30
        )
        assert clear.returncode != 0 and b"534" in clear.stderr
    finally:
        proc.send_signal(stop_signal)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert PASSWORD not in err and "logged in" in err and "PASS ***" in err
