"""The mock's own HTTP/1.1 protocol (mock/http_protocol.py).

First the mock itself, served once by uvicorn's httptools protocol and once by the mock's,
must put the same bytes on the wire for the same requests (only the date and the random
request ids differ); then the protocol's HTTP behaviour on small ASGI apps: keep-alive and
its timeout, pipelining, chunked and 100-continue request bodies, disconnects, failures.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn

from azure_llm_helpers._constants import LATEST_GA_API_VERSION
from azure_llm_helpers.mock import MockServer
from azure_llm_helpers.mock.config import load_config
from azure_llm_helpers.mock.http_protocol import MockHttpProtocol

V = f"api-version={LATEST_GA_API_VERSION}"
CHAT = f"/openai/deployments/gpt-4o-mini-chat/chat/completions?{V}"
MESSAGES = [{"role": "user", "content": "Say hello to the class."}]


def _request(key: str, path: str, body: object = None, method: str = "POST",
             extra: str = "", version: str = "1.1") -> bytes:
    data = b"" if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
    length = f"Content-Length: {len(data)}\r\n" if body is not None else ""
    return (f"{method} {path} HTTP/{version}\r\nHost: 127.0.0.1\r\napi-key: {key}\r\n"
            f"Content-Type: application/json\r\n{length}{extra}\r\n").encode() + data


def _exchange(port: int, *parts: bytes, pause: float = 0.0) -> bytes:
    """Send the parts (pausing between them), then read until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        for part in parts:
            sock.sendall(part)
            time.sleep(pause)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _cases(key: str) -> list[tuple[bytes, ...]]:
    close = "Connection: close\r\n"
    chat = {"messages": MESSAGES, "max_tokens": 20}
    chunked_body = json.dumps(chat).encode()
    chunked = (f"POST {CHAT} HTTP/1.1\r\nHost: x\r\napi-key: {key}\r\nTransfer-Encoding: chunked"
               f"\r\n{close}\r\n").encode() + b"".join(
        b"%x\r\n%b\r\n" % (len(piece), piece) for piece in
        (chunked_body[:10], chunked_body[10:])) + b"0\r\n\r\n"
    return [
        (_request(key, CHAT, chat, extra=close),),
        (_request(key, CHAT, {**chat, "stream": True}, extra=close),),
        (_request(key, "/openai/deployments/gpt-35-turbo-instruct-0914/completions?" + V,
                  {"prompt": "Say hello", "max_tokens": 20}, extra=close),),
        (_request(key, "/openai/v1/chat/completions", {**chat, "model": "gpt-4o-mini-chat"},
                  extra=close),),
        (_request(key, "/openai/v1/responses", {"model": "gpt-5.2", "input": "Hi",
                                                "stream": True}, extra=close),),
        (_request(key, "/openai/models?" + V, method="GET", extra=close),),
        (_request(key, "/openai/models?" + V, method="HEAD", extra=close),),
        (_request(key, CHAT, b'{"messages": [', extra=close),),
        (_request("0" * 32, CHAT, chat, extra=close),),
        (_request(key, "/nowhere", method="GET", extra=close),),
        (_request(key, "/metadata/identity/oauth2/token?resource=x", method="GET", extra=close),),
        # Too large: 413 while the body still comes; the rest is read and dropped.
        (_request(key, CHAT, b"x" * (9 * 1024 * 1024))
         + _request(key, "/openai/models?" + V, method="GET", extra=close),),
        (_request(key, CHAT, chat, version="1.0"),),
        (chunked,),
        # Headers first, then the body once the server has said 100 Continue.
        (_request(key, CHAT, chat, extra="Expect: 100-continue\r\n" + close).split(b"\r\n\r\n")[0]
         + b"\r\n\r\n", json.dumps(chat).encode()),
        # Pipelined: three requests in one write, the last closing the connection.
        (_request(key, CHAT, chat) + _request(key, "/openai/models?" + V, method="GET")
         + _request(key, CHAT, {**chat, "stream": True}, extra=close),),
        (b"\x00\x01\x02 nonsense\r\n\r\n",),
        (b"GET / HTTP/9.9\r\n\r\n",),
    ]


