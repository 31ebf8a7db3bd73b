"""The mock's HTTP application: Azure OpenAI's data plane under ``/openai``.

The data plane is a thin raw-ASGI dispatcher (Starlette's routing and request objects
cost more CPU than the whole answer); everything else (the identity endpoints, unknown
routes) goes to a small Starlette app.  Checks run in Azure's order: route, api-version,
access, deployment, operation, body, validation, injected faults, rate limit, content
filter, answer.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from . import errors, faults, validate
from .access import check_access
from .answers import request_digest
from .config import Deployment, MockConfig
from .identity import identity_routes
from .operations import PLANNERS, Context, Outcome
from .ratelimit import SlidingWindow, retry_headers
from .tokens import get_tokenizer

SUPPORTED_API_VERSIONS = frozenset({
    "2022-12-01", "2023-05-15", "2024-02-01", "2024-06-01", "2024-10-21",
    "2023-03-15-preview", "2023-06-01-preview", "2023-07-01-preview", "2023-08-01-preview",
    "2023-09-01-preview", "2023-12-01-preview", "2024-02-15-preview", "2024-03-01-preview",
    "2024-04-01-preview", "2024-05-01-preview", "2024-07-01-preview", "2024-08-01-preview",
    "2024-09-01-preview", "2024-10-01-preview", "2024-12-01-preview", "2025-01-01-preview",
    "2025-02-01-preview", "2025-03-01-preview", "2025-04-01-preview",
})
_OPERATION_NAMES = {"completions": "completion", "chat": "chatCompletion",
                    "embeddings": "embeddings"}
_STATIC_HEADERS = [
    (b"cache-control", b"no-cache, must-revalidate"),
    (b"access-control-allow-origin", b"*"),
    (b"x-content-type-options", b"nosniff"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains; preload"),
]
_JSON = (b"content-type", b"application/json")
_SSE = (b"content-type", b"text/event-stream; charset=utf-8")

log = logging.getLogger("azure_llm_helpers.mock")
Scope = dict[str, Any]


def _request_id() -> str:
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


class MockApp:
    """The ASGI application for one ``MockConfig``."""

    def __init__(self, config: MockConfig) -> None:
        self.config = config
        self.windows = {name: SlidingWindow(d.requests_per_minute, d.tokens_per_minute)
                        for name, d in config.deployments.items()}
        self.faults = faults.FaultState()
        self._region = config.region.encode()
        self._closing: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

        async def not_found(request: Request, exc: Exception) -> Response:
            return errors.resource_not_found()

        self.other = Starlette(routes=identity_routes(config),
                               exception_handlers={404: not_found, 405: not_found})

    # -- lifecycle ------------------------------------------------------------------------

    def release_hanging(self) -> None:
        """End every ``hang`` fault (called from any thread when the server stops)."""
        if self._loop is not None and self._closing is not None:
            self._loop.call_soon_threadsafe(self._closing.set)

    # -- ASGI -----------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/openai/"):
            await self.other(scope, receive, send)
            return
        started = time.perf_counter()
        rid = _request_id()
        state = {"status": 0, "deployment": "-"}
        try:
            await self._data_plane(scope, receive, send, rid, state)
        except Exception:  # noqa: BLE001 - a bug must still look like Azure, never a traceback
            log.exception("mock: internal error on %s %s", scope["method"], scope["path"])
            if not state["status"]:
                await self._send_response(scope, receive, send, errors.server_error(rid), rid,
                                          None, state)
        if log.isEnabledFor(logging.INFO):
            log.info("%s %s deployment=%s %s %.1fms", scope["method"], scope["path"],
                     state["deployment"], state["status"],
                     (time.perf_counter() - started) * 1000)

    def _headers(self, rid: str, window: SlidingWindow | None,
                 remaining: tuple[int, int] | None = None) -> list[tuple[bytes, bytes]]:
        rid_b = rid.encode()
        if remaining is None:
            remaining = window.peek() if window else (0, 0)
        return [*_STATIC_HEADERS, (b"apim-request-id", rid_b), (b"x-request-id", rid_b),
                (b"x-ms-client-request-id", rid_b), (b"x-ms-region", self._region),
                (b"x-ratelimit-remaining-requests", str(remaining[0]).encode()),
                (b"x-ratelimit-remaining-tokens", str(remaining[1]).encode())]

    async def _send_response(self, scope: Scope, receive: Any, send: Any, response: Response,
                             rid: str, window: SlidingWindow | None, state: dict,
                             extra: dict[str, str] | None = None) -> None:
        """Send an error (or access) response with Azure's headers added."""
        raw = [(k, v) for k, v in response.raw_headers if k != b"content-type"]
        raw += [_JSON, *self._headers(rid, window)]
        raw += [(k.encode(), v.encode()) for k, v in (extra or {}).items()]
        response.raw_headers = raw
        state["status"] = response.status_code
        await response(scope, receive, send)

    async def _send_json(self, send: Any, status: int, body: bytes,
                         headers: list[tuple[bytes, bytes]], state: dict) -> None:
        state["status"] = status
        await send({"type": "http.response.start", "status": status,
                    "headers": [_JSON, (b"content-length", str(len(body)).encode()),
                                *headers]})
        await send({"type": "http.response.body", "body": body})

    async def _read_body(self, receive: Any, limit: int) -> bytes | None:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)

    def _route(self, scope: Scope) -> tuple[str, str | None] | None:
        """(operation, deployment name) for a data-plane path, else None."""
        parts = scope["path"].split("/")
        method = scope["method"]
        if parts == ["", "openai", "models"] and method == "GET":
            return "models", None
        if len(parts) < 5 or parts[2] != "deployments" or method != "POST" or not parts[3]:
            return None
        tail = "/".join(parts[4:])
        operation = {"completions": "completions", "chat/completions": "chat",
                     "embeddings": "embeddings"}.get(tail)
        return (operation, parts[3]) if operation else None

    async def _data_plane(self, scope: Scope, receive: Any, send: Any, rid: str,
                          state: dict) -> None:
        config = self.config
        routed = self._route(scope)
        if routed is None:
            return await self._send_response(scope, receive, send, errors.resource_not_found(),
                                              rid, None, state)
        operation, name = routed
        state["deployment"] = name or "-"
        query = _query(scope)
        version = query.get("api-version")
        if version is None:
            return await self._send_response(scope, receive, send, errors.resource_not_found(),
                                              rid, None, state)
        if version not in SUPPORTED_API_VERSIONS:
            return await self._send_response(
                scope, receive, send, errors.api_version_not_supported(), rid, None, state)
        deployment = config.deployments.get(name) if name else None
        window = self.windows.get(name) if name else None
        denied = check_access(_header(scope, b"api-key"), _header(scope, b"authorization"),
                              config, deployment, operation)
        if denied is not None:
            return await self._send_response(scope, receive, send, denied, rid, window, state)
        if operation == "models":
            body = json.dumps(self._models()).encode()
            return await self._send_json(send, 200, body, self._headers(rid, None), state)
        if deployment is None:
            return await self._send_response(
                scope, receive, send, errors.deployment_not_found(), rid, None, state)
        if deployment.kind != operation:
            return await self._send_response(scope, receive, send, errors.operation_not_supported(
                _OPERATION_NAMES[operation], deployment.model), rid, window, state)
        raw = await self._read_body(receive, config.max_request_bytes)
        if raw is None:
            return await self._send_response(
                scope, receive, send, errors.request_too_large(config.max_request_bytes), rid,
                window, state)
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):
            return await self._send_response(scope, receive, send, errors.unparsable_json(),
                                              rid, window, state)
        invalid = validate.check(operation, body)
        if invalid is not None:
            return await self._send_response(scope, receive, send, invalid, rid, window, state)

        spec = deployment.faults
        header = _header(scope, b"x-mock-fault")
        if header:
            try:
                spec = faults.parse_fault_header(header, spec)
            except faults.FaultSpecError as exc:
                return await self._send_response(scope, receive, send, errors.invalid_request(
                    f"Invalid {faults.HEADER} header: {exc}.", faults.HEADER), rid, window,
                    state)
        if spec.active:
            failed = await self._inject(scope, receive, send, spec, deployment, header or "",
                                        operation, version, rid, window, state)
            if failed:
                return None

        tok = get_tokenizer(config.tokenizer)
        # Canonical form: key order and spacing don't matter, and a stream shares its
        # non-streamed twin's ids, answers and usage.
        raw = json.dumps({k: v for k, v in body.items()
                          if k not in ("stream", "stream_options")}, sort_keys=True).encode()
        ctx = Context(config, deployment, tok, request_digest(raw, deployment.name))
        outcome = PLANNERS[operation](ctx, body, version)
        if not isinstance(outcome, Outcome):
            return await self._send_response(scope, receive, send, outcome, rid, window, state)
        verdict = window.admit(outcome.total_tokens) if window else None
        if verdict is not None and not verdict.allowed:
            return await self._send_response(
                scope, receive, send,
                errors.rate_limited(operation, version, verdict.what,
                                    max(1, round(verdict.retry_after))),
                rid, window, state, retry_headers(verdict.retry_after))
        remaining = (verdict.remaining_requests, verdict.remaining_tokens) if verdict else None
        headers = self._headers(rid, window, remaining)
        delay = spec.latency_ms / 1000
        if not outcome.events:
            delay += spec.latency_per_token_ms * outcome.completion_tokens / 1000
            if delay:
                await asyncio.sleep(delay)
            return await self._send_json(send, 200, json.dumps(
                outcome.body, ensure_ascii=False, separators=(",", ":")).encode(), headers,
                state)
        if delay:
            await asyncio.sleep(delay)
        await self._stream(send, outcome.events(), headers, spec, state)
        return None

    async def _stream(self, send: Any, events: list[bytes], headers: list,
                      spec: faults.FaultSpec, state: dict) -> None:
        state["status"] = 200
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

    async def _inject(self, scope: Scope, receive: Any, send: Any, spec: faults.FaultSpec,
                      deployment: Deployment, header: str, operation: str, version: str,
                      rid: str, window: SlidingWindow | None, state: dict) -> bool:
        """Apply hang / error faults; True when a response (or nothing) has been sent."""
        if spec.hang:
            await self._hang(receive)
            await self._send_response(scope, receive, send, errors.service_unavailable(), rid,
                                      window, state)
            return True
        attempt = _header(scope, b"x-stainless-retry-count")
        if not self.faults.should_fail(spec, deployment.name, header, attempt):
            return False
        extra = retry_headers(spec.retry_after_ms / 1000) if spec.status != 500 else None
        if spec.status == 429:
            response = errors.rate_limited(operation, version, "call",
                                           max(1, round(spec.retry_after_ms / 1000)))
        elif spec.status == 503:
            response = errors.service_unavailable()
        else:
            response = errors.server_error(rid)
        await self._send_response(scope, receive, send, response, rid, window, state, extra)
        return True

    async def _hang(self, receive: Any) -> None:
        """Wait until the client gives up or the server stops."""
        if self._closing is None:
            self._loop = asyncio.get_running_loop()
            self._closing = asyncio.Event()
        disconnect = asyncio.ensure_future(_until_disconnect(receive))
        closing = asyncio.ensure_future(self._closing.wait())
        _, pending = await asyncio.wait({disconnect, closing},
                                        return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()

    def _models(self) -> dict:
        """``GET /openai/models``: the models behind this resource's deployments."""
        seen: dict[str, Deployment] = {}
        for d in self.config.deployments.values():
            seen.setdefault(d.response_model, d)
        data = [{
            "id": model, "object": "model", "created_at": 1_700_000_000, "status": "succeeded",
            "lifecycle_status": "generally-available",
            "capabilities": {"fine_tune": False, "inference": True,
                             "completion": d.kind == "completions",
                             "chat_completion": d.kind == "chat",
                             "embeddings": d.kind == "embeddings"},
            "deprecation": {"inference": 1_900_000_000},
        } for model, d in seen.items()]
        return {"data": data, "object": "list"}


async def _until_disconnect(receive: Any) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def _query(scope: Scope) -> dict[str, str]:
    qs = scope.get("query_string", b"").decode("latin-1")
    if "%" not in qs and "+" not in qs:
        # Nothing to unquote (the usual ``api-version=...``): parse_qsl would give the same.
        return dict(part.partition("=")[::2] for part in qs.split("&") if part)
    return dict(parse_qsl(qs, keep_blank_values=True))


def _header(scope: Scope, name: bytes) -> str | None:
    # ASGI servers lower-case header names, so this matches Starlette's Headers.get.
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def create_app(config: MockConfig) -> MockApp:
    return MockApp(config)
