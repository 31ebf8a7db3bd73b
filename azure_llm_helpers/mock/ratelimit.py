"""Per-deployment requests-per-minute and tokens-per-minute limits, on a sliding window.

Each accepted request is one entry (time, tokens), kept in two packed arrays (16 bytes a
request rather than ~90 as tuples: a busy minute holds hundreds of thousands); entries
older than 60 s drop off the left by moving a head index, so a check costs O(1) amortised.
A request counts the tokens of its ``usage.total_tokens`` (Azure estimates from
``max_tokens`` instead; the mock knows its answer before it replies, so it can count
what it really sends).
"""

from __future__ import annotations

import time
from array import array
from collections.abc import Callable
from typing import NamedTuple

WINDOW = 60.0


class Verdict(NamedTuple):
    """One check's answer (a tuple: every request makes one, and a frozen dataclass costs a
    setattr call per field)."""

    allowed: bool
    remaining_requests: int
    remaining_tokens: int
    retry_after: float = 0.0  # seconds, when not allowed
    what: str = ""  # "call" or "token", when not allowed
    pause: float = 0.0  # seconds to hold the 429 back (learner_limits.py), when not allowed


class SlidingWindow:
    def __init__(self, requests_per_minute: int, tokens_per_minute: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rpm = requests_per_minute
        self.tpm = tokens_per_minute
        self._clock = clock  # seconds, never going back (a test passes its own)
        self._stamps = array("d")  # the clock's time of each live entry, oldest first
        self._spent = array("q")  # its tokens
        self._head = 0  # entries before this index have expired
        self._tokens = 0

    def _count(self) -> int:
        return len(self._stamps) - self._head

    def _expire(self, now: float) -> None:
        stamps, head = self._stamps, self._head
        horizon = now - WINDOW
        if head == len(stamps) or stamps[head] > horizon:
            return  # nothing to drop: the usual case, asked twice per request
        spent, end = self._spent, len(stamps)
        while head < end and stamps[head] <= horizon:
            self._tokens -= spent[head]
            head += 1
        if head > 1024 and head * 2 > end:  # drop the dead prefix now and then
            del stamps[:head]
            del spent[:head]
            head = 0
        self._head = head

    def peek(self) -> tuple[int, int]:
        """Remaining (requests, tokens) without recording anything."""
        self._expire(self._clock())
        return self._remaining()

    def _remaining(self) -> tuple[int, int]:
        req = self.rpm - self._count() if self.rpm else 1_000_000
        tok = self.tpm - self._tokens if self.tpm else 100_000_000
        return max(req, 0), max(tok, 0)

    def refusal(self) -> Verdict | None:
        """The call limit's 429, checked before an answer is planned; None when under it.

        Records nothing: ``admit`` counts the request once its tokens are known.
        """
        now = self._clock()
        self._expire(now)
        stamps = self._stamps
        if self.rpm and len(stamps) - self._head >= self.rpm:
            return self._refuse(stamps[len(stamps) - self.rpm] + WINDOW - now, "call")
        return None

    def admit(self, tokens: int) -> Verdict:
        """Record the request if both limits allow it, else say when to retry."""
        now = self._clock()
        self._expire(now)
        stamps = self._stamps
        if self.rpm and len(stamps) - self._head >= self.rpm:
            wait = stamps[len(stamps) - self.rpm] + WINDOW - now
            return self._refuse(wait, "call")
        if self.tpm and self._tokens + tokens > self.tpm:
            excess = self._tokens + tokens - self.tpm
            freed, wait = 0, WINDOW
            for i in range(self._head, len(stamps)):
                freed += self._spent[i]
                if freed >= excess:
                    wait = stamps[i] + WINDOW - now
                    break
            return self._refuse(wait, "token")
        stamps.append(now)
        self._spent.append(tokens)
        self._tokens += tokens
        return Verdict(True, *self._remaining())

    def _refuse(self, wait: float, what: str) -> Verdict:
        req, tok = self._remaining()
        return Verdict(False, req, tok, max(wait, 0.001), what)

