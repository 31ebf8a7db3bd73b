"""One HTTP/1.1 request and its response, as the ASGI app sees them (http_protocol.py).

The response head waits for the first body bytes, or for the app to wait, so most answers
go out in one write; framing, checks and failures are uvicorn's.
"""

from __future__ import annotations

import asyncio
import http
import logging
import re
from collections.abc import Coroutine, Generator
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from ._asgi import ASGIApp, Message

if TYPE_CHECKING:
    from .http_protocol import MockHttpProtocol

HIGH_WATER = 65536  # request body bytes buffered before reading pauses (as uvicorn)
_BAD_NAME = re.compile(b'[\x00-\x1f\x7f()<>@,;:\\[\\]={} \t\\\\"]')
# The bytes a header value may hold (uvicorn refuses [\x00-\x08\x0a-\x1f\x7f]): deleting
# them with bytes.translate is a C loop, where a regex character class costs ten times more.
_VALUE_OK = bytes(c for c in range(256) if c == 9 or (c >= 0x20 and c != 0x7f))
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_DISCONNECT: Message = {"type": "http.disconnect"}
_FRAMING = frozenset((b"content-length", b"transfer-encoding", b"connection"))
_NAME = itemgetter(0)


class _Names(NamedTuple):
    """What a sequence of response header names needs, found once per sequence: an app
    sends the same few sequences over and over (only the values change)."""

    lower: bool  # some name has upper-case letters
    framing: tuple[int, ...]  # where Content-Length, Transfer-Encoding, Connection are


_SEEN_NAMES: dict[tuple[bytes, ...], _Names] = {}
_MAX_SEEN_NAMES = 256


def _names(names: tuple[bytes, ...]) -> _Names:
    """The facts about a sequence of names, checked the first time it is seen."""
    found = _SEEN_NAMES.get(names)
    if found is None:
        if any(_BAD_NAME.search(name) for name in names):
            raise RuntimeError("Invalid HTTP header name.")
        lowered = [name.lower() for name in names]
        found = _Names(lowered != list(names),
                       tuple(i for i, name in enumerate(lowered) if name in _FRAMING))
        if len(_SEEN_NAMES) < _MAX_SEEN_NAMES:
            _SEEN_NAMES[names] = found
    return found

log = logging.getLogger("uvicorn.error")


def _status_line(status: int) -> bytes:
    try:
        phrase = http.HTTPStatus(status).phrase.encode()
    except ValueError:
        phrase = b""
    return b"HTTP/1.1 %d %s\r\n" % (status, phrase)


STATUS = {status: _status_line(status) for status in range(100, 600)}


class Exchange:
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
        # (Rest and _start_ready flush it then), so most answers take one write.
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
        names = _names(tuple(map(_NAME, headers)))
        if names.lower:
            headers = [(name.lower(), value) for name, value in headers]
        block = b"\r\n".join(map(b": ".join, headers))
        # Valid names leave nothing behind, so what is left is the separators' CR LF pairs
        # and any byte a value may not hold.
        if headers and len(block.translate(None, _VALUE_OK)) != 2 * len(headers) - 2:
            raise RuntimeError("Invalid HTTP header value.")
        length = transfer = close = False
        for name, value in map(headers.__getitem__, names.framing):  # in uvicorn's order
            if name == b"content-length" and not (length or transfer):
                self.remaining, length = int(value.decode()), True
            elif name == b"transfer-encoding" and value.lower() == b"chunked":
                self.remaining, transfer = 0, True
            elif name == b"connection" and b"close" in [
                    token.lower().strip() for token in value.split(b",")]:
                self.keep_alive, close = False, True
        lines = [STATUS[status], block, b"\r\n"] if headers else [STATUS[status]]
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


FRESH = object()  # Rest.first for a coroutine that has not run yet


class Rest:
    """Awaitable: the rest of a coroutine that ran inline until it yielded ``first``
    (``FRESH``: all of it).  Whenever the coroutine waits, a held response head goes out.
    """

    __slots__ = ("coro", "first", "exchange")

    def __init__(self, coro: Coroutine, first: Any, exchange: Exchange) -> None:
        self.coro, self.first, self.exchange = coro, first, exchange

    def __await__(self) -> Generator[Any, Any, None]:
        coro, value = self.coro, self.first
        try:
            if value is FRESH:
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


async def finish(rest: Rest) -> None:
    await rest
