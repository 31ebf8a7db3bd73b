"""Fault and latency injection, for lessons on retries and timeouts.

A deployment's ``faults`` table in the config and the ``x-mock-fault`` request header
take the same keys (see the package docstring).  Every decision is deterministic:
"fail the first N" counts requests (or reads the SDK's ``x-stainless-retry-count``),
and ``error_rate`` draws from a random stream seeded by ``seed``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, fields

from . import errors

HEADER = "x-mock-fault"
ERROR_STATUSES = (429, 500, 503)


class FaultSpecError(ValueError):
    """A fault table is malformed; the message names the key (the config reports it)."""


@dataclass(frozen=True)
class FaultSpec:
    latency_ms: float = 0.0  # added before the response (or before the first stream event)
    latency_per_token_ms: float = 0.0  # added per completion token (streams: between chunks)
    stream_chunk_delay_ms: float = 0.0  # stream pacing: pause before each chunk
    fail_first: int = 0  # the first N requests (or SDK attempts) get `status`
    error_rate: float = 0.0  # share of requests that get `status`, drawn from `seed`
    status: int = 429  # 429, 500 or 503
    seed: int = 0
    retry_after_ms: int = 1000  # sent with injected 429s and 503s
    hang: bool = False  # never answer: the client's timeout has to end it

    @property
    def active(self) -> bool:
        # Asked on every request: the usual spec is the shared one, found without comparing
        # every field.
        return self is not _NONE and self != _NONE

    @property
    def paced(self) -> bool:
        return bool(self.stream_chunk_delay_ms or self.latency_per_token_ms)


_NONE = FaultSpec()
_TYPES = {f.name: f.type for f in fields(FaultSpec)}


def _coerce(key: str, value: object) -> object:
    kind = _TYPES.get(key)
    if kind is None:
        raise FaultSpecError(f"unknown key {key!r}; known: {', '.join(_TYPES)}")
    try:
        if kind == "bool":
            if isinstance(value, str):
                if value.lower() not in ("", "1", "true", "yes", "0", "false", "no"):
                    raise ValueError(value)
                return value.lower() in ("", "1", "true", "yes")
            return bool(value)
        number = float(value) if kind == "float" else int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise FaultSpecError(f"{key} must be a {kind}, not {value!r}") from None
    if number < 0 or number != number or number > 3_600_000:
        raise FaultSpecError(f"{key} must be between 0 and 3600000, not {value!r}")
    if key == "error_rate" and number > 1:
        raise FaultSpecError(f"error_rate must be between 0 and 1, not {value!r}")
    if key == "status" and number not in ERROR_STATUSES:
        raise FaultSpecError(f"status must be one of {ERROR_STATUSES}, not {value!r}")
    return number


def parse_fault_table(table: dict) -> FaultSpec:
    """A ``[deployments.faults]`` table from the config file."""
    if not isinstance(table, dict):
        raise FaultSpecError("must be a table")
    if not table:
        return _NONE
    return FaultSpec(**{k: _coerce(k, v) for k, v in table.items()})


def parse_fault_header(value: str, base: FaultSpec) -> FaultSpec:
    """``x-mock-fault: status=429; fail_first=2`` over the deployment's own settings.

    A malformed header is the caller's mistake: Azure's 400 naming the bad key.
    """
    changes: dict[str, object] = {}
    try:
        for item in value.replace(",", ";").split(";"):
            key, _, raw = item.strip().partition("=")
            if key:
                changes[key.strip()] = _coerce(key.strip(), raw.strip())
    except FaultSpecError as exc:
        raise errors.invalid_request(f"Invalid {HEADER} header: {exc}.", HEADER) from None
    return FaultSpec(**{**base.__dict__, **changes})


def injected_error(spec: FaultSpec, operation: str, api_version: str,
                   request_id: str) -> errors.AzureError:
    """The error an injected fault answers with (429 and 503 carry Retry-After)."""
    seconds = spec.retry_after_ms / 1000
    if spec.status == 429:
        return errors.rate_limited(operation, api_version, "call", seconds)
    if spec.status == 503:
        return errors.service_unavailable(seconds)
    return errors.server_error(request_id)


class FaultState:
    """Counters and random streams, one per deployment (and per distinct header value)."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], int] = {}
        self._streams: dict[tuple[str, str], random.Random] = {}

    def should_fail(self, spec: FaultSpec, deployment: str, header: str,
                    attempt: str | None) -> bool:
        key = (deployment, header)
        if spec.fail_first:
            if header and attempt is not None and attempt.isdigit():
                # Stateless: SDK attempts 0..N-1 fail, so a re-run of a lesson fails again.
                if int(attempt) < spec.fail_first:
                    return True
            else:
                seen = self._seen.get(key, 0)
                self._seen[key] = seen + 1
                if seen < spec.fail_first:
                    return True
        if spec.error_rate:
            stream = self._streams.get(key)
            if stream is None:
                stream = self._streams[key] = random.Random(f"{spec.seed}:{header}")
            return stream.random() < spec.error_rate
        return False
