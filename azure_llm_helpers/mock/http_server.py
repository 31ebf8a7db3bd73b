"""The listening side of the mock's HTTP/1.1 server, on asyncio alone.

What uvicorn's ``Server`` did for the mock, without importing uvicorn (its command line,
configuration and supervisors were a sixth of the mock's start-up): serve the mock's
protocol (``http_protocol.py``) on an already bound socket, keep the ``date`` and ``server``
headers every response carries, and shut down gracefully as uvicorn does: stop listening,
close idle connections, let busy ones finish their response (at most ``GRACE`` seconds),
then cancel what is left.  The bytes on the wire are uvicorn's (``tests/test_mock_http.py``
compares them with uvicorn's own protocol).  Signals are the caller's: the server runs on
a background thread, where uvicorn installed no handlers either.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from typing import Any

# The names uvicorn used, so a user's logging filters and the protocol's messages agree.
log = logging.getLogger("uvicorn.error")

KEEP_ALIVE_TIMEOUT = 5.0  # seconds an idle connection stays open (uvicorn's default)
GRACE = 2.0  # seconds busy connections get to finish once shutdown starts
BACKLOG = 2048  # uvicorn's listen() backlog
SERVER_HEADER = (b"server", b"uvicorn")  # what the mock has always sent
_DAYS = (b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun")
_MONTHS = (b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct",
           b"Nov", b"Dec")


def http_date(now: float) -> bytes:
    """``now`` as an HTTP date (RFC 9110's IMF-fixdate, English names whatever the locale):
    what ``email.utils.formatdate(now, usegmt=True)`` writes, without importing email."""
    t = time.gmtime(now)
    return b"%s, %02d %s %04d %02d:%02d:%02d GMT" % (
        _DAYS[t.tm_wday], t.tm_mday, _MONTHS[t.tm_mon - 1], t.tm_year, t.tm_hour, t.tm_min,
        t.tm_sec)


class ServerState:
    """What every connection shares with the server (the attributes uvicorn's has)."""

    def __init__(self) -> None:
        self.total_requests = 0
        self.connections: set[Any] = set()
        self.tasks: set[asyncio.Task] = set()
        self.default_headers: list[tuple[bytes, bytes]] = []


class ProtocolConfig:
    """The part of uvicorn's ``Config`` the protocol reads."""

    loaded = True

    def __init__(self, app: Any) -> None:
        self.loaded_app = app
        self.timeout_keep_alive = KEEP_ALIVE_TIMEOUT

    def load(self) -> None:
        pass


class HttpServer:
    """``run(sockets)`` serves until ``should_exit`` is set (from any thread)."""

    def __init__(self, app: Any, protocol: type) -> None:
        self.config = ProtocolConfig(app)
        self.protocol = protocol
        self.state = ServerState()
        self.started = False
        self._should_exit = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._exit: asyncio.Event | None = None
        self._date_timer: asyncio.TimerHandle | None = None

    @property
    def should_exit(self) -> bool:
        return self._should_exit

    @should_exit.setter
    def should_exit(self, value: bool) -> None:
        self._should_exit = value
        loop, event = self._loop, self._exit
        if value and loop is not None and event is not None:
            with contextlib.suppress(RuntimeError):  # a closed loop: nothing left to stop
                loop.call_soon_threadsafe(event.set)

    def run(self, sockets: list[socket.socket]) -> None:
        asyncio.run(self.serve(sockets))

    async def serve(self, sockets: list[socket.socket]) -> None:
        loop = asyncio.get_running_loop()
        self._exit = asyncio.Event()
        self._loop = loop
        self._refresh_date()

        def connection() -> asyncio.Protocol:
            return self.protocol(config=self.config, server_state=self.state, app_state={},
                                 _loop=loop)

        servers = [await loop.create_server(connection, sock=sock, backlog=BACKLOG)
                   for sock in sockets]
        self.started = True
        try:
            if not self._should_exit:
                await self._exit.wait()
            await self._shutdown(servers)
        finally:
            if self._date_timer is not None:
                self._date_timer.cancel()

    def _refresh_date(self) -> None:
        """The date header, renewed just after each second begins (uvicorn renewed it
        every second or so, on a timer that woke ten times a second)."""
        now = time.time()
        self.state.default_headers = [(b"date", http_date(now)), SERVER_HEADER]
        loop = self._loop
        assert loop is not None
        self._date_timer = loop.call_later(1.001 - now % 1, self._refresh_date)

    async def _shutdown(self, servers: list[asyncio.AbstractServer]) -> None:
        for server in servers:
            server.close()
        for connection in list(self.state.connections):
            connection.shutdown()
        try:
            await asyncio.wait_for(self._drained(servers), GRACE)
        except TimeoutError:
            tasks = self.state.tasks
            log.error("Cancel %s running task(s), timeout graceful shutdown exceeded",
                      len(tasks))
            for task in list(tasks):
                task.cancel(msg="Task cancelled, timeout graceful shutdown exceeded")

    async def _drained(self, servers: list[asyncio.AbstractServer]) -> None:
        """Every connection closed and every request task done (polled, as uvicorn did)."""
        while self.state.connections or self.state.tasks:
            await asyncio.sleep(0.01)
        for server in servers:
            await server.wait_closed()
