"""What each operation answers: the body Azure would send, and its stream of events.

Each planner, ``plan_x(ctx, body)``, turns a validated request into an ``Outcome`` (the
JSON body, the SSE events when streaming, and token counts for rate limits and latency)
or raises Azure's error (``errors.AzureError``).  Nothing here touches the network.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from . import answers, errors, filters
from .config import Deployment, MockConfig
from .tokenizer import Tokenizer, count, truncate

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_WORDS = re.compile(r"\w+")


@dataclass
class Outcome:
    body: dict
    completion_tokens: int
    total_tokens: int
    events: Callable[[], list[bytes]] | None = None  # set when streaming


@dataclass(frozen=True)
class Context:
    config: MockConfig
    deployment: Deployment
    tok: Tokenizer
    digest: str


def _prompt_text(value: object, tok: Tokenizer) -> tuple[str, int]:
    """A prompt as text and its token count (token-id arrays are decoded)."""
    if isinstance(value, list):
        return tok.decode(value), len(value)
    text = str(value)
    return text, count(tok, text)


def _split_prompts(prompt: object) -> list[object]:
    if isinstance(prompt, str):
        return [prompt]
    assert isinstance(prompt, list)
    if prompt and all(isinstance(p, int) for p in prompt):
        return [prompt]  # one prompt given as token ids
    return list(prompt)


def _cut_at_stop(text: str, stop: object) -> tuple[str, bool]:
    stops = [stop] if isinstance(stop, str) else (stop or [])
    cut = min((i for i in (text.find(s) for s in stops if s) if i >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)


def _limit(ctx: Context, requested: int | None, prompt_tokens: int) -> int:
    dep = ctx.deployment
    if requested is not None:
        return requested
    room = max(dep.context_window - prompt_tokens, 0)
    cap = min(dep.max_output_tokens or room, room)
    return min(dep.default_max_tokens, cap) if dep.default_max_tokens else cap


def _shape_text(ctx: Context, prompt: str, text: str, limit: int,
                stop: object) -> tuple[str, str, dict]:
    """Apply the completion filter, stop sequences and the token limit, in Azure's order."""
    results, blocked = filters.completion_results(ctx.config.filters, prompt, text)
    if blocked:
        pieces = ctx.tok.pieces(text)
        return "".join(pieces[: min(len(pieces) // 2, limit)]), "content_filter", results
    text, stopped = _cut_at_stop(text, stop)
    text, cut = truncate(ctx.tok, text, limit)
    return text, ("length" if cut and not stopped else "stop"), results


def _logprob(piece: str) -> float:
    return -round((len(piece) % 7) * 0.0137 + 0.0001 * len(piece), 6)


def _sse(chunk: dict) -> bytes:
    return b"data: " + _dumps(chunk).encode() + b"\n\n"


_DONE = b"data: [DONE]\n\n"


# --- completions --------------------------------------------------------------------------

def plan_completions(ctx: Context, body: dict) -> Outcome:
    dep, tok = ctx.deployment, ctx.tok
    prompts = [_prompt_text(p, tok) for p in _split_prompts(body["prompt"])]
    prompt_tokens = sum(n for _, n in prompts)
    n = body.get("n") or 1
    requested = body.get("max_tokens")
    largest = max(n for _, n in prompts)
    if requested is not None and largest + requested > dep.context_window:
        raise errors.invalid_request(
            f"This model's maximum context length is {dep.context_window} tokens, however you "
            f"requested {largest + requested} tokens ({largest} in your prompt; {requested} for "
            "the completion). Please reduce your prompt; or completion length.")
    prompt_filters = []
    for i, (text, _) in enumerate(prompts):
        results, blocked = filters.prompt_results(ctx.config.filters, text)
        if blocked:
            raise errors.content_filtered(results)
        prompt_filters.append({"prompt_index": i, "content_filter_results": results})
    choices, completion_tokens, streams = [], 0, []
    for text, ntok in prompts:
        limit = _limit(ctx, requested, ntok)
        out, finish, cfr = _shape_text(ctx, text, answers.answer_for(ctx.config, text), limit,
                                       body.get("stop"))
        if body.get("echo"):
            out = text + out
        for _ in range(n):
            index = len(choices)
            logprobs = None
            pieces = tok.pieces(out)
            if body.get("logprobs") is not None:
                offsets, pos = [], 0
                for p in pieces:
                    offsets.append(pos)
                    pos += len(p)
                logprobs = {"tokens": pieces, "token_logprobs": [_logprob(p) for p in pieces],
                            "top_logprobs": [{p: _logprob(p)} for p in pieces]
                            if body["logprobs"] else None,
                            "text_offset": offsets}
            choices.append({"text": out, "index": index, "finish_reason": finish,
                            "logprobs": logprobs, "content_filter_results": cfr})
            streams.append((index, pieces, finish, cfr))
            completion_tokens += count(tok, out)
    usage = {"completion_tokens": completion_tokens, "prompt_tokens": prompt_tokens,
             "total_tokens": prompt_tokens + completion_tokens}
    cid = f"cmpl-{ctx.digest[:29]}"
    created = answers.created_from(ctx.digest)
    payload = {"id": cid, "object": "text_completion", "created": created,
               "model": dep.response_model, "choices": choices,
               "prompt_filter_results": prompt_filters, "usage": usage}
    outcome = Outcome(payload, completion_tokens, usage["total_tokens"])
    if body.get("stream"):
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))

        def events() -> list[bytes]:
            head = {"id": cid, "object": "text_completion", "created": created,
                    "model": dep.response_model}
            out = [_sse({"id": "", "object": "", "created": 0, "model": "",
                         "prompt_filter_results": prompt_filters, "choices": []})]
            for index, pieces, finish, cfr in streams:
                for piece in pieces:
                    out.append(_sse({**head, "choices": [{
                        "text": piece, "index": index, "logprobs": None, "finish_reason": None,
                        "content_filter_results": filters.CHOICE_SAFE}]}))
                out.append(_sse({**head, "choices": [{
                    "text": "", "index": index, "logprobs": None, "finish_reason": finish,
                    "content_filter_results": cfr}]}))
            if include_usage:
                out.append(_sse({**head, "choices": [], "usage": usage}))
            out.append(_DONE)
            return out

        outcome.events = events
    return outcome


# --- chat ---------------------------------------------------------------------------------

def _content_text(content: object) -> str:
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content
                        if isinstance(p, dict) and p.get("type") == "text")
    return "" if content is None else str(content)


