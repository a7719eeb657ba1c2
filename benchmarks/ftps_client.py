"""A small FTPS client for the benchmark figures curl cannot time reliably.

curl 7.88 (Debian 12) sometimes idles exactly 1 s in poll() between the EPSV
reply and connecting the data channel (strace shows `poll([wakeup fd], 1, 1000)`
with the data socket not yet created), against every server. That is noise
for one 1 GiB transfer (timed from curl's own pretransfer mark) but swamps
per-file and many-client figures, so those use this client: ftplib with the
data channel resuming the control TLS session (as curl does, and as vsftpd
requires), 1 MiB `recv_into` reads, passive mode.

    python3 benchmarks/ftps_client.py small PORT USER PASSWORD COUNT  # files/s, one connection
    python3 benchmarks/ftps_client.py retr PORT USER PASSWORD PATH  # RETR once stdin has a line
"""

from __future__ import annotations

import ftplib
import socket
import ssl
import sys
import time

BUF = 1024 * 1024


class SessionReuseFTP(ftplib.FTP_TLS):
    """FTP_TLS whose data connections resume the control connection's TLS session."""

    def ntransfercmd(
        self, cmd: str, rest: int | str | None = None
    ) -> tuple[socket.socket, int | None]:
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:  # type: ignore[attr-defined]
            conn = self.context.wrap_socket(
                conn,
                server_hostname=self.host,
                session=self.sock.session,  # type: ignore[union-attr]
            )
        return conn, size


def connect(port: int, user: str, password: str) -> SessionReuseFTP:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ftp = SessionReuseFTP(context=ctx, timeout=120)
    ftp.connect("127.0.0.1", port)
    ftp.auth()
    ftp.login(user, password)
    ftp.prot_p()
    ftp.voidcmd("TYPE I")
    return ftp


def retr(ftp: SessionReuseFTP, path: str, buf: memoryview) -> int:
    """Download `path`, discarding the bytes; returns the byte count."""
    conn, _ = ftp.ntransfercmd(f"RETR {path}")
    total = 0
    with conn:
        while True:
            n = conn.recv_into(buf)
            if not n:
                break
            total += n
        if isinstance(conn, ssl.SSLSocket):
            try:
                conn.unwrap()  # close_notify back, like curl
            except (OSError, ssl.SSLError):
                pass
    ftp.voidresp()
    return total


def main(argv: list[str]) -> int:
    mode, port, user, password, arg = argv[0], int(argv[1]), argv[2], argv[3], argv[4]
    buf = memoryview(bytearray(BUF))
    ftp = connect(port, user, password)
    if mode == "small":
        count = int(arg)
        names = [f"small/f{i:04d}.bin" for i in range(count)]
        start = time.perf_counter()
        total = sum(retr(ftp, name, buf) for name in names)
        print(f"{count} {total} {time.perf_counter() - start:.6f}", flush=True)
    elif mode == "retr":
        print("READY", flush=True)
        sys.stdin.readline()  # the harness releases all clients at once
        start = time.perf_counter()
        total = retr(ftp, arg, buf)
        print(f"{total} {time.perf_counter() - start:.6f}", flush=True)
    else:
        print(f"unknown mode {mode!r}", file=sys.stderr)
        return 2
    try:
        ftp.quit()
    except (OSError, ftplib.Error):
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
