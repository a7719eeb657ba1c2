"""Launch pyftpdlib's TLS_FTPHandler for the benchmarks (explicit FTPS, TLS optional).

Run as a separate process so its RSS can be measured on its own:
    python3 benchmarks/pyftpd_server.py --port P --root DIR --cert C --key K --user U --password W
"""

from __future__ import annotations

import argparse
import logging
import resource


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--root", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--user", default="bench")
    parser.add_argument("--password", default="bench")
    args = parser.parse_args(argv)

    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import TLS_FTPHandler
    from pyftpdlib.servers import FTPServer

    # Per-command INFO logging would be a large, unfair cost in the small-file runs.
    logging.basicConfig(level=logging.WARNING)
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    authorizer = DummyAuthorizer()
    authorizer.add_user(args.user, args.password, args.root, perm="elradfmwMT")
    handler = TLS_FTPHandler
    handler.certfile = args.cert
    handler.keyfile = args.key
    handler.authorizer = authorizer
    # Same policy as the other servers (SslAllow/SslAllow): the client chooses plain or TLS.
    handler.tls_control_required = False
    handler.tls_data_required = False
    server = FTPServer(("127.0.0.1", args.port), handler)
    server.max_cons = 0  # unlimited: the idle-session figure opens 1,000 sessions
    server.max_cons_per_ip = 0
    server.serve_forever(handle_exit=True)


if __name__ == "__main__":
    main()
