"""The mock as a lesson uses it: one per kernel, or the one ``make lab`` already started."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from .server import MockServer

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_started: MockServer | None = None


@dataclass(frozen=True)
class RunningMock:
    """Where a running mock is and the variables that point the SDKs at it."""

    url: str
    env: dict[str, str]
    started_here: bool


def ensure_mock() -> RunningMock:
    """Reuse the mock the environment points to (``make lab``), else start one in-process.

    Nothing in ``os.environ`` is changed: the lesson sets the variables itself.
    """
    global _started
    reused = _reachable_mock_from_env()
    if reused is not None:
        return reused
    if _started is None:
        _started = MockServer().start()
    return RunningMock(_started.url, dict(_started.env), started_here=True)


def _reachable_mock_from_env() -> RunningMock | None:
    endpoint = os.environ.get("AZURE_OPENAI_ENDPOINT", "")
    if not endpoint:
        return None
    parts = urlsplit(endpoint)
    if parts.hostname not in _LOOPBACK or parts.port is None:
        return None
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=0.5).close()
    except OSError:
        return None
    prefixes = ("AZURE_OPENAI_", "OPENAI_API_VERSION", "AZURE_POD_IDENTITY_", "IDENTITY_")
    names = [n for n in os.environ if n.startswith(prefixes)]
    return RunningMock(endpoint, {n: os.environ[n] for n in names}, started_here=False)
