"""Deterministic answers: canned ones from the config, else a readable fallback."""

from __future__ import annotations

import hashlib

from .config import MockConfig

_FALLBACK = (
    "This is a deterministic answer from the local Azure OpenAI mock. It does not run a "
    "model: the same request always gets the same reply, so lessons can check their outputs."
)


def answer_for(config: MockConfig, prompt: str) -> str:
    for canned in config.answers:
        if canned.pattern.search(prompt):
            return canned.answer
    return _FALLBACK


def count_tokens(text: str) -> int:
    """Approximate tokens (about four characters each); see the mock issue for tiktoken."""
    return max(1, (len(text) + 3) // 4) if text else 0


def request_digest(body: bytes, deployment: str) -> str:
    """A stable digest of a request, from which ids and timestamps are derived."""
    return hashlib.sha256(deployment.encode() + b"\0" + body).hexdigest()


def created_from(digest: str) -> int:
    # A fixed point in 2024 plus up to ~10 days, so `created` looks real and never varies.
    return 1_717_200_000 + int(digest[:8], 16) % 864_000
