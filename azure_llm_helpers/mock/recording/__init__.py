"""Record a real Azure OpenAI resource through the mock, and replay it offline.

The app asks one *data-plane source* for each ``/openai/...`` request before generating:

- ``Recorder`` (``--record DIR --upstream URL``) forwards it to the resource and writes the
  redacted interaction to ``DIR``;
- ``Replayer`` (``--replay DIR [--fallback generate] [--replay-timing recorded|none]``)
  answers it from ``DIR``, or hands the body back for the generator when falling back.

``handle(scope, receive, send)`` returns ``None`` once it has answered, else the request
body for the generator.
"""

from __future__ import annotations

from typing import Any, Protocol

from .cassette import RecordingError, load_directory
from .matcher import DEFAULT_IGNORED
from .proxy import Recorder, UpstreamError, check_upstream
from .replay import TIMINGS, Replayer


class DataPlaneSource(Protocol):
    #: True when the upstream judges credentials (recording), False when the mock must.
    forwards_credentials: bool

    async def handle(self, scope: dict[str, Any], receive: Any, send: Any) -> bytes | None:
        """Answer the request, or return its body for the generator to answer."""


__all__ = ["DEFAULT_IGNORED", "TIMINGS", "DataPlaneSource", "Recorder", "RecordingError",
           "Replayer", "UpstreamError", "check_upstream", "load_directory"]
