"""One HTTP client for the tests' raw requests to the mock.

Each new httpx client reads the CA bundle (0.05 s on a quiet machine, 0.3 s on a loaded
one), so a module that sends a hundred raw requests through ``httpx.post`` spends most of
its time there. Keep-alive connections to the mock are reused, as an SDK's would be.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx


@cache
def client() -> httpx.Client:
    import httpx  # on first use: a module that only imports this pays nothing

    return httpx.Client(timeout=60)


def send(mock, method: str, path: str, body: object, extra: dict[str, str | None],
         encode: Callable[[object], bytes], timeout: float = 60) -> httpx.Response:
    """A raw request with the mock's key: ``extra`` headers override (``None`` removes one);
    ``body`` is sent as is if bytes, else through ``encode`` (the callers differ on NaN)."""
    headers = {"api-key": mock.config.api_key, "content-type": "application/json"}
    for name, value in extra.items():
        if value is None:
            headers.pop(name, None)
        else:
            headers[name] = value
    content = body if isinstance(body, bytes) else (None if body is None else encode(body))
    return client().request(method, mock.url.rstrip("/") + path, content=content,
                            headers=headers, timeout=timeout)
