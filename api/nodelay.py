"""TCP_NODELAY on every connection the app serves (HTTP, the websocket, SSE).

Why: Streamlit 1.67 binds its listening socket itself (`socket.socket(family=...)`, protocol 0),
and asyncio switches Nagle's algorithm off only for sockets whose protocol is `IPPROTO_TCP`; so the
connections it accepts keep Nagle on. Uvicorn writes a response's headers and its body separately:
the body then waits for the browser's (delayed) acknowledgement of the headers, 40 ms on Linux. On
a keep-alive connection *every* response paid it — 44 ms for a 124-byte script, against 1-4 ms with
this middleware — and a first visit fetches ~60 scripts over 6 connections before the websocket can
even open (benchmarks: the empty page connected ~250 ms sooner). Small websocket and SSE messages
written back to back are held the same way.

The socket is reached through the ASGI server's connection object (`receive.__self__.transport`,
as uvicorn's HTTP and websocket protocols have it); with another server, or if that changes, this
middleware does nothing. It adds no header and reads no body.
"""

from __future__ import annotations

import socket
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["NoDelay", "set_nodelay"]


def set_nodelay(receive: Receive) -> bool:
    """Switch Nagle off on the TCP connection behind `receive`; False when none is reachable."""
    transport: Any = getattr(getattr(receive, "__self__", None), "transport", None)
    sock = transport.get_extra_info("socket") if transport is not None else None
    if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return False  # a Unix socket, a test client, another server
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:  # the connection is already gone
        return False
    return True


class NoDelay:
    """A plain ASGI middleware: sets the socket option, then passes the scope on untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            set_nodelay(receive)
        await self.app(scope, receive, send)
