"""The CLI stops on SIGINT or SIGTERM whatever it is doing: loading its tokenizer just after
the export lines, or idle after its first answer (its threads never take those signals, so
the main thread's wait always sees them)."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys

import pytest

from .test_mock_cli import start_cli


def _first_answer(exports: dict[str, str]) -> bytes:
    port = int(exports["AZURE_OPENAI_ENDPOINT"].rstrip("/'").rsplit(":", 1)[1])
    deployment = exports["AZURE_OPENAI_CHAT_DEPLOYMENT"]
    body = json.dumps({"messages": [{"role": "user", "content": "Hi"}]}).encode()
    head = (f"POST /openai/deployments/{deployment}/chat/completions?api-version="
            f"{exports['OPENAI_API_VERSION']} HTTP/1.1\r\nHost: x\r\n"
            f"api-key: {exports['AZURE_OPENAI_API_KEY']}\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head + body)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    return reply


def _stops(proc: subprocess.Popen, sig: int) -> None:
    proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError(f"signal {sig} did not stop the mock") from None
    assert proc.returncode == 0, err
    assert "Traceback" not in err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_the_cli_stops_after_its_first_answer(sig):
    for _ in range(4):  # the signal's thread was a matter of chance
        proc, exports = start_cli()
        assert _first_answer(exports).startswith(b"HTTP/1.1 200 OK")
        _stops(proc, sig)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_the_cli_stops_while_its_tokenizer_loads():
    proc, _ = start_cli()
    _stops(proc, signal.SIGTERM)
