"""Chat completions: the body Azure sends, its stream, and reasoning deployments' rules.

Each of ``n`` choices gets its own sampled answer (``outcome.sampled_answer``).  On a
reasoning deployment (``kind = "reasoning"``) the request is checked against the model's
rules first (reasoning.py), and the reasoning tokens it spends count against
``max_completion_tokens``: a small budget can be used up before any visible text, which
then ends empty with ``finish_reason: "length"``, as on Azure.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from . import answers, errors, filters, reasoning
from .outcome import (
    Context,
    Outcome,
    dumps,
    end_of_stream,
    include_usage,
    logprob,
    output_limit,
    sampled_answer,
    shape_text,
    sse,
)
from .tokenizer import Tokenizer, count


@dataclass
class _Choice:
    content: str | None
    finish: str
    filters: dict
    tokens: int  # visible completion tokens
    thinking: int = 0  # reasoning tokens
    pieces: list[str] = field(default_factory=list)


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


def _effort(ctx: Context, body: dict) -> str | None:
    """The reasoning effort in force (None on an ordinary chat deployment); raises Azure's
    400 for parameters the deployment's model does not take."""
    dep = ctx.deployment
    rules = reasoning.rules_for(dep)
    try:
        if rules is None:
            if body.get("reasoning_effort") is not None:
                raise reasoning.not_a_reasoning_model("reasoning_effort")
            return None
        chosen = reasoning.effort(rules, body.get("reasoning_effort"), "reasoning_effort",
                                  dep.model)
        reasoning.check_sampling(rules, body, chosen, "max_tokens")
    except reasoning.Refused as refused:
        raise errors.invalid_request(*refused.args) from None
    return chosen


def _check_limits(ctx: Context, body: dict, prompt_tokens: int) -> int | None:
    """The requested output cap, after Azure's length checks."""
    dep = ctx.deployment
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


def _choice(ctx: Context, body: dict, prompt: str, raw: str | None, limit: int,
            thinking: int) -> _Choice:
    """One choice's text, shaped by the filter, stop sequences and what reasoning left."""
    if thinking >= limit:  # the whole budget went on reasoning
        return _Choice("", "length", filters.CHOICE_SAFE, 0, limit)
    content, finish, cfr = shape_text(ctx, prompt, raw or "", limit - thinking,
                                      body.get("stop"))
    return _Choice(content, finish, cfr, count(ctx.tok, content), thinking)


def plan_chat(ctx: Context, body: dict) -> Outcome:
    tok = ctx.tok
    messages = body["messages"]
    effort = _effort(ctx, body)
    prompt_tokens = _chat_prompt_tokens(tok, body)
    limit = output_limit(ctx, _check_limits(ctx, body, prompt_tokens), prompt_tokens)
    whole_prompt = "\n".join(_content_text(m.get("content")) for m in messages)
    results, blocked = filters.prompt_results(ctx.config.filters, whole_prompt)
    if blocked:
        raise errors.content_filtered(results)

    last = messages[-1]
    user_turns = [m for m in messages if m.get("role") == "user"]
    prompt = _content_text(user_turns[-1].get("content")) if user_turns else whole_prompt
    thinking = reasoning.thinking_tokens(effort, ctx.digest) if effort else 0
    tool_calls: list[dict] = []
    function_call = None
    if last.get("role") not in ("tool", "function") and (not effort or thinking < limit):
        tool_calls = _tool_calls(ctx, body, prompt)
        function_call = None if tool_calls else _function_call(body, prompt)
    fmt = body.get("response_format") or {}
    choices = []
    for i in range(body.get("n") or 1):
        if tool_calls or function_call:
            calls = dumps(tool_calls or function_call)
            choices.append(_Choice(None, "tool_calls" if tool_calls else "function_call",
                                   filters.CHOICE_SAFE, count(tok, calls), thinking))
            continue
        if last.get("role") in ("tool", "function"):
            raw = f"Based on the result I received: {_content_text(last.get('content'))}"
        else:
            raw = sampled_answer(ctx, prompt, body, i)
        if fmt.get("type") in ("json_object", "json_schema"):
            raw = answers.json_answer(fmt, prompt, raw)
        choices.append(_choice(ctx, body, prompt, raw, limit, thinking))
    return _outcome(ctx, body, choices, prompt_tokens, results, tool_calls, function_call,
                    effort is not None)