def _masked(raw: bytes) -> bytes:
    raw = re.sub(rb"date: [^\r]*", b"date: -", raw)
    raw = re.sub(rb"(request-id: )[0-9a-f-]{36}", rb"\1-", raw)
    return re.sub(rb'"(created|created_at)":\s?\d+', rb'"\1":0', raw)


def test_the_mock_sends_the_bytes_uvicorns_protocol_sends():
    config = load_config(None)
    replies = {}
    for http in ("httptools", MockHttpProtocol):
        with MockServer(config, http=http) as server:
            replies[http] = [_masked(_exchange(server.port, *case, pause=0.05))
                             for case in _cases(config.api_key)]
    reference, ours = replies.values()
    for sent, theirs, mine in zip(_cases(config.api_key), reference, ours, strict=True):
        assert mine == theirs, sent[0][:80]
    assert sum(r.count(b"HTTP/1.1 200 OK") for r in ours) >= 12  # answered, not refused


# -- the protocol on small apps ------------------------------------------------------------

@contextmanager
def serve(app, http: str | type = MockHttpProtocol, **config) -> Iterator[int]:
    """``app`` served by uvicorn with the mock's protocol (or ``http``) on a free port, in a
    thread."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, http=http, lifespan="off",
                                           log_config=None, **config))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(5)
        sock.close()


def echo_app(seen: list | None = None, inline: bool = False, delay: float = 0.0):
    """Answers with the request body it received, and how many receive() calls it took."""

    async def app(scope, receive, send):
        parts = []
        while True:
            message = await receive()
            parts.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        if delay:
            await asyncio.sleep(delay)
        body = b"".join(parts)
        if seen is not None:
            seen.append((scope["path"], len(parts), asyncio.current_task() is not None))
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    app.runs_inline = lambda scope: inline
    return app


@pytest.mark.parametrize("inline", [False, True])
def test_keep_alive_pipelining_and_order(inline):
    seen = []
    requests = [f"POST /{i} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{i:02d}".encode()
                for i in range(5)]
    requests[-1] = requests[-1].replace(b"Host: x", b"Host: x\r\nConnection: close")
    with serve(echo_app(seen, inline, delay=0.01)) as port:
        reply = _exchange(port, b"".join(requests))
    assert re.findall(rb"\r\n\r\n(\d\d)", reply) == [b"00", b"01", b"02", b"03", b"04"]
    assert [path for path, _, _ in seen] == ["/0", "/1", "/2", "/3", "/4"]
    assert reply.count(b"connection: close") == 1


def test_an_inline_app_finishes_in_a_task_once_it_waits():
    seen = []
    with serve(echo_app(seen, inline=True, delay=0.01)) as port:
        _exchange(port, b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
                        b"Connection: close\r\n\r\nz")
    assert seen == [("/a", 1, True)]


def test_a_chunked_body_sent_slowly_reaches_the_app_whole():
    seen = []
    body = b"x" * 200_000
    chunks = [b"%x\r\n%b\r\n" % (len(body[i:i + 50_000]), body[i:i + 50_000])
              for i in range(0, len(body), 50_000)]
    head = (b"POST /big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            b"Connection: close\r\n\r\n")
    with serve(echo_app(seen)) as port:
        reply = _exchange(port, head, *chunks, b"0\r\n\r\n", pause=0.02)
    assert reply.endswith(b"\r\n\r\n" + body)
    assert seen[0][1] > 1  # more than one receive(): the app read it as it came


def test_expect_100_continue_is_answered_before_the_body():
    with serve(echo_app()) as port, socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                     b"Expect: 100-continue\r\nConnection: close\r\n\r\n")
        assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(b"abc")
        reply = b""
        while chunk := sock.recv(1000):
            reply += chunk
        assert reply.endswith(b"\r\n\r\nabc")


def test_the_app_sees_a_client_that_leaves():
    events = []

    async def app(scope, receive, send):
        await receive()
        events.append((await receive())["type"])  # waits until the client goes

    with serve(app) as port:
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            time.sleep(0.1)
        deadline = time.monotonic() + 5
        while not events and time.monotonic() < deadline:
            time.sleep(0.01)
    assert events == ["http.disconnect"]


def test_a_stream_goes_out_chunked_and_a_client_may_leave_midway():
    async def app(scope, receive, send):
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for _ in range(200):
            await send({"type": "http.response.body", "body": b"data: x\n\n", "more_body": True})
            await asyncio.sleep(0.005)
        await send({"type": "http.response.body", "body": b""})

    with serve(app) as port:
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            first = sock.recv(1000)
        assert b"transfer-encoding: chunked" in first and b"9\r\ndata: x\n\n\r\n" in first
        time.sleep(0.1)  # the server goes on writing to a closed connection, quietly
        reply = _exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert reply.endswith(b"0\r\n\r\n") and reply.count(b"data: x") == 200


@pytest.mark.parametrize(("app_body", "expected"), [
    ("raise", b"HTTP/1.1 500 Internal Server Error"),
    ("silent", b"HTTP/1.1 500 Internal Server Error"),
])
def test_an_app_that_fails_before_answering_gets_a_500(app_body, expected):
    async def app(scope, receive, send):
        if app_body == "raise":
            raise ValueError("boom")

    app.runs_inline = lambda scope: True
    with serve(app) as port:
        reply = _exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert reply.startswith(expected) and reply.endswith(b"Internal Server Error")


def test_an_idle_connection_closes_after_the_keep_alive_timeout():
    with serve(echo_app(), timeout_keep_alive=0.3) as port, \
            socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        for _ in range(3):  # each answer restarts the idle clock
            sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nz")
            assert sock.recv(1000).endswith(b"\r\n\r\nz")
            time.sleep(0.2)
        started = time.monotonic()
        assert sock.recv(1000) == b""  # closed by the server
    assert 0.05 < time.monotonic() - started < 2


def test_a_malformed_request_gets_400_and_the_connection_closes():
    with serve(echo_app()) as port:
        reply = _exchange(port, b"POST / HTTP/1.1\r\nContent-Length: nope\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"connection: close" in reply and reply.endswith(b"Invalid HTTP request received.")


# Response headers as apps send them, good and bad: each twice, so the second meets the names
# the protocol has already checked once.
_HEADER_CASES = [
    [(b"content-length", b"2"), (b"x-a", b"tab\tand \xe9")],
    [(b"Content-Length", b"2"), (b"X-Upper", b"kept")],
    [(b"content-length", b"2"), (b"content-length", b"5"), (b"connection", b"Keep, Close")],
    [(b"transfer-encoding", b"Chunked")],
    [],
    [(b"content-length", b"2"), (b"bad name", b"x")],
    [(b"content-length", b"2"), (b"x-split", b"a\r\nx-injected: 1")],
    [(b"content-length", b"2"), (b"x-nul", b"a\x00")],
    [(b"x-del", b"\x7f"), (b"content-length", b"2")],
]


def test_response_headers_are_checked_and_framed_as_uvicorn_does():
    async def app(scope, receive, send):
        await receive()
        headers = _HEADER_CASES[int(scope["path"][1:]) // 2]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})

    requests = [f"GET /{i} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
                for i in range(2 * len(_HEADER_CASES))]
    replies = {}
    for http in ("httptools", MockHttpProtocol):
        with serve(app, http=http) as port:
            replies[http] = [_masked(_exchange(port, request)) for request in requests]
    reference, ours = replies.values()
    assert ours == reference
    # A bad name or value fails the app once its response has started: the connection
    # closes with nothing sent.
    assert [reply == b"" for reply in ours] == [False] * 10 + [True] * 8
