"""Start the three FTP servers under test on 127.0.0.1, each on a free port.

All serve the same tree (big.bin, mid.bin, small/, upload/) with TLS optional
(the client picks plain FTP or `AUTH TLS` + `PROT P`), from one self-signed
certificate for pyftpdlib and vsftpd; iisftp gets its own from its CLI.
A server that cannot run raises `Unavailable` with the reason to print.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import ssl
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from common import free_port, raise_nofile, wait_for_banner
from idle_client import open_session

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
USER, PASSWORD = "bench", "bench-pass-1"
VSFTPD_LOGIN = ("anonymous", "bench@")  # anonymous with write: no system user or PAM setup needed


class Unavailable(Exception):
    """This server cannot be benchmarked here (message says why)."""


@dataclass
class Running:
    name: str
    port: int
    proc: subprocess.Popen
    user: str
    password: str
    log: Path
    extra_pids: list[int] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            # Own process group: vsftpd's per-session children go with it.
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """ECDSA P-256 self-signed certificate for 127.0.0.1 (the perf-notes baseline),
    made by iisftp's own certificate store so every server gets the same kind."""
    from iisftp.certs import CertStore

    store = CertStore(folder / "certs")
    cert = store.create_self_signed("benchmark", dns_names=("127.0.0.1", "localhost"), days=30)
    files = store.tls_files(cert.store_name, cert.thumbprint)
    assert files is not None
    return files


def launch(
    name: str, argv: list[str], port: int, log: Path, login: tuple[str, str], **kw: object
) -> subprocess.Popen:
    """Start a server in its own process group; return once a TLS login works on `port`."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=raise_nofile,
            **kw,  # type: ignore[arg-type]
        )
    try:
        wait_for_banner(port, proc=proc)
        # A banner alone is not enough: vsftpd's seccomp sandbox only kills the session at AUTH TLS.
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
        try:
            open_session(port, *login, ctx).close()
        except (OSError, ConnectionError) as exc:
            raise RuntimeError(f"TLS login failed: {exc}") from exc
    except RuntimeError as exc:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        tail = log.read_text(errors="replace")[-600:].strip()
        raise Unavailable(f"{name} did not start: {exc}; log: {tail or '(empty)'}") from exc
    return proc


def start_pyftpdlib(root: Path, cert: Path, key: Path, work: Path) -> Running:
    try:
        import pyftpdlib  # noqa: F401
    except ImportError as exc:
        raise Unavailable("pyftpdlib is not installed (pip install pyftpdlib pyopenssl)") from exc
    port = free_port()
    log = work / "pyftpdlib.log"
    argv = [sys.executable, str(HERE / "pyftpd_server.py"), "--port", str(port)]
    argv += ["--root", str(root), "--cert", str(cert), "--key", str(key)]
    argv += ["--user", USER, "--password", PASSWORD]
    proc = launch("pyftpdlib", argv, port, log, (USER, PASSWORD))
    return Running("pyftpdlib", port, proc, USER, PASSWORD, log)


VSFTPD_CONF = """\
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port={port}
background=NO
anonymous_enable=YES
local_enable=NO
anon_root={root}
no_anon_password=YES
write_enable=YES
anon_upload_enable=YES
anon_mkdir_write_enable=YES
anon_other_write_enable=YES
anon_umask=022
allow_writeable_chroot=YES
secure_chroot_dir={empty}
max_clients=0
max_per_ip=0
idle_session_timeout=600
data_connection_timeout=600
xferlog_enable=NO
vsftpd_log_file={work}/vsftpd.xfer.log
ssl_enable=YES
allow_anon_ssl=YES
force_anon_logins_ssl=NO
force_anon_data_ssl=NO
require_ssl_reuse=YES
ssl_ciphers=HIGH
rsa_cert_file={cert}
rsa_private_key_file={key}
seccomp_sandbox={seccomp}
"""


def start_vsftpd(root: Path, cert: Path, key: Path, work: Path) -> Running:
    binary = shutil.which("vsftpd") or (
        "/usr/sbin/vsftpd" if Path("/usr/sbin/vsftpd").exists() else None
    )
    if binary is None:
        raise Unavailable("vsftpd is not installed (apt-get install -y vsftpd)")
    if os.geteuid() != 0:
        raise Unavailable("vsftpd needs root to run with anonymous write in the foreground")
    try:
        ftp_user = pwd.getpwnam("ftp")
    except KeyError as exc:
        raise Unavailable("no 'ftp' system user for vsftpd's anonymous sessions") from exc
    # vsftpd refuses a writable anonymous root; uploads go to a subfolder owned by 'ftp'.
    os.chown(root, 0, 0)
    root.chmod(0o755)
    os.chown(root / "upload", ftp_user.pw_uid, ftp_user.pw_gid)
    empty = work / "vsftpd-empty"
    empty.mkdir(exist_ok=True)
    empty.chmod(0o755)
    reasons = []
    for seccomp in ("YES", "NO"):  # the seccomp sandbox fails on some kernels/containers
        port = free_port()
        conf = work / f"vsftpd-{seccomp}.conf"
        conf.write_text(
            VSFTPD_CONF.format(
                port=port, root=root, empty=empty, work=work, cert=cert, key=key, seccomp=seccomp
            )
        )
        conf.chmod(0o600)  # vsftpd insists the config belongs to root and is not world-writable
        try:
            proc = launch("vsftpd", [binary, str(conf)], port, work / "vsftpd.log", VSFTPD_LOGIN)
        except Unavailable as exc:
            reasons.append(f"seccomp_sandbox={seccomp}: {exc}")
            continue
        return Running("vsftpd", port, proc, *VSFTPD_LOGIN, work / "vsftpd.log")
    raise Unavailable("; ".join(reasons))
