"""The mock's HTTP/1.1 server protocol: httptools parsing, one event-loop turn per request.

uvicorn still owns the sockets, start-up and shutdown; this class replaces its httptools
protocol (``uvicorn.Config(http=MockHttpProtocol)``), which costs a task, a keep-alive timer
and several loop turns per request.  Here a request whose body has arrived runs as soon as
the data that completes it is parsed; an app that says so (``runs_inline(scope)``) runs
inline until it first waits, and finishes in a task only if it does.  The response head
goes out with the first body bytes, in one write.  Everything else is uvicorn's behaviour:
keep-alive and its timeout, pipelining (one request at a time, in order), Content-Length
and chunked request bodies, ``Expect: 100-continue``, write flow control, client
disconnects, 400 for malformed requests, 500 for an app that fails before answering.
"""

from __future__ import annotations

import asyncio
import http
import logging
import re
from collections import deque
from collections.abc import Callable, Coroutine, Generator
from typing import Any
from urllib.parse import unquote

import httptools

from ._asgi import ASGIApp, Message

HIGH_WATER = 65536  # request body bytes buffered before reading pauses (as uvicorn)
_BAD_NAME = re.compile(b'[\x00-\x1f\x7f()<>@,;:\\[\\]={} \t\\\\"]')
_BAD_VALUE = re.compile(b"[\x00-\x08\x0a-\x1f\x7f]")
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_DISCONNECT: Message = {"type": "http.disconnect"}

log = logging.getLogger("uvicorn.error")


def _status_line(status: int) -> bytes:
    try:
        phrase = http.HTTPStatus(status).phrase.encode()
    except ValueError:
        phrase = b""
    return b"HTTP/1.1 %d %s\r\n" % (status, phrase)


_STATUS = {status: _status_line(status) for status in range(100, 600)}


class _Exchange:
    """One request and its response: the ASGI ``receive`` and ``send`` of one call."""

    __slots__ = ("protocol", "scope", "keep_alive", "expect_continue", "chunks", "size",
                 "complete", "body_received", "waiter", "started", "response_started",
                 "response_complete", "disconnected", "chunked", "remaining", "head")

    def __init__(self, protocol: MockHttpProtocol, scope: dict, keep_alive: bool,
                 expect_continue: bool) -> None:
        self.protocol = protocol
        self.scope = scope
        self.keep_alive = keep_alive
        self.expect_continue = expect_continue
        self.chunks: list[bytes] = []
        self.size = 0  # body bytes buffered, not yet received by the app
        self.complete = False  # the whole request body has been parsed
        self.body_received = False  # ... and handed to the app
        self.waiter: asyncio.Future | None = None
        self.started = False
        self.response_started = self.response_complete = self.disconnected = False
        self.chunked = False
        self.remaining = 0  # Content-Length bytes still to send
        # The response head waits for the first body bytes, or for the app to wait
        # (_Rest and _start_ready flush it then), so most answers take one write.
        self.head: bytes | None = None

    @property
    def ready(self) -> bool:
        """Worth starting: the body is in, or the app must ask for it (100-continue, big)."""
        return self.complete or self.expect_continue or self.size > HIGH_WATER

    def wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    async def receive(self) -> Message:
        protocol = self.protocol
        if self.expect_continue:
            self.expect_continue = False
            if not protocol.transport.is_closing():
                protocol.transport.write(_CONTINUE)
        # After the whole body, receive() waits for the client to leave (as uvicorn's).
        while not (self.chunks or (self.complete and not self.body_received)
                   or self.disconnected or self.response_complete):
            protocol.resume_reading()
            self.waiter = protocol.loop.create_future()
            await self.waiter
            self.waiter = None
        if self.disconnected or self.response_complete:
            return _DISCONNECT
        body = self.chunks[0] if len(self.chunks) == 1 else b"".join(self.chunks)
        self.chunks, self.size = [], 0
        self.body_received = self.complete
        protocol.resume_reading()
        return {"type": "http.request", "body": body, "more_body": not self.complete}

    async def send(self, message: Message) -> None:
        protocol = self.protocol
        if protocol.write_paused is not None and not self.disconnected:
            await protocol.write_paused
        if self.disconnected:
            return
        if not self.response_started:
            if message["type"] != "http.response.start":
                raise RuntimeError(f"Expected ASGI message 'http.response.start', but got "
                                   f"'{message['type']}'.")
            self.response_started = True
            self.expect_continue = False
            self.head = self._head(message["status"], message.get("headers", ()))
            return
        if self.response_complete:
            raise RuntimeError(f"Unexpected ASGI message '{message['type']}' sent, after "
                               f"response already completed.")
        if message["type"] != "http.response.body":
            raise RuntimeError(f"Expected ASGI message 'http.response.body', but got "
                               f"'{message['type']}'.")
        self._body(message.get("body", b""), message.get("more_body", False))

    def _head(self, status: int, headers: Any) -> bytes:
        """The status line and headers, checked and framed as uvicorn frames them."""
        headers = [*self.protocol.default_headers, *headers]
        if _BAD_NAME.search(b"a".join(name for name, _ in headers)):
            raise RuntimeError("Invalid HTTP header name.")
        if _BAD_VALUE.search(b"\t".join(value for _, value in headers)):
            raise RuntimeError("Invalid HTTP header value.")
        lines = [_STATUS[status]]
        length = transfer = close = False
        for name, value in headers:
            name = name.lower()
            if name == b"content-length" and not (length or transfer):
                self.remaining, length = int(value.decode()), True
            elif name == b"transfer-encoding" and value.lower() == b"chunked":
                self.remaining, transfer = 0, True
            elif name == b"connection" and b"close" in [
                    token.lower().strip() for token in value.split(b",")]:
                self.keep_alive, close = False, True
            lines += (name, b": ", value, b"\r\n")
        if not self.keep_alive and not close:
            lines.append(b"connection: close\r\n")
        if not (length or transfer) and self.scope["method"] != "HEAD" and status not in (204,
                                                                                          304):
            transfer = True
            lines.append(b"transfer-encoding: chunked\r\n")
        self.chunked = transfer and not length
        lines.append(b"\r\n")
        return b"".join(lines)

    def flush_head(self) -> None:
        if self.head is not None:
            head, self.head = self.head, None
            self.protocol.transport.write(head)

    def _body(self, body: bytes, more_body: bool) -> None:
        if self.scope["method"] == "HEAD":
            self.remaining, out = 0, b""
        elif self.chunked:
            out = b"%x\r\n%b\r\n" % (len(body), body) if body else b""
            if not more_body:
                out += b"0\r\n\r\n"
        else:
            if len(body) > self.remaining:
                raise RuntimeError("Response content longer than Content-Length")
            self.remaining -= len(body)
            out = body
        if self.head is not None:
            out, self.head = self.head + out, None
        if out:
            self.protocol.transport.write(out)
        if not more_body:
            if self.remaining:
                raise RuntimeError("Response content shorter than Content-Length")
            self.response_complete = True
            self.wake()
            if not self.keep_alive:
                self.protocol.transport.close()
            self.protocol.response_complete(self)

    async def run(self, app: ASGIApp) -> None:
        """The app's call, with uvicorn's answers to an app that fails or says nothing."""
        try:
            result = await app(self.scope, self.receive, self.send)
        except BaseException as exc:
            log.error("Exception in ASGI application\n", exc_info=exc)
            if self.response_started:
                self.flush_head()
                self.protocol.transport.close()
            else:
                await self._send_500()
            return
        if result is not None:
            log.error("ASGI callable should return None, but returned '%s'.", result)
            self.protocol.transport.close()
        elif not self.response_started and not self.disconnected:
            log.error("ASGI callable returned without starting response.")
            await self._send_500()
        elif not self.response_complete and not self.disconnected:
            log.error("ASGI callable returned without completing response.")
            self.flush_head()
            self.protocol.transport.close()

    async def _send_500(self) -> None:
        await self.send({"type": "http.response.start", "status": 500, "headers": [
            (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"21"),
            (b"connection", b"close")]})
        await self.send({"type": "http.response.body", "body": b"Internal Server Error"})


