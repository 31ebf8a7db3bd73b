"""The identity routes (and every path the data plane does not own) as a plain ASGI app.

A handful of GET routes need no framework: this matches ``IDENTITY_ROUTES``' paths (a
``{name}`` segment matches any one non-empty segment), answers GET and HEAD, and renders a
handler's dict or ``AzureError`` as JSON.  Anything else gets Azure's 404.  A framework
here cost a fifth of the mock's start-up, for routing it did not need.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import parse_qsl

from .._asgi import Receive, Scope, Send
from ..errors import AzureError, resource_not_found
from ..routing import match_segments
from .routes import IDENTITY_ROUTES, Handler, IdentityRequest
from .state import IdentityState

_JSON = (b"content-type", b"application/json")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class IdentityApp:
    """The ASGI app for the identity routes of one ``IdentityState``."""

    def __init__(self, state: IdentityState) -> None:
        self.state = state
        self.routes = [(path.split("/"), handler) for path, handler in IDENTITY_ROUTES]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return  # no lifespan or websockets here (the server asks for neither)
        found = self._match(scope["path"]) if scope["method"] in ("GET", "HEAD") else None
        if found is None:
            await _send_error(send, resource_not_found())
            return
        handler, path_params = found
        call = IdentityRequest(_query(scope), _headers(scope), path_params, _base_url(scope))
        try:
            body = handler(self.state, call)
        except AzureError as refusal:
            await _send_error(send, refusal)
            return
        await _send(send, 200, _dumps(body), [])

    def _match(self, path: str) -> tuple[Handler, dict[str, str]] | None:
        segments = path.split("/")
        for template, handler in self.routes:
            params = match_segments(template, segments)
            if params is not None:
                return handler, params
        return None


def _dumps(body: object) -> bytes:
    # The compact form the identity routes have always sent (what JSON frameworks write).
    return json.dumps(body, ensure_ascii=False, allow_nan=False,
                      separators=(",", ":")).encode()


async def _send_error(send: Send, error: AzureError) -> None:
    extra = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in error.headers.items()]
    await _send(send, error.status, error.body, extra)


async def _send(send: Send, status: int, body: bytes,
                headers: list[tuple[bytes, bytes]]) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [*headers, (b"content-length", str(len(body)).encode()), _JSON]})
    await send({"type": "http.response.body", "body": body})


def _query(scope: Scope) -> dict[str, str]:
    """The query string's parameters (the last of repeated ones, as Azure's routes read)."""
    return dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                          keep_blank_values=True))


def _headers(scope: Scope) -> Mapping[str, str]:
    """Header values by lower-case name (ASGI servers lower-case names); the first wins."""
    headers: dict[str, str] = {}
    for name, value in scope["headers"]:
        headers.setdefault(name.decode("latin-1"), value.decode("latin-1"))
    return headers


def _base_url(scope: Scope) -> str:
    """The URL the client used to reach the server's root, from its Host header if any."""
    scheme = scope.get("scheme", "http")
    for name, value in scope["headers"]:
        if name == b"host":
            return f"{scheme}://{value.decode('latin-1')}/"
    server = scope.get("server")
    if server is None:
        return "/"
    host, port = server
    if port == _DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}/"
    return f"{scheme}://{host}:{port}/"
