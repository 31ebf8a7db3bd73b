"""The recording proxy (``--record DIR --upstream URL``), over raw ASGI.

Every data-plane request goes to the upstream resource with the caller's own auth (key or
bearer token); the response streams back chunk by chunk, unchanged, while its SSE events
and their timing are noted.  Once the response has ended, the interaction is redacted and
written as the next ``NNNN-METHOD-route.json`` in the directory.
"""

from __future__ import annotations

import json
import logging
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from .asgi import read_body
from .cassette import Event, Interaction, dump_document, to_document, write_document
from .redact import Redactor

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("azure_llm_helpers.mock")
Scope = dict[str, Any]
# Hop-by-hop and length headers: httpx and uvicorn set their own.
_NOT_FORWARDED = frozenset({
    "host", "content-length", "connection", "keep-alive", "transfer-encoding", "te",
    "upgrade", "accept-encoding", "proxy-authorization", "proxy-connection",
})
_NOT_RETURNED = frozenset({"content-length", "content-encoding", "transfer-encoding",
                           "connection", "keep-alive", "date", "server"})
_NAME_NUMBER = re.compile(r"^(\d{4,})-")


class UpstreamError(ValueError):
    """An ``--upstream`` URL that cannot be used."""


def check_upstream(url: str) -> str:
    """The upstream's base URL without a trailing slash; raises ``UpstreamError``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UpstreamError(f"--upstream must be the resource's URL, such as "
                            f"https://<resource>.openai.azure.com, not {url!r}")
    if parts.path.strip("/") or parts.query:
        raise UpstreamError(f"--upstream must be the resource's root URL, without a path: "
                            f"https://{parts.netloc}")
    return f"{parts.scheme}://{parts.netloc}"


class Recorder:
    """Forwards requests to ``upstream`` and records each interaction in ``directory``."""

    #: The upstream judges the caller's key or token, so the mock checks none.
    forwards_credentials = True

    def __init__(self, directory: str | Path, upstream: str) -> None:
        self.upstream = check_upstream(upstream)
        self.host = urlsplit(self.upstream).netloc
        # Absolute: papermill changes the working directory while the proxy runs.
        self.directory = Path(directory).resolve()
        self.directory.mkdir(parents=True, exist_ok=True)
        numbers = [int(m.group(1)) for p in self.directory.glob("*.json")
                   if (m := _NAME_NUMBER.match(p.name))]
        self._next = max(numbers, default=0) + 1
        self._client: httpx.AsyncClient | None = None

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    def _take_number(self) -> int:
        number, self._next = self._next, self._next + 1
        return number

    async def handle(self, scope: Scope, receive: Any, send: Any) -> None:
        import httpx  # here, not at the top: only a recording mock pays for the import

        if self._client is None:
            # Generous: the caller's own timeout decides how long it waits.
            self._client = httpx.AsyncClient(timeout=httpx.Timeout(600, connect=15))
        number = self._take_number()
        body = await read_body(receive)
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        query = scope.get("query_string", b"").decode("latin-1")
        url = self.upstream + scope["path"] + (f"?{query}" if query else "")
        request = self._client.build_request(
            scope["method"], url, content=body,
            headers=[(k, v) for k, v in headers if k not in _NOT_FORWARDED])
        started = time.perf_counter()
        try:
            response = await self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            log.warning("record: upstream %s failed: %s", self.upstream, type(exc).__name__)
            await _send_error(send, 502, f"The recording proxy could not reach the upstream "
                                         f"resource: {type(exc).__name__}.")
            return
        first = time.perf_counter()
        returned = [(k, v) for k, v in response.headers.multi_items()
                    if k.lower() not in _NOT_RETURNED]
        await send({"type": "http.response.start", "status": response.status_code,
                    "headers": [(k.encode("latin-1"), v.encode("latin-1"))
                                for k, v in returned]})
        streaming = response.headers.get("content-type", "").startswith("text/event-stream")
        splitter = _EventSplitter(first) if streaming else None
        chunks = []
        try:
            async for chunk in response.aiter_bytes():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                if splitter is not None:
                    splitter.feed(chunk)
                else:
                    chunks.append(chunk)
            await send({"type": "http.response.body", "body": b""})
        except (OSError, httpx.HTTPError) as exc:
            # The caller left, or the upstream broke off: half an interaction is not kept.
            log.warning("record: %s %s not recorded (%s)", scope["method"], scope["path"],
                        type(exc).__name__)
            return
        finally:
            await response.aclose()
        item = Interaction(
            name="", method=scope["method"], path=scope["path"],
            query=dict(parse_qsl(query, keep_blank_values=True)),
            request=_parse(body), status=response.status_code, headers=returned,
            after_ms=(first - started) * 1000, body=b"".join(chunks),
            events=splitter.finish() if splitter is not None else None)
        self._write(number, item, headers)

    def _write(self, number: int, item: Interaction, headers: list[tuple[str, str]]) -> None:
        redactor = Redactor(self.host)
        for name, value in headers:
            if name in ("api-key", "authorization"):
                redactor.add_secret(value)
        item.extra["request"] = {"headers": redactor.request_headers(headers)}
        doc = to_document(item)
        request, response = doc["request"], doc["response"]
        request["path"] = redactor.text(request["path"])
        request["query"] = {k: redactor.text(v) for k, v in request["query"].items()}
        for part in (request, response, *response.get("events", [])):
            for field in ("json", "data"):
                if field in part:
                    part[field] = redactor.json(part[field])
            if "text" in part:
                part["text"] = redactor.text(part["text"])
        response["headers"] = redactor.response_headers(item.headers)
        name = f"{number:04d}-{item.method}-{_slug(request['path'])}.json"
        try:
            write_document(self.directory, name, redactor.final(dump_document(doc)))
        except OSError as exc:
            log.error("record: could not write %s in %s: %s", name, self.directory,
                      exc.strerror)
            return
        log.info("record: wrote %s", name)


class _EventSplitter:
    """Cuts a byte stream into SSE events, noting when each one completed."""

    def __init__(self, start: float) -> None:
        self._last = start
        self._buffer = b""
        self.events: list[Event] = []

    def feed(self, chunk: bytes) -> None:
        self._buffer += chunk
        while True:
            cut = self._buffer.find(b"\n\n")
            if cut < 0:
                return
            raw, self._buffer = self._buffer[:cut + 2], self._buffer[cut + 2:]
            now = time.perf_counter()
            self.events.append(Event((now - self._last) * 1000, raw))
            self._last = now

    def finish(self) -> list[Event]:
        if self._buffer:
            self.events.append(Event((time.perf_counter() - self._last) * 1000, self._buffer))
            self._buffer = b""
        return self.events


def _parse(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return body.decode("utf-8", "replace")


def _slug(path: str) -> str:
    parts = [p for p in path.split("/") if p][1:]
    if parts[:1] == ["deployments"] and len(parts) > 2:
        parts = parts[2:] + parts[1:2]
    return re.sub(r"[^A-Za-z0-9._-]+", "-", "-".join(parts))[:80] or "root"


async def _send_error(send: Any, status: int, message: str) -> None:
    body = json.dumps({"error": {"code": "UpstreamUnreachable", "message": message}}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
