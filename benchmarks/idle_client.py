"""Open N logged-in FTPS control sessions (AUTH TLS, USER, PASS) and hold them idle.

Prints `READY <n> <seconds>` once all are open, then keeps them until stdin closes.
Run as its own process so its sockets and memory stay out of the harness:
    python3 benchmarks/idle_client.py PORT USER PASSWORD COUNT
"""

from __future__ import annotations

import socket
import ssl
import sys
import time

from common import raise_nofile


def _reply(sock: socket.socket | ssl.SSLSocket, buf: bytearray) -> bytes:
    """Read one (possibly multi-line) FTP reply; return its final line."""
    while True:
        while b"\r\n" not in buf:
            chunk = sock.recv(4096)
            if not chunk:
                raise ConnectionError("server closed the control connection")
            buf += chunk
        line, _, rest = bytes(buf).partition(b"\r\n")
        buf[:] = rest
        if len(line) >= 4 and line[:3].isdigit() and line[3:4] == b" ":
            return line


def open_session(port: int, user: str, password: str, ctx: ssl.SSLContext) -> ssl.SSLSocket:
    raw = socket.create_connection(("127.0.0.1", port), timeout=30)
    buf = bytearray()
    _expect(_reply(raw, buf), b"220")
    raw.sendall(b"AUTH TLS\r\n")
    _expect(_reply(raw, buf), b"234")
    tls = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
    tls.sendall(f"USER {user}\r\n".encode())
    line = _reply(tls, buf)
    if line.startswith(b"331"):
        tls.sendall(f"PASS {password}\r\n".encode())
        line = _reply(tls, buf)
    _expect(line, b"230")
    return tls


def _expect(line: bytes, code: bytes) -> None:
    if not line.startswith(code):
        raise ConnectionError(f"expected {code.decode()}, got {line[:120]!r}")


def main(argv: list[str]) -> int:
    port, user, password, count = int(argv[0]), argv[1], argv[2], int(argv[3])
    raise_nofile()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    sessions = []
    start = time.perf_counter()
    for i in range(count):
        try:
            sessions.append(open_session(port, user, password, ctx))
        except (OSError, ConnectionError) as exc:
            print(f"FAILED {i} {exc}", flush=True)
            return 1
    print(f"READY {len(sessions)} {time.perf_counter() - start:.4f}", flush=True)
    sys.stdin.read()  # hold the sessions until the harness closes our stdin
    for sock in sessions:
        try:
            sock.close()
        except OSError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