_FRESH = object()  # _Rest.first for a coroutine that has not run yet


class _Rest:
    """Awaitable: the rest of a coroutine that ran inline until it yielded ``first``
    (``_FRESH``: all of it).  Whenever the coroutine waits, a held response head goes out.
    """

    __slots__ = ("coro", "first", "exchange")

    def __init__(self, coro: Coroutine, first: Any, exchange: _Exchange) -> None:
        self.coro, self.first, self.exchange = coro, first, exchange

    def __await__(self) -> Generator[Any, Any, None]:
        coro, value = self.coro, self.first
        try:
            if value is _FRESH:
                value = coro.send(None)
            while True:
                self.exchange.flush_head()
                try:
                    sent = yield value
                except GeneratorExit:
                    coro.close()
                    raise
                except BaseException as exc:  # noqa: BLE001 - cancellation goes on to the app
                    value = coro.throw(exc)
                else:
                    value = coro.send(sent)
        except StopIteration:
            return


async def _finish(rest: _Rest) -> None:
    await rest


class MockHttpProtocol(asyncio.Protocol):
    """One HTTP/1.1 connection, built by uvicorn's server as its own protocols are."""

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
        self.parsing: _Exchange | None = None  # the request whose bytes are arriving
        self.queue: deque[_Exchange] = deque()  # parsed, waiting for their turn
        self.active: _Exchange | None = None  # the request being answered
        self.idle_since: float | None = None
        self.keep_alive_timer: asyncio.TimerHandle | None = None
        self._url = b""
        self._headers: list[tuple[bytes, bytes]] = []
        self._expect_continue = False
        self._in_data_received = False

    @property
    def default_headers(self) -> list[tuple[bytes, bytes]]:
        return self.server_state.default_headers  # date and server, kept fresh by uvicorn

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
        name = name.lower()
        if name == b"expect" and value.lower() == b"100-continue":
            self._expect_continue = True
        self._headers.append((name, value))

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
        self.parsing = _Exchange(self, scope, keep_alive, self._expect_continue)
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
        head = [_STATUS[400]]
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
            first = _FRESH
            if self.runs_inline(exchange.scope):
                try:
                    first = coro.send(None)
                except StopIteration:
                    continue  # answered without waiting: the usual case
                exchange.flush_head()
            task = self.loop.create_task(_finish(_Rest(coro, first, exchange)))
            self.server_state.tasks.add(task)
            task.add_done_callback(self.server_state.tasks.discard)

    def response_complete(self, exchange: _Exchange) -> None:
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
