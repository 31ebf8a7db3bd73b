"""The mock's HTTP/1.1 server protocol: httptools parsing, one event-loop turn per request.

``http_server.py`` owns the socket, start-up and shutdown; this class replaces uvicorn's
httptools protocol (which costs a task, a keep-alive timer and several loop turns per
request) and runs under uvicorn's server too (``uvicorn.Config(http=...)``).  Here a
request whose body has arrived runs as soon as the data that completes it is parsed; an
app that says so (``runs_inline(scope)``) runs inline until it first waits, and finishes
in a task only if it does.  The response head goes out with the first body bytes, in one
write.  Everything else is uvicorn's behaviour: keep-alive and its timeout, pipelining
(one request at a time, in order), Content-Length and chunked request bodies,
``Expect: 100-continue``, write flow control, client disconnects, 400 for malformed
requests, 500 for an app that fails before answering.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import httptools

from ._asgi import ASGIApp
from .http_exchange import FRESH, HIGH_WATER, STATUS, Exchange, Rest, finish, log


class MockHttpProtocol(asyncio.Protocol):
    """One HTTP/1.1 connection, built as uvicorn's server builds its own protocols."""

    def __init__(self, config: Any, server_state: Any, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        if not config.loaded:
            config.load()
        self.app: ASGIApp = config.loaded_app
        inline = getattr(self.app, "runs_inline", None)
        self.runs_inline: Callable[[dict], bool] = inline or (lambda scope: False)
        self.loop = _loop or asyncio.get_event_loop()
        self.server_state = server_state
        self.app_state = app_state
        self.keep_alive_timeout: float = config.timeout_keep_alive
        self.parser = httptools.HttpRequestParser(self)
        # Answer the first of pipelined requests sent after "Connection: close" (as uvicorn).
        self.parser.set_dangerous_leniencies(lenient_data_after_close=True)
        self.transport: asyncio.Transport = None  # type: ignore[assignment]
        self.server: tuple | None = None
        self.client: tuple | None = None
        self.write_paused: asyncio.Future | None = None
        self.read_paused = False
        self.parsing: Exchange | None = None  # the request whose bytes are arriving
        self.queue: deque[Exchange] = deque()  # parsed, waiting for their turn
        self.active: Exchange | None = None  # the request being answered
        self.idle_since: float | None = None
        self.keep_alive_timer: asyncio.TimerHandle | None = None
        self._url = b""
        self._headers: list[tuple[bytes, bytes]] = []
        self._expect_continue = False
        self._in_data_received = False

    @property
    def default_headers(self) -> list[tuple[bytes, bytes]]:
        return self.server_state.default_headers  # date and server, kept fresh by the server

    # -- the connection -------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.server_state.connections.add(self)
        self.transport = transport  # type: ignore[assignment]
        self.server = _address(transport.get_extra_info("sockname"))
        self.client = _address(transport.get_extra_info("peername"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.server_state.connections.discard(self)
        self._cancel_keep_alive()
        for exchange in (self.active, *self.queue):
            if exchange is not None and not exchange.response_complete:
                exchange.disconnected = True
                exchange.wake()
        self.queue.clear()
        self.resume_writing()
        if exc is None:
            self.transport.close()

    def eof_received(self) -> None:
        pass  # keep the transport open: a half-closed client may still read its answer

    def shutdown(self) -> None:
        """uvicorn's graceful shutdown: close when idle, else after this response."""
        if self.active is None or self.active.response_complete:
            self.transport.close()
        else:
            self.active.keep_alive = False

    def pause_writing(self) -> None:
        if self.write_paused is None:
            self.write_paused = self.loop.create_future()

    def resume_writing(self) -> None:
        waiter, self.write_paused = self.write_paused, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def pause_reading(self) -> None:
        if not self.read_paused:
            self.read_paused = True
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        if self.read_paused:
            self.read_paused = False
            self.transport.resume_reading()

    # -- bytes in -------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        self.idle_since = None
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            pass  # no upgrades here (uvicorn without websockets): answered as plain HTTP
        except httptools.HttpParserError:
            log.warning("Invalid HTTP request received.")
            self._send_400("Invalid HTTP request received.")
            return
        self._in_data_received = True
        try:
            self._start_ready()
        finally:
            self._in_data_received = False

    def on_message_begin(self) -> None:
        self._url = b""
        self._headers = []
        self._expect_continue = False

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        # Lower-cased as it comes: a second pass over the list costs more than the call.
        name = name.lower()
        self._headers.append((name, value))
        if name == b"expect" and value.lower() == b"100-continue":
            self._expect_continue = True

    def on_headers_complete(self) -> None:
        parser = self.parser
        version = parser.get_http_version()
        url = httptools.parse_url(self._url)
        path = url.path.decode("ascii")
        scope = {
            "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": version, "server": self.server, "client": self.client,
            "scheme": "http", "method": parser.get_method().decode("ascii"),
            "root_path": "", "path": unquote(path) if "%" in path else path,
            "raw_path": url.path, "query_string": url.query or b"", "headers": self._headers,
            "state": self.app_state.copy(),
        }
        keep_alive = version != "1.0" and parser.should_keep_alive()
        self.parsing = Exchange(self, scope, keep_alive, self._expect_continue)
        self.queue.append(self.parsing)
        if len(self.queue) > 1 or self.active is not None:
            self.pause_reading()  # pipelined: one request at a time

    def on_body(self, body: bytes) -> None:
        exchange = self.parsing
        if exchange is None or exchange.response_complete:
            return  # answered already (say 413): the rest of the body is dropped
        exchange.chunks.append(body)
        exchange.size += len(body)
        if exchange.size > HIGH_WATER:
            self.pause_reading()
        exchange.wake()

    def on_message_complete(self) -> None:
        exchange, self.parsing = self.parsing, None
        if exchange is not None:
            exchange.complete = True
            exchange.wake()

    def _send_400(self, message: str) -> None:
        body = message.encode("ascii")
        head = [STATUS[400]]
        for name, value in self.default_headers:
            head += (name, b": ", value, b"\r\n")
        head.append(b"content-type: text/plain; charset=utf-8\r\ncontent-length: %d\r\n"
                    b"connection: close\r\n\r\n" % len(body))
        self.transport.write(b"".join(head) + body)
        self.transport.close()

    # -- running requests -----------------------------------------------------------------

    def _start_ready(self) -> None:
        """Answer the requests that are ready, in order, while none is in progress."""
        while self.active is None and self.queue and self.queue[0].ready:
            exchange = self.active = self.queue.popleft()
            exchange.started = True
            coro = exchange.run(self.app)
            first = FRESH
            if self.runs_inline(exchange.scope):
                try:
                    first = coro.send(None)
                except StopIteration:
                    continue  # answered without waiting: the usual case
                exchange.flush_head()
            task = self.loop.create_task(finish(Rest(coro, first, exchange)))
            self.server_state.tasks.add(task)
            task.add_done_callback(self.server_state.tasks.discard)

    def response_complete(self, exchange: Exchange) -> None:
        """The answer is out: next pipelined request, or wait idle for the next one."""
        self.server_state.total_requests += 1
        if self.active is exchange:
            self.active = None
        if self.transport.is_closing():
            return
        self.resume_reading()
        if self.queue:
            if not self._in_data_received:
                self.loop.call_soon(self._start_ready)
        else:
            self.idle_since = self.loop.time()
            if self.keep_alive_timer is None:
                self.keep_alive_timer = self.loop.call_later(self.keep_alive_timeout,
                                                             self._keep_alive_check)

    def _keep_alive_check(self) -> None:
        """Close a connection idle for the keep-alive timeout (one timer, not one per
        request: it re-arms itself for whatever time is left)."""
        self.keep_alive_timer = None
        if self.idle_since is None or self.active is not None or self.queue:
            return
        left = self.idle_since + self.keep_alive_timeout - self.loop.time()
        if left <= 0:
            if not self.transport.is_closing():
                self.transport.close()
        else:
            self.keep_alive_timer = self.loop.call_later(left, self._keep_alive_check)

    def _cancel_keep_alive(self) -> None:
        if self.keep_alive_timer is not None:
            self.keep_alive_timer.cancel()
            self.keep_alive_timer = None


def _address(info: object) -> tuple[str, int] | None:
    """(host, port) of a TCP socket address, as uvicorn gives it in the scope."""
    if isinstance(info, tuple) and len(info) >= 2:
        return str(info[0]), int(info[1])
    return None