def _chat_prompt_tokens(tok: Tokenizer, body: dict) -> int:
    # The cookbook's count for chat models: 3 per message, its fields, and 3 to prime the reply.
    total = 3
    for m in body["messages"]:
        total += 3 + count(tok, m.get("role", "")) + count(tok, _content_text(m.get("content")))
        if m.get("name"):
            total += 1 + count(tok, str(m["name"]))
        if m.get("tool_calls"):
            total += count(tok, _dumps(m["tool_calls"]))
    for key in ("tools", "functions"):
        if body.get(key):
            total += count(tok, _dumps(body[key]))
    return total


def _tool_calls(ctx: Context, body: dict, prompt: str) -> list[dict]:
    tools = body.get("tools") or []
    parallel = body.get("parallel_tool_calls", True) is not False
    picked = answers.pick_tools(tools, body.get("tool_choice"), prompt, parallel)
    return [{"id": f"call_{hashlib.sha256((ctx.digest + str(i)).encode()).hexdigest()[:24]}",
             "type": "function",
             "function": {"name": f["name"], "arguments": answers.tool_arguments(f, prompt)}}
            for i, f in enumerate(picked)]


def _function_call(body: dict, prompt: str) -> dict | None:
    functions = body.get("functions") or []
    choice = body.get("function_call")
    if not functions or choice == "none":
        return None
    tools = [{"type": "function", "function": f} for f in functions]
    named = {"function": choice} if isinstance(choice, dict) else "auto"
    picked = answers.pick_tools(tools, named, prompt, False)
    if not picked:
        return None
    return {"name": picked[0]["name"], "arguments": answers.tool_arguments(picked[0], prompt)}


