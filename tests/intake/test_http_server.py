"""Connections accepted by the API's listening socket send small writes at once (TCP_NODELAY)."""

from __future__ import annotations

import asyncio
import socket

from intake.cli.http_server import listening_socket


def _nodelay_of_accepted(sock: socket.socket) -> int:
    """TCP_NODELAY of a connection asyncio accepts on `sock` (as uvicorn's workers do)."""
    async def run() -> int:
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            conn = writer.get_extra_info("socket")
            seen.set_result(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(handle, sock=sock)
        port = sock.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        value = await asyncio.wait_for(seen, 5)
        writer.close()
        server.close()
        await server.wait_closed()
        return value

    return asyncio.run(run())


def test_accepted_connections_have_nodelay() -> None:
    assert _nodelay_of_accepted(listening_socket("127.0.0.1", 0)) != 0


def test_a_socket_without_its_protocol_number_would_not() -> None:
    # What `uvicorn --workers` makes: the reason intake.cli.http_server exists.
    plain = socket.socket(socket.AF_INET)
    plain.bind(("127.0.0.1", 0))
    assert _nodelay_of_accepted(plain) == 0
