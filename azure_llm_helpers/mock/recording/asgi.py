"""The two raw-ASGI chores the recorder and the replayer share."""

from __future__ import annotations

import os
from typing import Any


def request_id() -> str:
    """A fresh request id shaped as Azure's (a version-4 UUID)."""
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


async def read_body(receive: Any) -> bytes:
    """The whole request body (what arrived before a disconnect, if the client left)."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def replay_receive(body: bytes) -> Any:
    """A ``receive`` that hands ``body`` over again (for the fallback after a miss)."""
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
