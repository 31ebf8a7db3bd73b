"""What a planner hands back (``Outcome``), what it is given (``Context``), and the pieces
the planners share: prompt text, the output limit, stop/filter/truncation, SSE framing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import orjson

from . import answers, filters, language
from .config import Deployment, MockConfig
from .tokenizer import Tokenizer, count, truncate

dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
DONE = b"data: [DONE]\n\n"
# Where orjson's bytes can differ from ``dumps``: it writes 1e-05 as 0.00001 and 1e-07 as
# 1e-7.  A match (even a false one inside a string) just takes the slow, reference path.
_SMALL_FLOAT = re.compile(rb"0\.0000|\de-\d(?!\d)")


def to_json(value: object) -> bytes:
    """``dumps(value)`` as UTF-8 bytes, byte for byte, at a fraction of the CPU (orjson)."""
    try:
        out = orjson.dumps(value)
    except TypeError:  # ints beyond 64 bits, non-str keys, lone surrogates: let json decide
        return dumps(value).encode()
    if (b"0.0000" in out or b"e-" in out) and _SMALL_FLOAT.search(out):
        return dumps(value).encode()
    return out


@dataclass
class Outcome:
    body: dict
    completion_tokens: int
    total_tokens: int
    events: Callable[[], list[bytes]] | None = None  # set when streaming
    encoded: bytes | None = None  # ``to_json(body)``, when made already (answer_cache.py)


@dataclass(frozen=True)
class Context:
    config: MockConfig
    deployment: Deployment
    tok: Tokenizer
    digest: str


def prompt_text(value: object, tok: Tokenizer) -> tuple[str, int]:
    """A prompt as text and its token count (token-id arrays are decoded)."""
    if isinstance(value, list):
        return tok.decode(value), len(value)
    text = str(value)
    return text, count(tok, text)


def output_limit(ctx: Context, requested: int | None, prompt_tokens: int) -> int:
    """The most completion tokens this answer may have."""
    dep = ctx.deployment
    if requested is not None:
        return requested
    room = max(dep.context_window - prompt_tokens, 0)
    cap = min(dep.max_output_tokens or room, room)
    return min(dep.default_max_tokens, cap) if dep.default_max_tokens else cap


def _cut_at_stop(text: str, stop: object) -> tuple[str, bool]:
    stops = [stop] if isinstance(stop, str) else (stop or [])
    cut = min((i for i in (text.find(s) for s in stops if s) if i >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)


def shape_text(ctx: Context, prompt: str, text: str, limit: int,
               stop: object) -> tuple[str, str, dict]:
    """Apply the completion filter, stop sequences and the token limit, in Azure's order."""
    results, blocked = filters.completion_results(ctx.config.filters, prompt, text)
    if blocked:
        pieces = ctx.tok.pieces(text)
        return "".join(pieces[: min(len(pieces) // 2, limit)]), "content_filter", results
    text, stopped = _cut_at_stop(text, stop)
    text, cut = truncate(ctx.tok, text, limit)
    return text, ("length" if cut and not stopped else "stop"), results


def logprob(piece: str) -> float:
    return -round((len(piece) % 7) * 0.0137 + 0.0001 * len(piece), 6)


def sse(chunk: dict) -> bytes:
    return b"data: " + to_json(chunk) + b"\n\n"


def include_usage(body: dict) -> bool:
    return bool((body.get("stream_options") or {}).get("include_usage"))


def end_of_stream(events: list[bytes], head: dict, usage: dict | None) -> list[bytes]:
    """The usage chunk (when asked for) and ``[DONE]`` after a stream's ``events``."""
    if usage is not None:
        events.append(sse({**head, "choices": [], "usage": usage}))
    events.append(DONE)
    return events


def sampled_answer(ctx: Context, prompt: str, body: dict, choice: int) -> str:
    """The answer for one choice: the temperature, the seed and the choice index pick the
    variant a real model's sampling would (answers.variant); high temperatures ramble."""
    temperature, seed = body.get("temperature"), body.get("seed")
    which = answers.variant(temperature, seed, choice)
    lang = language.detect(prompt)  # fallbacks in the prompt's language (English or Spanish)
    return answers.ramble(answers.answer_for(ctx.config, prompt, which, lang), temperature,
                          seed, choice, lang)
