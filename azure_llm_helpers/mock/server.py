"""Run the mock on a real socket: on a background thread (notebooks, tests) or as a CLI.

``ensure_mock()`` is the mock as a lesson uses it: one per kernel, or the one ``make lab``
already started.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .._constants import EnvironmentVariables as Env
from .._constants import is_loopback
from .app import create_app
from .config import MockConfig, load_config
from .http_protocol import MockHttpProtocol
from .http_server import HttpServer
from .identity import identity_env

if TYPE_CHECKING:  # the recording package loads only when --record or --replay asks for it
    from .recording import DataPlaneSource

# In a notebook nothing may print: without a handler of their own, warnings would reach
# Python's last-resort stderr handler.  The CLI adds a root handler, so it still sees them.
for _name in ("uvicorn", "azure_llm_helpers.mock"):
    logging.getLogger(_name).addHandler(logging.NullHandler())


class MockServer:
    """The mock Azure OpenAI resource, serving HTTP on 127.0.0.1 from a background thread.

    >>> with MockServer() as mock:          # doctest: +SKIP
    ...     os.environ.update(mock.env)
    """

    def __init__(
        self, config: MockConfig | None = None, *, host: str = "127.0.0.1", port: int = 0,
        config_file: str | Path | None = None, record: str | Path | None = None,
        upstream: str | None = None, replay: str | Path | None = None,
        fallback: str | None = None, replay_timing: str = "none",
        replay_ignore: tuple[str, ...] | None = None, http: str | type = MockHttpProtocol,
    ) -> None:
        """``record``/``upstream``: forward to a resource and record; ``replay``: answer
        from a recording (``fallback="generate"`` lets the mock answer what is not in it).
        ``replay_ignore``: body fields that do not count when matching (default ``user``,
        ``metadata``).  Bad arguments or recordings raise ``ValueError``.  ``http``: the
        HTTP/1.1 protocol (uvicorn's ``"httptools"`` is the reference the tests compare
        against)."""
        self.config = config or load_config(config_file)
        self.source = _source(record, upstream, replay, fallback, replay_timing, replay_ignore)
        self.host = host
        # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted sockets only when
        # the listener says TCP, and without it every response waits ~40 ms (delayed ACK).
        self._socket = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                                     socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.port: int = self._socket.getsockname()[1]
        self.app = create_app(self.config, self.source)
        self._server = _http_server(self.app, http)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The resource endpoint, as the portal shows it (with a trailing slash)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    @property
    def env(self) -> dict[str, str]:
        """The environment variables that point the SDKs at this mock."""
        c = self.config
        if self.source is not None and self.source.forwards_credentials:
            # The caller's own key or Entra ID credential goes to the upstream resource.
            return {Env.AZURE_OPENAI_ENDPOINT: self.url}
        return {
            Env.AZURE_OPENAI_ENDPOINT: self.url,
            Env.OPENAI_API_VERSION: c.default_api_version,
            Env.AZURE_OPENAI_API_KEY: c.api_key,
            Env.AZURE_OPENAI_COMPLETIONS_DEPLOYMENT: c.first_deployment("completions"),
            Env.AZURE_OPENAI_CHAT_DEPLOYMENT: c.first_deployment("chat"),
            Env.AZURE_OPENAI_EMBEDDINGS_DEPLOYMENT: c.first_deployment("embeddings"),
            Env.AZURE_OPENAI_RESPONSES_DEPLOYMENT: c.deployment_for("responses"),
            Env.AZURE_OPENAI_REASONING_DEPLOYMENT: c.deployment_for("reasoning"),
            **identity_env(self.app.identity, self.url),
        }

    def start(self, timeout: float = 5.0) -> MockServer:
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]},
            name=f"azure-openai-mock:{self.port}", daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the mock did not start on {self.url}")
            time.sleep(0.001)
        return self

    def stop(self) -> None:
        self.app.release_hanging()
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._socket.close()

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


# -- the mock as a lesson uses it ------------------------------------------------------------

_started: MockServer | None = None
# What a lesson copies from a reused mock's environment: the SDKs' and azure-identity's.
_ENV_PREFIXES = ("AZURE_OPENAI_", Env.OPENAI_API_VERSION, "AZURE_POD_IDENTITY_", "IDENTITY_")


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
    endpoint = os.environ.get(Env.AZURE_OPENAI_ENDPOINT, "")
    if not endpoint:
        return None
    parts = urlsplit(endpoint)
    if not is_loopback(parts.hostname) or parts.port is None:
        return None
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=0.5).close()
    except OSError:
        return None
    names = [n for n in os.environ if n.startswith(_ENV_PREFIXES)]
    return RunningMock(endpoint, {n: os.environ[n] for n in names}, started_here=False)


def _http_server(app: object, http: str | type) -> Any:
    """The mock's own server and protocol, or one of uvicorn's protocols: the reference
    ``tests/test_mock_http.py`` compares the mock's bytes with (uvicorn is loaded for it
    only)."""
    if isinstance(http, type) and issubclass(http, MockHttpProtocol):
        return HttpServer(app, http)
    import uvicorn

    # log_config=None: uvicorn must not reconfigure logging inside a notebook kernel.
    # proxy_headers=False, ws="none": as the mock's own server, no middleware, no upgrades.
    return uvicorn.Server(uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="off", proxy_headers=False,
        ws="none", http=http, loop="asyncio", log_config=None, timeout_graceful_shutdown=2,
    ))


def _source(record: str | Path | None, upstream: str | None, replay: str | Path | None,
            fallback: str | None, timing: str,
            ignore: tuple[str, ...] | None) -> DataPlaneSource | None:
    if record is not None and replay is not None:
        raise ValueError("choose one of record (--record) and replay (--replay)")
    if upstream and record is None:
        raise ValueError("--upstream only makes sense with --record DIR")
    if fallback not in (None, "generate"):
        raise ValueError(f"the only fallback is 'generate', not {fallback!r}")
    if fallback is not None and replay is None:
        raise ValueError("--fallback generate layers a recording over generation: add "
                         "--replay DIR")
    if record is None and replay is None:
        return None
    from .recording import DEFAULT_IGNORED, Recorder, Replayer

    if record is not None:
        if not upstream:
            raise ValueError("recording needs the resource to forward to: --upstream "
                             "https://<resource>.openai.azure.com")
        return Recorder(record, upstream)
    return Replayer(replay, timing=timing, fallback=fallback == "generate",
                    ignored=DEFAULT_IGNORED if ignore is None else ignore)
