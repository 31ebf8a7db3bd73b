"""Request bodies parsed as RFC 8259 defines JSON, as Azure's front end does.

Python's ``json`` is lenient where Azure is not: it accepts ``NaN``, ``Infinity`` and
``1e999`` (read as infinity), keeps the last of two equal keys, and lets ``"\\ud800"``
(half a surrogate pair) through as a string no encoder can write back.  ``parse`` refuses
all of these, and anything that is not UTF-8, with ``JSONRejected``; app.py answers it
with Azure's "could not parse" 400 (docs/fidelity.md, "Strict JSON and request size").
"""

from __future__ import annotations

import json
import math
import re

# A \uD800-\uDFFF escape: the only way a surrogate can reach a parsed string, because
# strict UTF-8 decoding already refuses encoded surrogates.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class JSONRejected(ValueError):
    """The body is not RFC 8259 JSON; the message says why (for logs and tests)."""


def _no_constants(name: str) -> object:
    raise JSONRejected(f"{name} is not a JSON value")


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        duplicate = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise JSONRejected(f"duplicate key {duplicate!r}")
    return result


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):  # 1e999: a number no IEEE double holds (RFC 8259 section 6)
        raise JSONRejected(f"number out of range: {text[:20]}")
    return value


_DECODER = json.JSONDecoder(parse_constant=_no_constants, object_pairs_hook=_unique_keys,
                            parse_float=_finite)


def _check_surrogates(value: object) -> None:
    if isinstance(value, str):
        if _SURROGATE.search(value):
            raise JSONRejected("lone surrogate in a string")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_surrogates(key)
            _check_surrogates(item)
    elif isinstance(value, list):
        for item in value:
            _check_surrogates(item)


def parse(raw: bytes) -> object:
    """The JSON value in ``raw``; raises ``JSONRejected`` for anything RFC 8259 forbids."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # RFC 8259 section 8.1: a parser MAY ignore a byte order mark
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise JSONRejected("body is not UTF-8") from None
    try:
        value = _DECODER.decode(text)
    except JSONRejected:
        raise
    except (ValueError, RecursionError) as exc:
        raise JSONRejected(str(exc)) from None
    if _SURROGATE_ESCAPE.search(raw):
        # Pairs were joined by the decoder; whatever surrogate is left stands alone.
        try:
            _check_surrogates(value)
        except RecursionError:
            raise JSONRejected("nested too deeply") from None
    return value
