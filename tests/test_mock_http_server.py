"""The mock's own listening server (mock/http_server.py): uvicorn's date header, graceful
shutdown and grace period, without importing uvicorn.  The bytes of each exchange are
compared with uvicorn's in test_mock_http.py."""

from __future__ import annotations

import asyncio
import logging
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate, parsedate_to_datetime

import pytest

from azure_llm_helpers.mock.http_protocol import MockHttpProtocol
from azure_llm_helpers.mock.http_server import GRACE, HttpServer, http_date


@contextmanager
def serve(app) -> Iterator[tuple[HttpServer, int, threading.Thread]]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    server = HttpServer(app, MockHttpProtocol)
    thread = threading.Thread(target=server.run, args=([sock],), daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.001)
    try:
        yield server, sock.getsockname()[1], thread
    finally:
        server.should_exit = True
        thread.join(GRACE + 3)
        sock.close()


def slow_app(pause: float, parts: int = 2):
    """Answers ``parts`` body pieces ``pause`` seconds apart (``pause=None``: forever)."""

    async def app(scope, receive, send):
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for i in range(parts):
            await asyncio.sleep(pause)
            await send({"type": "http.response.body", "body": b"part%d." % i,
                        "more_body": i < parts - 1})

    return app


def _get(port: int, path: str = "/", close: bool = True) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        extra = b"Connection: close\r\n" if close else b""
        sock.sendall(b"GET %b HTTP/1.1\r\nHost: x\r\n%b\r\n" % (path.encode(), extra))
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    return reply


def test_the_date_is_the_one_email_utils_writes():
    instants = [0, 951782400, 1709164800.999, 4102444799] + [
        random.uniform(0, 4.1e9) for _ in range(2000)]
    for now in instants:
        assert http_date(now) == formatdate(now, usegmt=True).encode(), now


def test_every_response_carries_the_current_date_and_the_server_header():
    with serve(slow_app(0, parts=1)) as (_, port, _):
        first = _get(port)
        time.sleep(1.02 - time.time() % 1)  # just past the next second
        before = int(time.time())
        second = _get(port)
    for reply in (first, second):
        assert b"\r\nserver: uvicorn\r\n" in reply
    stamp = second.split(b"\r\ndate: ")[1].split(b"\r\n")[0].decode()
    assert parsedate_to_datetime(stamp).timestamp() == before


def test_stopping_finishes_the_answer_in_flight_and_closes_idle_connections():
    with serve(slow_app(0.3)) as (server, port, thread):
        idle = socket.create_connection(("127.0.0.1", port), timeout=5)
        busy = socket.create_connection(("127.0.0.1", port), timeout=5)
        busy.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        head = busy.recv(65536)
        assert head.startswith(b"HTTP/1.1 200 OK")
        started = time.monotonic()
        server.should_exit = True
        assert idle.recv(100) == b""  # closed at once: nothing was running on it
        assert time.monotonic() - started < 0.25
        reply = head
        while chunk := busy.recv(65536):  # to the end: the server closes once it is out
            reply += chunk
        thread.join(GRACE + 1)
        assert not thread.is_alive()
        idle.close()
        busy.close()
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
    assert b"part0." in reply and b"part1." in reply and reply.endswith(b"0\r\n\r\n")


def test_an_answer_that_never_ends_is_cancelled_after_the_grace_period(caplog):
    with serve(slow_app(3600)) as (server, port, thread), \
            socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 OK")
        started = time.monotonic()
        with caplog.at_level(logging.ERROR, logger="uvicorn.error"):
            server.should_exit = True
            thread.join(GRACE + 2)
        assert not thread.is_alive()
        assert GRACE <= time.monotonic() - started < GRACE + 1.5
    assert "Cancel 1 running task(s), timeout graceful shutdown exceeded" in caplog.text


def test_the_mock_serves_without_importing_uvicorn():
    code = """if True:
        import json, sys, urllib.request
        import azure_llm_helpers.mock.__main__
        from azure_llm_helpers.mock import MockServer
        with MockServer() as mock:
            request = urllib.request.Request(
                mock.url + "openai/deployments/gpt-4o-mini-chat/chat/completions"
                "?api-version=2024-10-21", headers={"api-key": mock.config.api_key},
                data=json.dumps({"messages": [{"role": "user", "content": "Hi"}]}).encode())
            assert urllib.request.urlopen(request).status == 200
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("uvicorn", "click")))
    """
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
