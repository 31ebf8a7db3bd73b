"""Answer data-plane requests from a recording (``--replay DIR``), over raw ASGI.

A matched request gets the recorded status, headers and body, or the recorded stream event
by event (with the recorded pauses under ``timing="recorded"``); request ids are fresh, as
Azure's are.  ``GET .../responses/{id}`` of a response recorded with ``store`` (not
``false``) is answered from that recording (for a background response, from the last
recorded ``GET`` of it, so a poll that outlasts the recording ends), and
``previous_response_id`` chains match as recorded.  An unmatched request gets a 400
naming the closest recording and the field that differs, unless a fallback (the
generator) takes it: ``handle`` then returns the body.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from .asgi import read_body, request_id
from .cassette import Interaction, load_directory
from .matcher import DEFAULT_IGNORED, Matcher
from .redact import REQUEST_ID_HEADERS, ZERO_GUID

TIMINGS = ("none", "recorded")
log = logging.getLogger("azure_llm_helpers.mock")
Scope = dict[str, Any]


class Replayer:
    """Serves one recording directory."""

    #: Replay checks the caller's key or token as the mock would.
    forwards_credentials = False

    def __init__(self, directory: str | Path, *, timing: str = "none", fallback: bool = False,
                 ignored: Iterable[str] = DEFAULT_IGNORED) -> None:
        if timing not in TIMINGS:
            raise ValueError(f"timing must be one of {', '.join(TIMINGS)}, not {timing!r}")
        self.directory = Path(directory)
        self.timing = timing
        self.fallback = fallback
        self.interactions = load_directory(self.directory)
        self.matcher = Matcher(self.interactions, ignored)
        self.stored = _stored_responses(self.interactions)

    async def handle(self, scope: Scope, receive: Any, send: Any) -> bytes | None:
        """Answer the request; returns its body instead when the fallback should answer."""
        raw = await read_body(receive)
        try:
            body = json.loads(raw) if raw else None
        except (ValueError, RecursionError):
            body = raw.decode("utf-8", "replace")
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                               keep_blank_values=True))
        key = self.matcher.key_for(scope["method"], scope["path"], query, body)
        found = self.matcher.match(key)
        if found is not None:
            log.info("replay: %s %s -> %s (%d)", scope["method"], scope["path"], found.name,
                     found.status)
            await self._send(send, found)
            return None
        stored = self.stored.get(_response_id(scope["path"]) or "")
        if stored is not None and scope["method"] == "GET" and "stream" not in query:
            await _send_start(send, 200, [("content-type", "application/json")], len(stored))
            await send({"type": "http.response.body", "body": stored})
            return None
        if self.fallback:
            return raw
        message, field = self.matcher.explain_miss(key)
        log.warning("replay: %s", message)
        error = json.dumps({"error": {"code": "NoMatchingRecording", "message": message,
                                      "type": "invalid_request_error", "param": field}}).encode()
        await _send_start(send, 400, [("content-type", "application/json")], len(error))
        await send({"type": "http.response.body", "body": error})
        return None

    async def _send(self, send: Any, item: Interaction) -> None:
        item.materialise()
        paced = self.timing == "recorded"
        if paced and item.after_ms:
            await asyncio.sleep(item.after_ms / 1000)
        if item.events is None:
            await _send_start(send, item.status, item.headers, len(item.body))
            await send({"type": "http.response.body", "body": item.body})
            return
        await _send_start(send, item.status, item.headers, None)
        if not paced:
            # The same bytes in one write: the client still parses them event by event.
            await send({"type": "http.response.body", "body": item.body})
            return
        for event in item.events:
            if event.after_ms:
                await asyncio.sleep(event.after_ms / 1000)
            await send({"type": "http.response.body", "body": event.raw, "more_body": True})
        await send({"type": "http.response.body", "body": b""})


async def _send_start(send: Any, status: int, headers: list[tuple[str, str]],
                      length: int | None) -> None:
    rid = request_id()
    out = [(k.encode("latin-1"),
            (rid if k in REQUEST_ID_HEADERS and v == ZERO_GUID else v).encode("latin-1"))
           for k, v in headers]
    if length is not None:
        out.append((b"content-length", str(length).encode()))
    if not any(k in REQUEST_ID_HEADERS for k, _ in headers):
        out += [(b"apim-request-id", rid.encode()), (b"x-request-id", rid.encode())]
    await send({"type": "http.response.start", "status": status, "headers": out})


def _stored_responses(items: list[Interaction]) -> dict[str, bytes]:
    """Responses API results recorded with ``store`` on, by id (for GET .../responses/{id})."""
    stored: dict[str, bytes] = {}
    for item in items:
        rid = _response_id(item.path)
        if item.method == "GET" and item.status == 200 and rid and not item.query.get("stream") \
                and item.materialise().events is None:
            stored[rid] = item.body  # a later state of that response (a background run)
            continue
        if (item.method != "POST" or item.status != 200 or not item.path.endswith("/responses")
                or (isinstance(item.request, dict) and item.request.get("store") is False)):
            continue
        result = _final_response(item.materialise())
        if isinstance(result, dict) and isinstance(result.get("id"), str):
            stored[result["id"]] = json.dumps(result, separators=(",", ":")).encode()
    return stored


def _response_id(path: str) -> str | None:
    """The id in ``.../responses/{id}`` (None for other paths, sub-resources included)."""
    head, _, last = path.rpartition("/")
    return last if head.endswith("/responses") and last else None


def _final_response(item: Interaction) -> Any:
    try:
        if item.events is None:
            return json.loads(item.body)
        for event in reversed(item.events):
            text = event.raw.decode("utf-8")
            if "response.completed" in text:
                data = text.split("data: ", 1)[1]
                return json.loads(data).get("response")
    except (ValueError, IndexError, UnicodeDecodeError):
        return None
    return None