def plan_chat(ctx: Context, body: dict) -> Outcome:
    dep, tok = ctx.deployment, ctx.tok
    messages = body["messages"]
    prompt_tokens = _chat_prompt_tokens(tok, body)
    requested = body.get("max_completion_tokens") or body.get("max_tokens")
    param = "max_completion_tokens" if body.get("max_completion_tokens") else "max_tokens"
    if requested is not None and requested > dep.max_output_tokens:
        raise errors.invalid_request(
            f"{param} is too large: {requested}. This model supports at most "
            f"{dep.max_output_tokens} completion tokens, whereas you provided {requested}.",
            param, "invalid_value")
    if prompt_tokens > dep.context_window:
        raise errors.invalid_request(
            f"This model's maximum context length is {dep.context_window} tokens. However, your "
            f"messages resulted in {prompt_tokens} tokens. Please reduce the length of the "
            "messages.", "messages", "context_length_exceeded")
    if requested is not None and prompt_tokens + requested > dep.context_window:
        raise errors.invalid_request(
            f"This model's maximum context length is {dep.context_window} tokens. However, you "
            f"requested {prompt_tokens + requested} tokens ({prompt_tokens} in the messages, "
            f"{requested} in the completion). Please reduce the length of the messages or "
            "completion.", "messages", "context_length_exceeded")
    whole_prompt = "\n".join(_content_text(m.get("content")) for m in messages)
    results, blocked = filters.prompt_results(ctx.config.filters, whole_prompt)
    if blocked:
        raise errors.content_filtered(results)
    prompt_filters = [{"prompt_index": 0, "content_filter_results": results}]

    last = messages[-1]
    user_turns = [m for m in messages if m.get("role") == "user"]
    prompt = _content_text(user_turns[-1].get("content")) if user_turns else whole_prompt
    limit = _limit(ctx, requested, prompt_tokens)
    tool_calls: list[dict] = []
    function_call = None
    if last.get("role") in ("tool", "function"):
        raw = f"Based on the result I received: {_content_text(last.get('content'))}"
    else:
        tool_calls = _tool_calls(ctx, body, prompt)
        function_call = None if tool_calls else _function_call(body, prompt)
        raw = answers.answer_for(ctx.config, prompt)
    fmt = body.get("response_format") or {}
    if fmt.get("type") in ("json_object", "json_schema") and not (tool_calls or function_call):
        raw = answers.json_answer(fmt, prompt, raw)
    if tool_calls or function_call:
        content, finish, cfr = None, "tool_calls" if tool_calls else "function_call", \
            filters.CHOICE_SAFE
        calls_text = _dumps(tool_calls or function_call)
        completion_tokens = count(tok, calls_text)
    else:
        content, finish, cfr = _shape_text(ctx, prompt, raw, limit, body.get("stop"))
        completion_tokens = count(tok, content)
    # Token pieces are only shown in logprobs and stream deltas; skip the work otherwise.
    want_pieces = content and (body.get("logprobs") or body.get("stream"))
    pieces = tok.pieces(content) if want_pieces else []
    logprobs = None
    if body.get("logprobs"):
        top = body.get("top_logprobs") or 0

        def entry(p: str) -> dict:
            return {"token": p, "logprob": _logprob(p), "bytes": list(p.encode())}

        logprobs = {"content": [{**entry(p), "top_logprobs": [entry(p)] * min(top, 1)}
                                for p in pieces], "refusal": None}
    message: dict = {"content": content, "refusal": None, "role": "assistant"}
    if tool_calls:
        message["tool_calls"] = tool_calls
    if function_call:
        message["function_call"] = function_call
    n = body.get("n") or 1
    choices = [{"content_filter_results": cfr, "finish_reason": finish, "index": i,
                "logprobs": logprobs, "message": message} for i in range(n)]
    completion_tokens *= n
    usage = {"completion_tokens": completion_tokens, "prompt_tokens": prompt_tokens,
             "total_tokens": prompt_tokens + completion_tokens}
    cid = f"chatcmpl-{ctx.digest[:29]}"
    created = answers.created_from(ctx.digest)
    fingerprint = f"fp_{ctx.digest[29:39]}"
    payload = {"choices": choices, "created": created, "id": cid,
               "model": dep.response_model, "object": "chat.completion",
               "prompt_filter_results": prompt_filters, "system_fingerprint": fingerprint,
               "usage": usage}
    outcome = Outcome(payload, completion_tokens, usage["total_tokens"])
    if body.get("stream"):
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))

        def events() -> list[bytes]:
            tail = {"created": created, "id": cid, "model": dep.response_model,
                    "object": "chat.completion.chunk", "system_fingerprint": fingerprint}
            if include_usage:
                tail["usage"] = None
            out = [_sse({"choices": [], "created": 0, "id": "", "model": "", "object": "",
                         "prompt_filter_results": prompt_filters})]

            def chunk(i: int, delta: dict, finish: str | None, filt: dict) -> bytes:
                return _sse({"choices": [{"content_filter_results": filt, "delta": delta,
                                          "finish_reason": finish, "index": i,
                                          "logprobs": None}], **tail})

            for i in range(n):
                out.append(chunk(i, {"content": "", "refusal": None, "role": "assistant"},
                                 None, {}))
                for k, call in enumerate(tool_calls):
                    fn = call["function"]
                    out.append(chunk(i, {"tool_calls": [{
                        "index": k, "id": call["id"], "type": "function",
                        "function": {"name": fn["name"], "arguments": ""}}]}, None, {}))
                    out.append(chunk(i, {"tool_calls": [{
                        "index": k, "function": {"arguments": fn["arguments"]}}]}, None, {}))
                if function_call:
                    out.append(chunk(i, {"function_call": function_call}, None, {}))
                for piece in pieces:
                    out.append(chunk(i, {"content": piece}, None, filters.CHOICE_SAFE))
                out.append(chunk(i, {}, finish, {} if cfr is filters.CHOICE_SAFE else cfr))
            if include_usage:
                out.append(_sse({**tail, "choices": [], "usage": usage}))
            out.append(_DONE)
            return out

        outcome.events = events
    return outcome


# --- embeddings ---------------------------------------------------------------------------

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
        text, ntok = _prompt_text(item, tok)
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


PLANNERS = {"completions": plan_completions, "chat": plan_chat, "embeddings": plan_embeddings}
