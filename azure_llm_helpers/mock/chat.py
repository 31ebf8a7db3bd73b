"""``POST .../chat/completions``: the chat answer (text, tool calls, JSON) and its stream."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from . import answers, errors, filters
from .config import Deployment
from .outcome import (
    Context,
    Outcome,
    dumps,
    end_of_stream,
    include_usage,
    logprob,
    output_limit,
    shape_text,
    sse,
)
from .tokenizer import Tokenizer, count


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
            total += count(tok, dumps(m["tool_calls"]))
    for key in ("tools", "functions"):
        if body.get(key):
            total += count(tok, dumps(body[key]))
    return total


def _requested_tokens(dep: Deployment, body: dict, prompt_tokens: int) -> int | None:
    """The completion tokens asked for, or Azure's 400 when they or the prompt don't fit."""
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
    return requested


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


@dataclass
class _Reply:
    """The assistant's turn: text, or the tools/function it calls."""

    content: str | None
    finish: str
    filter_results: dict
    completion_tokens: int
    tool_calls: list[dict]
    function_call: dict | None


def _reply(ctx: Context, body: dict, prompt: str, limit: int) -> _Reply:
    last = body["messages"][-1]
    tool_calls: list[dict] = []
    function_call = None
    if last.get("role") in ("tool", "function"):
        raw = f"Based on the result I received: {_content_text(last.get('content'))}"
    else:
        tool_calls = _tool_calls(ctx, body, prompt)
        function_call = None if tool_calls else _function_call(body, prompt)
        raw = answers.answer_for(ctx.config, prompt)
    if tool_calls or function_call:
        finish = "tool_calls" if tool_calls else "function_call"
        return _Reply(None, finish, filters.CHOICE_SAFE,
                      count(ctx.tok, dumps(tool_calls or function_call)), tool_calls,
                      function_call)
    fmt = body.get("response_format") or {}
    if fmt.get("type") in ("json_object", "json_schema"):
        raw = answers.json_answer(fmt, prompt, raw)
    content, finish, cfr = shape_text(ctx, prompt, raw, limit, body.get("stop"))
    return _Reply(content, finish, cfr, count(ctx.tok, content), [], None)


def _logprobs(pieces: list[str], top: int) -> dict:
    def entry(p: str) -> dict:
        return {"token": p, "logprob": logprob(p), "bytes": list(p.encode())}

    return {"content": [{**entry(p), "top_logprobs": [entry(p)] * min(top, 1)}
                        for p in pieces], "refusal": None}


def plan_chat(ctx: Context, body: dict) -> Outcome:
    dep, messages = ctx.deployment, body["messages"]
    prompt_tokens = _chat_prompt_tokens(ctx.tok, body)
    requested = _requested_tokens(dep, body, prompt_tokens)
    whole_prompt = "\n".join(_content_text(m.get("content")) for m in messages)
    results, blocked = filters.prompt_results(ctx.config.filters, whole_prompt)
    if blocked:
        raise errors.content_filtered(results)
    prompt_filters = [{"prompt_index": 0, "content_filter_results": results}]
    user_turns = [m for m in messages if m.get("role") == "user"]
    prompt = _content_text(user_turns[-1].get("content")) if user_turns else whole_prompt
    reply = _reply(ctx, body, prompt, output_limit(ctx, requested, prompt_tokens))
    # Token pieces are only shown in logprobs and stream deltas; skip the work otherwise.
    want_pieces = reply.content and (body.get("logprobs") or body.get("stream"))
    pieces = ctx.tok.pieces(reply.content) if want_pieces else []
    message: dict = {"content": reply.content, "refusal": None, "role": "assistant"}
    if reply.tool_calls:
        message["tool_calls"] = reply.tool_calls
    if reply.function_call:
        message["function_call"] = reply.function_call
    n = body.get("n") or 1
    logprobs = _logprobs(pieces, body.get("top_logprobs") or 0) if body.get("logprobs") else None
    choices = [{"content_filter_results": reply.filter_results, "finish_reason": reply.finish,
                "index": i, "logprobs": logprobs, "message": message} for i in range(n)]
    completion_tokens = reply.completion_tokens * n
    usage = {"completion_tokens": completion_tokens, "prompt_tokens": prompt_tokens,
             "total_tokens": prompt_tokens + completion_tokens}
    head = {"created": answers.created_from(ctx.digest), "id": f"chatcmpl-{ctx.digest[:29]}",
            "model": dep.response_model}
    fingerprint = f"fp_{ctx.digest[29:39]}"
    payload = {"choices": choices, **head, "object": "chat.completion",
               "prompt_filter_results": prompt_filters, "system_fingerprint": fingerprint,
               "usage": usage}
    outcome = Outcome(payload, completion_tokens, usage["total_tokens"])
    if body.get("stream"):
        tail = {**head, "object": "chat.completion.chunk", "system_fingerprint": fingerprint}
        final_usage = None
        if include_usage(body):
            tail["usage"] = None
            final_usage = usage
        outcome.events = lambda: _events(tail, prompt_filters, n, reply, pieces, final_usage)
    return outcome


def _events(tail: dict, prompt_filters: list[dict], n: int, reply: _Reply, pieces: list[str],
            usage: dict | None) -> list[bytes]:
    out = [sse({"choices": [], "created": 0, "id": "", "model": "", "object": "",
                "prompt_filter_results": prompt_filters})]

    def chunk(i: int, delta: dict, finish: str | None, filt: dict) -> bytes:
        return sse({"choices": [{"content_filter_results": filt, "delta": delta,
                                 "finish_reason": finish, "index": i, "logprobs": None}],
                    **tail})

    cfr = reply.filter_results
    for i in range(n):
        out.append(chunk(i, {"content": "", "refusal": None, "role": "assistant"}, None, {}))
        for k, call in enumerate(reply.tool_calls):
            fn = call["function"]
            out.append(chunk(i, {"tool_calls": [{
                "index": k, "id": call["id"], "type": "function",
                "function": {"name": fn["name"], "arguments": ""}}]}, None, {}))
            out.append(chunk(i, {"tool_calls": [{
                "index": k, "function": {"arguments": fn["arguments"]}}]}, None, {}))
        if reply.function_call:
            out.append(chunk(i, {"function_call": reply.function_call}, None, {}))
        for piece in pieces:
            out.append(chunk(i, {"content": piece}, None, filters.CHOICE_SAFE))
        out.append(chunk(i, {}, reply.finish, {} if cfr is filters.CHOICE_SAFE else cfr))
    return end_of_stream(out, tail, usage)
