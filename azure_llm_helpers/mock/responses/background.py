"""Background mode (``background: true``): a response that answers at once and finishes later.

The mock has no clock to run on, so a background response advances one step each time it is
retrieved: the create call answers ``queued``, the first ``GET`` ``in_progress``, the next
``completed`` with the body the foreground call would give (``background: true`` echoed).
A polling loop therefore ends after two retrieves, the same way every run (nbval).
``POST .../cancel`` stops a queued or in-progress run (``cancelled``, no output); on a
finished run it answers the run as it is.  ``GET ...?stream=true`` replays the run's events
(all of them, or those after ``starting_after``), which finishes the run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from .. import errors

_STEPS = ("queued", "in_progress")
_PENDING = {"completed_at": None, "incomplete_details": None, "output": [], "usage": None}


class BackgroundRun:
    """One background response: its final body and how far it has got."""

    def __init__(self, final: dict, events: Callable[[], list[bytes]], done: bool = False):
        self.final = final
        self._events = events
        self._step = len(_STEPS) if done else 0
        self._cancelled = False
        self._lock = threading.Lock()

    def _view(self) -> dict:
        if self._cancelled:
            return {**self.final, **_PENDING, "status": "cancelled"}
        if self._step < len(_STEPS):
            return {**self.final, **_PENDING, "status": _STEPS[self._step]}
        return self.final

    def current(self) -> dict:
        """The body as it stands (what the create call answers)."""
        with self._lock:
            return self._view()

    def advance(self) -> dict:
        """``GET``: one step further (until finished), then the body as it stands."""
        with self._lock:
            if not self._cancelled and self._step < len(_STEPS):
                self._step += 1
            return self._view()

    def cancel(self) -> dict:
        """``POST .../cancel``: a queued or in-progress run stops; a finished one is kept."""
        with self._lock:
            if self._step < len(_STEPS):
                self._cancelled = True
            return self._view()

    def events(self, starting_after: int | None) -> list[bytes]:
        """``GET ...?stream=true``: the events after ``starting_after`` (all if None)."""
        with self._lock:
            events = self._events()
            if self._cancelled:
                events = events[:2]  # created and in_progress: it stopped there
            else:
                self._step = len(_STEPS)
        start = 0 if starting_after is None else starting_after + 1
        return events[start:]


def not_background() -> Exception:
    return errors.invalid_request("Cannot cancel a synchronous response.", None, None)


def not_streamable() -> Exception:
    return errors.invalid_request(
        "This response was not created with 'background' set to true, so it cannot be "
        "streamed again. Retrieve it without 'stream', or create it with 'background': true.",
        "stream", None)


def needs_store() -> Exception:
    return errors.invalid_request("Background mode requires store=true. Remove 'store': false "
                                  "or leave 'background' unset.", "store", "invalid_value")
