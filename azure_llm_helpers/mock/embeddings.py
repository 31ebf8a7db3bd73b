"""``POST .../embeddings``: deterministic unit vectors that keep similarity demos working."""

from __future__ import annotations

import base64
import hashlib
import random
import re
from array import array
from functools import lru_cache

from . import errors
from .outcome import Context, Outcome, prompt_text

_WORDS = re.compile(r"\w+")


@lru_cache(maxsize=2048)
def _vector(text: str, dims: int) -> tuple[float, ...]:
    """A unit vector; texts sharing words get similar vectors, so similarity demos work."""
    seed = hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=8).digest()
    rng = random.Random(seed)
    vec = [(rng.random() - 0.5) * 0.3 for _ in range(dims)]
    for word in _WORDS.findall(text.lower())[:512]:
        h = hashlib.blake2b(word.encode(), digest_size=16).digest()
        for k in range(0, 16, 2):
            index = (h[k] << 8 | h[k + 1]) % dims
            vec[index] += 1.0 if h[k] & 1 else -1.0
    norm = sum(v * v for v in vec) ** 0.5 or 1.0
    return tuple(v / norm for v in vec)


def plan_embeddings(ctx: Context, body: dict) -> Outcome:
    dep, tok = ctx.deployment, ctx.tok
    raw = body["input"]
    items = [raw] if isinstance(raw, str) or (raw and isinstance(raw[0], int)) else raw
    dims = body.get("dimensions")
    if dims is not None and not dep.accepts_dimensions:
        raise errors.invalid_request("This model does not support specifying dimensions.")
    if dims is not None and dims > dep.dimensions:
        raise errors.invalid_request(
            f"Invalid 'dimensions': integer above maximum value. Expected a value <= "
            f"{dep.dimensions}, but got {dims} instead.", "dimensions",
            "integer_above_max_value")
    data, total = [], 0
    as_base64 = body.get("encoding_format") == "base64"
    for i, item in enumerate(items):
        text, ntok = prompt_text(item, tok)
        if ntok > dep.context_window:
            raise errors.invalid_request(
                f"This model's maximum context length is {dep.context_window} tokens, however "
                f"you requested {ntok} tokens ({ntok} in your prompt; 0 for the completion). "
                "Please reduce your prompt; or completion length.")
        total += ntok
        vec = _vector(text, dep.dimensions)
        if dims is not None and dims < len(vec):
            cut = vec[:dims]
            norm = sum(v * v for v in cut) ** 0.5 or 1.0
            vec = tuple(v / norm for v in cut)
        embedding: object = (base64.b64encode(array("f", vec).tobytes()).decode()
                             if as_base64 else list(vec))
        data.append({"object": "embedding", "index": i, "embedding": embedding})
    payload = {"object": "list", "data": data, "model": dep.model,
               "usage": {"prompt_tokens": total, "total_tokens": total}}
    return Outcome(payload, 0, total)
