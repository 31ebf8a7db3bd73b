"""A room's per-learner limits: Azure's requests-per-minute, evaluated over short periods.

Azure enforces a deployment's RPM over short periods ("typically 1 or 10 seconds"): a
600-RPM deployment answers 100 requests in a 10-second period and 429s the rest until the
next period [learn "Manage Azure OpenAI quota", rate limits]. A room's learner gets such a
limit on their own copy of each deployment (``[learner_limits]`` in the mock's config), so
a loop that ignores ``Retry-After`` meets it within seconds while honest learners never do.

Two things here are the room's, not Azure's: the check runs before the answer is planned
(``refuse``), so a refusal costs far less than an answer; and a learner who asks again
before the ``Retry-After`` they were given has their 429 held back briefly (at most
``ignored_refusal_pause_ms``, never past the retry time), so a loop that ignores it waits
instead of spinning a core of the room's machine. The 429's body and headers are Azure's.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

from . import errors
from .ratelimit import SlidingWindow, Verdict

PERIODS = (1, 10)  # the evaluation periods Azure names, in seconds


@dataclass(frozen=True)
class LearnerLimits:
    """``[learner_limits]``: 0 requests a minute means no limit beyond the deployment's."""

    requests_per_minute: int = 0
    period_seconds: int = 10
    ignored_refusal_pause_ms: int = 100


def parse_learner_limits(table: dict) -> LearnerLimits:
    """The config table, or ``ValueError`` naming the key that is wrong."""
    unknown = set(table) - set(LearnerLimits.__dataclass_fields__)
    if unknown:
        raise ValueError(f"learner_limits: unknown key(s) {sorted(unknown)}; known: "
                         f"{sorted(LearnerLimits.__dataclass_fields__)}")
    limits = LearnerLimits(**table)
    for key, value in vars(limits).items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"learner_limits: {key} must be a whole number >= 0, not {value!r}")
    if limits.period_seconds not in PERIODS:
        raise ValueError(f"learner_limits: period_seconds must be 1 or 10 (Azure's evaluation "
                         f"periods), not {limits.period_seconds}")
    return limits


class LearnerWindow(SlidingWindow):
    """One learner's copy of a deployment's window, with Azure's short-period RPM check."""

    def __init__(self, shared: SlidingWindow, limits: LearnerLimits,
                 clock: Callable[[], float] = time.monotonic) -> None:
        rpm = min(r for r in (shared.rpm, limits.requests_per_minute) if r) if (
            shared.rpm or limits.requests_per_minute) else 0
        super().__init__(rpm, shared.tpm, clock)
        self.period = float(limits.period_seconds)
        self.per_period = max(1, math.floor(rpm * self.period / 60)) if rpm else 0
        self.pause_cap = limits.ignored_refusal_pause_ms / 1000
        self._period_start = -math.inf
        self._in_period = 0
        self._retry_at = -math.inf  # when the last 429 told this learner to come back

    def _roll(self, now: float) -> None:
        start = now - now % self.period
        if start != self._period_start:
            self._period_start, self._in_period = start, 0

    def peek(self) -> tuple[int, int]:
        self._roll(self._clock())
        return super().peek()

    def _remaining(self) -> tuple[int, int]:
        # No clock reading here: a refusal's counts are those of the period it was refused in.
        req, tok = super()._remaining()
        return min(req, max(self.per_period - self._in_period, 0)), tok

    def refusal(self) -> Verdict | None:
        now = self._clock()
        self._roll(now)
        if self._in_period >= self.per_period:
            verdict = self._refuse(self._period_start + self.period - now, "call")
        else:
            verdict = super().refusal()
            if verdict is None:
                return None
        pause = min(self.pause_cap, verdict.retry_after) if now < self._retry_at else 0.0
        self._retry_at = now + verdict.retry_after
        return Verdict(False, verdict.remaining_requests, verdict.remaining_tokens,
                       max(verdict.retry_after - pause, 0.001), "call", pause)

    def admit(self, tokens: int) -> Verdict:
        now = self._clock()
        self._roll(now)
        if self._in_period >= self.per_period:
            return self._refuse(self._period_start + self.period - now, "call")
        verdict = super().admit(tokens)
        if verdict.allowed:
            self._in_period += 1
            return Verdict(True, *self._remaining())
        return verdict


def learner_window(shared: SlidingWindow, limits: LearnerLimits) -> SlidingWindow:
    """A learner's own window: the deployment's limits, and the room's when it sets them."""
    if not limits.requests_per_minute:
        return SlidingWindow(shared.rpm, shared.tpm)
    return LearnerWindow(shared, limits)


async def refuse(verdict: Verdict, operation: str, version: str) -> NoReturn:
    """Raise the 429 of a window's ``refusal()``, checked before the answer is planned (the
    caller checks first and awaits this only to refuse: most requests pass)."""
    if verdict.pause:
        await asyncio.sleep(verdict.pause)
    raise errors.rate_limited(operation, version, verdict.what, verdict.retry_after,
                              (verdict.remaining_requests, verdict.remaining_tokens))