def _logprobs(body: dict, pieces: list[str]) -> dict | None:
    if not body.get("logprobs"):
        return None
    top = body.get("top_logprobs") or 0

    def entry(p: str) -> dict:
        return {"token": p, "logprob": logprob(p), "bytes": list(p.encode())}

    return {"content": [{**entry(p), "top_logprobs": [entry(p)] * min(top, 1)}
                        for p in pieces], "refusal": None}


def _usage(choices: list[_Choice], prompt_tokens: int, reasons: bool) -> dict:
    completion = sum(c.tokens + c.thinking for c in choices)
    usage: dict = {"completion_tokens": completion, "prompt_tokens": prompt_tokens,
                   "total_tokens": prompt_tokens + completion}
    if reasons:
        usage["completion_tokens_details"] = {
            "accepted_prediction_tokens": 0, "audio_tokens": 0,
            "reasoning_tokens": sum(c.thinking for c in choices),
            "rejected_prediction_tokens": 0}
        usage["prompt_tokens_details"] = {"audio_tokens": 0, "cached_tokens": 0}
    return usage


def _outcome(ctx: Context, body: dict, choices: list[_Choice], prompt_tokens: int,
             prompt_results: dict, tool_calls: list[dict], function_call: dict | None,
             reasons: bool) -> Outcome:
    # Token pieces are only shown in logprobs and stream deltas; skip the work otherwise.
    if body.get("logprobs") or body.get("stream"):
        for c in choices:
            c.pieces = ctx.tok.pieces(c.content) if c.content else []
    bodies = []
    for i, c in enumerate(choices):
        message: dict = {"content": c.content, "refusal": None, "role": "assistant"}
        if tool_calls:
            message["tool_calls"] = tool_calls
        if function_call:
            message["function_call"] = function_call
        bodies.append({"content_filter_results": c.filters, "finish_reason": c.finish,
                       "index": i, "logprobs": _logprobs(body, c.pieces), "message": message})
    usage = _usage(choices, prompt_tokens, reasons)
    head = {"created": answers.created_from(ctx.digest), "id": f"chatcmpl-{ctx.digest[:29]}",
            "model": ctx.deployment.response_model}
    fingerprint = f"fp_{ctx.digest[29:39]}"
    prompt_filters = [{"prompt_index": 0, "content_filter_results": prompt_results}]
    payload = {"choices": bodies, **head, "object": "chat.completion",
               "prompt_filter_results": prompt_filters, "system_fingerprint": fingerprint,
               "usage": usage}
    outcome = Outcome(payload, usage["completion_tokens"], usage["total_tokens"])
    if body.get("stream"):
        tail = {**head, "object": "chat.completion.chunk", "system_fingerprint": fingerprint}
        final_usage = usage if include_usage(body) else None
        if final_usage is not None:
            tail["usage"] = None
        outcome.events = lambda: _events(choices, tail, prompt_filters, tool_calls,
                                         function_call, final_usage)
    return outcome


def _events(choices: list[_Choice], tail: dict, prompt_filters: list, tool_calls: list[dict],
            function_call: dict | None, usage: dict | None) -> list[bytes]:
    """The SSE stream, in the order Azure sends it (docs/fidelity.md, "Streaming")."""
    out = [sse({"choices": [], "created": 0, "id": "", "model": "", "object": "",
                "prompt_filter_results": prompt_filters})]

    def chunk(i: int, delta: dict, finish: str | None, filt: dict) -> bytes:
        return sse({"choices": [{"content_filter_results": filt, "delta": delta,
                                 "finish_reason": finish, "index": i, "logprobs": None}],
                    **tail})

    for i, c in enumerate(choices):
        out.append(chunk(i, {"content": "", "refusal": None, "role": "assistant"}, None, {}))
        for k, call in enumerate(tool_calls):
            fn = call["function"]
            out.append(chunk(i, {"tool_calls": [{
                "index": k, "id": call["id"], "type": "function",
                "function": {"name": fn["name"], "arguments": ""}}]}, None, {}))
            out.append(chunk(i, {"tool_calls": [{
                "index": k, "function": {"arguments": fn["arguments"]}}]}, None, {}))
        if function_call:
            out.append(chunk(i, {"function_call": function_call}, None, {}))
        for piece in c.pieces:
            out.append(chunk(i, {"content": piece}, None, filters.CHOICE_SAFE))
        out.append(chunk(i, {}, c.finish, {} if c.filters is filters.CHOICE_SAFE else c.filters))
    return end_of_stream(out, tail, usage)
