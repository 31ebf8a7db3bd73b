"""``POST .../completions``: the legacy completions answer and its stream."""

from __future__ import annotations

from . import answers, errors, filters
from .outcome import (
    Context,
    Outcome,
    end_of_stream,
    include_usage,
    logprob,
    output_limit,
    prompt_text,
    sampled_answer,
    shape_text,
    sse,
)
from .tokenizer import count


def _split_prompts(prompt: object) -> list[object]:
    if isinstance(prompt, str):
        return [prompt]
    assert isinstance(prompt, list)
    if prompt and all(isinstance(p, int) for p in prompt):
        return [prompt]  # one prompt given as token ids
    return list(prompt)


def _prompt_filters(ctx: Context, prompts: list[tuple[str, int]]) -> list[dict]:
    """Each prompt's filter annotations; a blocked prompt is Azure's 400 content_filter."""
    annotated = []
    for i, (text, _) in enumerate(prompts):
        results, blocked = filters.prompt_results(ctx.config.filters, text)
        if blocked:
            raise errors.content_filtered(results)
        annotated.append({"prompt_index": i, "content_filter_results": results})
    return annotated


def _logprobs(pieces: list[str], top: int) -> dict:
    offsets, pos = [], 0
    for p in pieces:
        offsets.append(pos)
        pos += len(p)
    return {"tokens": pieces, "token_logprobs": [logprob(p) for p in pieces],
            "top_logprobs": [{p: logprob(p)} for p in pieces] if top else None,
            "text_offset": offsets}


def plan_completions(ctx: Context, body: dict) -> Outcome:
    dep, tok = ctx.deployment, ctx.tok
    prompts = [prompt_text(p, tok) for p in _split_prompts(body["prompt"])]
    prompt_tokens = sum(n for _, n in prompts)
    n = body.get("n") or 1
    requested = body.get("max_tokens")
    largest = max(n for _, n in prompts)
    if requested is not None and largest + requested > dep.context_window:
        raise errors.invalid_request(
            f"This model's maximum context length is {dep.context_window} tokens, however you "
            f"requested {largest + requested} tokens ({largest} in your prompt; {requested} for "
            "the completion). Please reduce your prompt; or completion length.")
    prompt_filters = _prompt_filters(ctx, prompts)
    choices, completion_tokens, streams = [], 0, []
    for text, ntok in prompts:
        for choice in range(n):  # each choice is its own sample
            out, finish, cfr = shape_text(ctx, text, sampled_answer(ctx, text, body, choice),
                                          output_limit(ctx, requested, ntok), body.get("stop"))
            if body.get("echo"):
                out = text + out
            index = len(choices)
            pieces = tok.pieces(out)
            logprobs = (None if body.get("logprobs") is None
                        else _logprobs(pieces, body["logprobs"]))
            choices.append({"text": out, "index": index, "finish_reason": finish,
                            "logprobs": logprobs, "content_filter_results": cfr})
            streams.append((index, pieces, finish, cfr))
            completion_tokens += count(tok, out)
    usage = {"completion_tokens": completion_tokens, "prompt_tokens": prompt_tokens,
             "total_tokens": prompt_tokens + completion_tokens}
    head = {"id": f"cmpl-{ctx.digest[:29]}", "object": "text_completion",
            "created": answers.created_from(ctx.digest), "model": dep.response_model}
    payload = {**head, "choices": choices, "prompt_filter_results": prompt_filters,
               "usage": usage}
    outcome = Outcome(payload, completion_tokens, usage["total_tokens"])
    if body.get("stream"):
        final_usage = usage if include_usage(body) else None
        outcome.events = lambda: _events(head, prompt_filters, streams, final_usage)
    return outcome


def _events(head: dict, prompt_filters: list[dict], streams: list[tuple],
            usage: dict | None) -> list[bytes]:
    out = [sse({"id": "", "object": "", "created": 0, "model": "",
                "prompt_filter_results": prompt_filters, "choices": []})]
    for index, pieces, finish, cfr in streams:
        for piece in pieces:
            out.append(sse({**head, "choices": [{
                "text": piece, "index": index, "logprobs": None, "finish_reason": None,
                "content_filter_results": filters.CHOICE_SAFE}]}))
        out.append(sse({**head, "choices": [{
            "text": "", "index": index, "logprobs": None, "finish_reason": finish,
            "content_filter_results": cfr}]}))
    return end_of_stream(out, head, usage)
