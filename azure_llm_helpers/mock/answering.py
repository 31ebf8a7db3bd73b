"""How the data plane answers, mixed into ``MockApp`` (app.py): Azure's headers, a JSON
body, an SSE stream (paced when a fault asks for it), and an ``AzureError`` as Azure's
error body; ``_answer`` charges the rate limits first."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from . import errors, faults
from ._asgi import Send
from .errors import AzureError
from .outcome import Outcome, to_json

if TYPE_CHECKING:
    from .app import DataPlaneRequest

_STATIC_HEADERS = [
    (b"cache-control", b"no-cache, must-revalidate"),
    (b"access-control-allow-origin", b"*"),
    (b"x-content-type-options", b"nosniff"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains; preload"),
]
_JSON = (b"content-type", b"application/json")
_SSE = (b"content-type", b"text/event-stream; charset=utf-8")


class Answering:
    """Sending answers; ``MockApp`` provides ``_region`` (its region header's value)."""

    _region: bytes

    def _headers(self, request: DataPlaneRequest,
                 remaining: tuple[int, int] | None = None) -> list[tuple[bytes, bytes]]:
        rid = request.request_id.encode()
        if remaining is None:
            remaining = request.window.peek() if request.window else (0, 0)
        return [*_STATIC_HEADERS, (b"apim-request-id", rid), (b"x-request-id", rid),
                (b"x-ms-client-request-id", rid), (b"x-ms-region", self._region),
                (b"x-ratelimit-remaining-requests", str(remaining[0]).encode()),
                (b"x-ratelimit-remaining-tokens", str(remaining[1]).encode())]

    async def _send_error(self, request: DataPlaneRequest, send: Send,
                          error: AzureError) -> None:
        """The one place an Azure error becomes a response (unless one has started)."""
        if request.status:
            return
        extra = [(k.encode(), v.encode()) for k, v in error.headers.items()]
        await self._send_json(request, send, error.status, error.body,
                              [*self._headers(request, error.remaining), *extra])

    async def _send_json(self, request: DataPlaneRequest, send: Send, status: int, body: bytes,
                         headers: list[tuple[bytes, bytes]]) -> None:
        request.status = status
        await send({"type": "http.response.start", "status": status,
                    "headers": [_JSON, (b"content-length", str(len(body)).encode()),
                                *headers]})
        await send({"type": "http.response.body", "body": body})

    async def _stream(self, request: DataPlaneRequest, send: Send, events: list[bytes],
                      headers: list[tuple[bytes, bytes]], spec: faults.FaultSpec) -> None:
        request.status = 200
        await send({"type": "http.response.start", "status": 200,
                    "headers": [_SSE, (b"x-accel-buffering", b"no"), *headers]})
        if not spec.paced:
            # Unpaced, the whole stream goes out in one write: same bytes, far less CPU.
            await send({"type": "http.response.body", "body": b"".join(events)})
            return
        pause = (spec.stream_chunk_delay_ms + spec.latency_per_token_ms) / 1000
        for event in events:
            await asyncio.sleep(pause)
            await send({"type": "http.response.body", "body": event, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    async def _answer(self, request: DataPlaneRequest, send: Send, outcome: Outcome,
                      spec: faults.FaultSpec, operation: str, version: str) -> None:
        """Charge the rate limits, wait out injected latency, send the body or stream."""
        remaining = None
        if request.window is not None:
            verdict = request.window.admit(outcome.total_tokens)
            if not verdict.allowed:
                raise errors.rate_limited(operation, version, verdict.what, verdict.retry_after,
                                          (verdict.remaining_requests, verdict.remaining_tokens))
            remaining = (verdict.remaining_requests, verdict.remaining_tokens)
        headers = self._headers(request, remaining)
        delay = spec.latency_ms / 1000
        if outcome.events is None:
            delay += spec.latency_per_token_ms * outcome.completion_tokens / 1000
        if delay:
            await asyncio.sleep(delay)
        if outcome.events is None:
            encoded = outcome.encoded
            await self._send_json(request, send, 200,
                                  to_json(outcome.body) if encoded is None else encoded, headers)
        else:
            await self._stream(request, send, outcome.events(), headers, spec)
