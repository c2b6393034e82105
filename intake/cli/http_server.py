"""The API's HTTP server: uvicorn worker processes sharing one listening socket made here.

Why not `uvicorn --workers N`: uvicorn makes its shared socket with `socket.socket(family)`, whose
protocol number is 0, and asyncio turns on TCP_NODELAY only for sockets that say IPPROTO_TCP. Every
connection accepted from it then has Nagle's algorithm on: a response written as headers and body
waits for the client's delayed ACK, about 40 ms on every keep-alive request after the first (a
browser, an API client). This socket says IPPROTO_TCP, so accepted connections get TCP_NODELAY.

    python -m intake.cli.http_server --host 127.0.0.1 --port 8000 --workers 2
"""

from __future__ import annotations

import argparse
import socket
import sys

import uvicorn
from uvicorn.supervisors import Multiprocess

APP = "intake.app:app"


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket, inheritable by worker processes, marked IPPROTO_TCP."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def main(argv: list[str] | None = None) -> int:
    """Serve the API with `--workers` processes."""
    parser = argparse.ArgumentParser(prog="python -m intake.cli.http_server", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)
    # A busy worker answers its health check late; restarting it would drop requests.
    config = uvicorn.Config(APP, host=args.host, port=args.port, workers=args.workers,
                            access_log=False, log_level=args.log_level,
                            timeout_worker_healthcheck=60)
    sock = listening_socket(args.host, args.port)
    if args.workers > 1:
        Multiprocess(config, sockets=[sock]).run()
    else:
        uvicorn.Server(config).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
