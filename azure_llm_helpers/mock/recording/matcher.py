"""Which recorded interaction answers a request, and, when none does, which came closest.

A request matches on its method, its route (deployment from the path, or ``model`` from
the body on the v1 routes; the operation with its other query parameters, such as
``input_items``' ``limit``/``after`` or a replayed stream's ``starting_after``; the
``api-version``) and its body normalised:
key order and whitespace do not count, ``"stream": false`` is the same as no ``stream``,
and ignorable volatile fields (``user``, ``metadata`` by default) are dropped.  Requests
are redacted as recordings were, so a redacted string still matches.  Several recordings
of the same request answer in turn, round and round (a 429 then its retry's success).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from .cassette import Interaction
from .redact import Redactor

DEFAULT_IGNORED = ("user", "metadata")


@dataclass(frozen=True)
class RequestKey:
    """What identifies a request for matching; ``body`` is kept to explain a miss."""

    method: str
    target: str  # "deployment <name>", "model <name>" or ""
    operation: str
    api_version: str
    normalised: str
    body: Any

    @property
    def exact(self) -> tuple[str, str, str, str, str]:
        return (self.method, self.target, self.operation, self.api_version, self.normalised)

    def describe(self) -> str:
        return f"{self.method} {self.operation}" + (f" ({self.target})" if self.target else "")


def request_key(method: str, path: str, query: dict[str, str], body: Any,
                ignored: Iterable[str] = DEFAULT_IGNORED,
                redactor: Redactor | None = None) -> RequestKey:
    if redactor is not None and body is not None:
        body = redactor.json(body) if not isinstance(body, str) else redactor.text(body)
    parts = [p for p in path.split("/") if p][1:]  # after "openai"
    target = ""
    if len(parts) >= 3 and parts[0] == "deployments":
        target, parts = f"deployment {parts[1]}", parts[2:]
    elif isinstance(body, dict) and isinstance(body.get("model"), str):
        target = f"model {body['model']}"
    if isinstance(body, dict):
        ignore = set(ignored)
        body = {k: v for k, v in body.items()
                if k not in ignore and not (k == "stream" and v is False)}
        normalised = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    elif isinstance(body, str):
        normalised = body.strip()
    else:
        normalised = json.dumps(body)
    # Other query parameters choose what a GET returns (a page, a stream's tail): they
    # belong to the operation, so each page or tail matches its own recording.
    extra = sorted((k, redactor.text(v) if redactor is not None else v)
                   for k, v in query.items() if k != "api-version")
    operation = "/".join(parts) + (f"?{urlencode(extra)}" if extra else "")
    return RequestKey(method.upper(), target, operation, query.get("api-version", ""),
                      normalised, body)


class Matcher:
    """Looks requests up among recorded interactions."""

    def __init__(self, interactions: list[Interaction],
                 ignored: Iterable[str] = DEFAULT_IGNORED) -> None:
        self.ignored = tuple(ignored)
        self._redactor = Redactor()
        self._keys: list[tuple[RequestKey, Interaction]] = []
        self._by_key: dict[tuple, list[Interaction]] = defaultdict(list)
        self._turn: dict[tuple, int] = defaultdict(int)
        for item in interactions:
            key = request_key(item.method, item.path, item.query, item.request, self.ignored)
            self._keys.append((key, item))
            self._by_key[key.exact].append(item)

    def key_for(self, method: str, path: str, query: dict[str, str], body: Any) -> RequestKey:
        return request_key(method, path, query, body, self.ignored, self._redactor)

    def match(self, key: RequestKey) -> Interaction | None:
        found = self._by_key.get(key.exact)
        if not found:
            return None
        turn = self._turn[key.exact]
        self._turn[key.exact] = turn + 1
        return found[turn % len(found)]

    def explain_miss(self, key: RequestKey) -> tuple[str, str | None]:
        """A one-paragraph reason naming the closest recording and the field that differs,
        and that field's name (for the error's ``param``)."""
        if not self._keys:
            return "No recording matches: the recording is empty.", None
        best = min(self._keys, key=lambda pair: _distance(key, pair[0]))
        recorded, item = best
        field, ours, theirs = _first_difference(key, recorded)
        message = (f"No recording matches {key.describe()}. The closest is {item.name}, which "
                   f"differs in {field}: recorded {_short(theirs)}, this request has "
                   f"{_short(ours)}. Re-record with --record, or add --fallback generate to "
                   "answer unrecorded requests from the mock.")
        return message, field


def _distance(a: RequestKey, b: RequestKey) -> tuple[int, int]:
    route = (a.method != b.method) * 8 + (a.operation != b.operation) * 4 \
        + (a.target != b.target) * 2 + (a.api_version != b.api_version)
    return route, _body_distance(a.body, b.body)


def _body_distance(a: Any, b: Any) -> int:
    if isinstance(a, dict) and isinstance(b, dict):
        return sum(a.get(k) != b.get(k) for k in a.keys() | b.keys())
    return int(a != b)


def _first_difference(a: RequestKey, b: RequestKey) -> tuple[str, Any, Any]:
    for name in ("method", "operation", "target", "api_version"):
        if getattr(a, name) != getattr(b, name):
            label = {"target": "deployment or model", "api_version": "api-version"}.get(name, name)
            return label, getattr(a, name), getattr(b, name)
    found = _diff(a.body, b.body, "body")
    return found if found else ("body", a.body, b.body)


def _diff(a: Any, b: Any, where: str) -> tuple[str, Any, Any] | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(a.keys() | b.keys()):
            if a.get(k, _MISSING) != b.get(k, _MISSING):
                return _diff(a.get(k, _MISSING), b.get(k, _MISSING), f"{where}.{k}")
        return None
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            if x != y:
                return _diff(x, y, f"{where}[{i}]")
        if len(a) != len(b):
            return f"{where} (length)", len(a), len(b)
        return None
    return (where, a, b) if a != b else None


class _Missing:
    def __repr__(self) -> str:
        return "(absent)"


_MISSING = _Missing()


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, _Missing) else "(absent)"
    return text if len(text) <= 80 else text[:77] + "..."
