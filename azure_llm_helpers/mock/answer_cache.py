"""Answers to repeated requests, kept as the bytes they went out as.

A generated answer is a pure function of the operation, the deployment and the request
body (its ids, timestamp and text all come from the body's digest: answers.py), so a body
answered before gets the same bytes again without being parsed, validated, planned or
encoded.  Lessons re-run, and a room of learners sends the same lesson's requests; a paced
client that wakes an idle server pays for every line of Python the server runs with cold
caches, so skipping most of them is most of the saving.  Only answers (never refusals) are
kept, small ones only, up to a fixed total; the checks that depend on more than the body
(access, deployment and its retirement, faults, rate limits) run every time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import NamedTuple

from .outcome import Outcome, to_json

#: (operation, the deployment named in the path or None on v1, the raw request body)
Key = tuple[str, str | None, bytes]
_PER_OBJECT = 64  # bytes a small Python object costs besides its data, counted with it


class Known(NamedTuple):
    """A request answered before: its deployment, its answer, and what answering it did
    besides (storing a response: repeated on every hit, so the store sees it again)."""

    deployment: str
    outcome: Outcome
    again: Callable[[], None] | None


class AnswerCache:
    """Planned answers by request, oldest dropped first once ``max_bytes`` is reached."""

    def __init__(self, max_bytes: int = 1 << 20, max_answer: int = 32 << 10) -> None:
        self.max_bytes, self.max_answer = max_bytes, max_answer
        # Plain tuples of bytes, strings and numbers: the garbage collector stops tracking
        # them, so a full cache does not slow its every pass (and so every new request).
        self._entries: dict[Key, tuple] = {}
        self._bytes = 0

    def get(self, key: Key) -> Known | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        deployment, _, encoded, events, completion, total, again = entry
        return Known(deployment, Outcome({}, completion, total, None if events is None
                                         else lambda: events, encoded), again)

    def remember(self, key: Key, deployment: str, outcome: Outcome,
                 again: Callable[[], None] | None = None) -> Outcome:
        """``outcome`` with its bytes made (the JSON body, or the SSE events), kept for
        ``key`` when it is small."""
        events = None if outcome.events is None else tuple(outcome.events())
        if events is None:
            # orjson's bytes keep its 4 KiB buffer: a copy of their own size is kept instead.
            encoded = bytes(memoryview(to_json(outcome.body)))
            kept = replace(outcome, body={}, encoded=encoded)
            size = len(encoded)
        else:
            encoded, kept = None, replace(outcome, body={}, events=lambda: events)
            size = sum(map(len, events)) + _PER_OBJECT * len(events)
        size += len(key[2]) + 4 * _PER_OBJECT  # the key, the entry and their parts
        if size <= self.max_answer:
            entries = self._entries
            old = entries.pop(key, None)  # two alike may both have missed
            self._bytes -= 0 if old is None else old[1]
            while entries and self._bytes + size > self.max_bytes:
                self._bytes -= entries.pop(next(iter(entries)))[1]
            entries[key] = (deployment, size, encoded, events, outcome.completion_tokens,
                            outcome.total_tokens, again)
            self._bytes += size
        return kept
