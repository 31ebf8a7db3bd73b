"""``POST /responses``: the response object a request gets, stored when ``store`` is on.

``plan_responses(ctx, body, store)`` checks the deployment-dependent rules, continues the
stored conversation, decides the output items (reasoning, function calls or a message),
applies ``max_output_tokens`` and the content filter, and returns an ``Outcome`` whose
``events`` (when streaming) replay the same response as typed SSE events.  Ids and
timestamps derive from the request digest, so the same request gives the same body.
"""

from __future__ import annotations

import json

from .. import answers, errors, filters
from ..outcome import Context, Outcome
from ..tokenizer import Tokenizer, count
from . import checks as c
from . import reasoning
from .background import BackgroundRun
from .conversation import Turn, build_turn
from .events import stream_events
from .items import render, stable_id
from .store import ResponseStore, StoredResponse

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_CACHE_MIN, _CACHE_STEP = 1024, 128  # prompt caching: prefixes of 1024+ tokens, 128 steps


_id = stable_id  # ids of this response's parts, stable for the same request


def _logprob(piece: str) -> float:
    return -round((len(piece) % 7) * 0.0137 + 0.0001 * len(piece), 6)


def _limits(ctx: Context, body: dict, turn: Turn) -> int:
    """The output budget (reasoning + visible tokens); raises for impossible requests."""
    dep = ctx.deployment
    requested = body.get("max_output_tokens")
    if requested is not None and dep.max_output_tokens and requested > dep.max_output_tokens:
        raise c.invalid(f"Invalid 'max_output_tokens': integer above maximum value. Expected "
                        f"a value <= {dep.max_output_tokens}, but got {requested} instead.",
                        "max_output_tokens", "integer_above_max_value")
    if turn.input_tokens > dep.context_window:
        raise c.invalid("Your input exceeds the context window of this model. Please adjust "
                        "your input and try again.", "input", "context_length_exceeded")
    room = dep.context_window - turn.input_tokens
    cap = min(dep.max_output_tokens or room, room)
    return min(requested, cap) if requested is not None else cap


def _tools_called(body: dict, turn: Turn) -> list[dict]:
    """The function tools the "model" calls (none when it is answering tool outputs)."""
    if turn.tool_outputs or not body.get("tools"):
        return []
    offered = [{"type": "function", "function": t} for t in body["tools"]]
    choice = body.get("tool_choice")
    if isinstance(choice, dict):
        choice = {"function": {"name": choice.get("name")}}
    parallel = body.get("parallel_tool_calls", True) is not False
    return answers.pick_tools(offered, choice, turn.prompt, parallel)


def _fit(tok: Tokenizer, text: str, budget: int) -> tuple[str, int, list[str] | None]:
    """``text`` cut to ``budget`` tokens: (text, its token count, its pieces if it was cut).

    One tokenizer pass when nothing is cut, three when it is (tokenizer.truncate's way,
    keeping the pieces for the stream)."""
    used = count(tok, text)
    if used <= budget:
        return text, used, None
    pieces = tok.pieces(text)[:budget]
    # Re-encoding a prefix can merge differently at the cut; never exceed the budget.
    while pieces and (used := count(tok, "".join(pieces))) > budget:
        pieces.pop()
    return "".join(pieces), used if pieces else 0, pieces


def _answer_text(ctx: Context, body: dict, turn: Turn) -> str:
    if turn.tool_outputs:
        raw = "Based on the result I received: " + "; ".join(turn.tool_outputs)
    else:
        raw = answers.answer_for(ctx.config, turn.prompt)
        earlier = [i for i in turn.items[:-1] if i.get("role") == "user"]
        if earlier and raw == answers.fallback(turn.prompt):
            # A continued conversation reads as one: the reply refers to where it began.
            first = answers.topic_of(str(earlier[0].get("content")))
            raw = f'Continuing from "{first}": {raw}'
    fmt = (body.get("text") or {}).get("format") or {}
    if fmt.get("type") == "json_schema":
        return answers.json_answer({"type": "json_schema", "json_schema": fmt},
                                   turn.prompt, raw)
    if fmt.get("type") == "json_object":
        if "json" not in turn.text.lower():
            raise c.invalid("Response input messages must contain the word 'json' in some "
                            "form to use 'text.format' of type 'json_object'.", "input")
        return answers.json_answer(fmt, turn.prompt, raw)
    return raw


def _message(ctx: Context, body: dict, turn: Turn, budget: int, digest: str,
             status: list[str]) -> tuple[dict, int, list[str]]:
    """The assistant message item, its token count and its stream pieces."""
    text = _answer_text(ctx, body, turn)
    _, blocked = filters.completion_results(ctx.config.filters, turn.prompt, text)
    tok = ctx.tok
    want_logprobs = "message.output_text.logprobs" in (body.get("include") or ())
    pieces: list[str] | None = None
    if blocked:
        cut_at = tok.pieces(text)
        text = "".join(cut_at[: min(len(cut_at) // 2, budget)])
        used = count(tok, text)
        status[:] = ["incomplete", "content_filter"]
    else:
        text, used, pieces = _fit(tok, text, budget)
        if pieces is not None:
            status[:] = ["incomplete", "max_output_tokens"]
    if pieces is None:
        # A background response may be streamed later (GET ?stream=true): keep its pieces.
        pieces = (tok.pieces(text) if (body.get("stream") or want_logprobs
                                       or body.get("background")) else [])
    logprobs = [{"token": p, "logprob": _logprob(p), "bytes": list(p.encode()),
                 "top_logprobs": []} for p in pieces] if want_logprobs else []
    item = {"id": f"msg_{_id(digest, 'msg')}", "type": "message",
            "status": "completed" if status[0] == "completed" else "incomplete",
            "content": [{"type": "output_text", "annotations": [], "logprobs": logprobs,
                         "text": text}], "role": "assistant"}
    return item, used, pieces


def _output(ctx: Context, body: dict, turn: Turn, budget: int
            ) -> tuple[list[dict], int, int, list[str], list[str]]:
    """(items, visible tokens, reasoning tokens, [status, reason], stream pieces)."""
    dep, digest = ctx.deployment, ctx.digest
    status = ["completed", ""]
    items: list[dict] = []
    spent = 0
    called = _tools_called(body, turn)
    if reasoning.is_reasoning(dep):
        effort = reasoning.effort_of(dep, body)
        spent = min(reasoning.reasoning_tokens(effort, digest), budget)
        wants = body.get("reasoning") or {}
        summary = ([{"type": "summary_text", "text": reasoning.summary_text(
            answers.topic_of(turn.prompt), bool(called))}]
            if spent and (wants.get("summary") or wants.get("generate_summary")) else [])
        item = {"id": f"rs_{_id(digest, 'rs')}", "type": "reasoning", "summary": summary}
        if "reasoning.encrypted_content" in (body.get("include") or ()):
            item["encrypted_content"] = reasoning.encrypted_content(digest, effort)
        items.append(item)
        budget -= spent
        if budget <= 0:
            return items, 0, spent, ["incomplete", "max_output_tokens"], []
    if called:
        for n, function in enumerate(called):
            items.append({"id": f"fc_{_id(digest, f'fc{n}')}", "type": "function_call",
                          "status": "completed",
                          "arguments": answers.tool_arguments(function, turn.prompt),
                          "call_id": f"call_{_id(digest, f'call{n}')[:24]}",
                          "name": function["name"]})
        used = count(ctx.tok, _dumps([(i["name"], i["arguments"]) for i in items[-len(
            called):]]))
        return items, used, spent, status, []
    message, used, pieces = _message(ctx, body, turn, budget, digest, status)
    items.append(message)
    return items, used, spent, status, pieces


def _usage(turn: Turn, visible: int, spent: int) -> dict:
    cached = (turn.history_tokens // _CACHE_STEP * _CACHE_STEP
              if turn.history_tokens >= _CACHE_MIN else 0)
    return {"input_tokens": turn.input_tokens,
            "input_tokens_details": {"cached_tokens": cached, "cache_write_tokens": 0},
            "output_tokens": visible + spent,
            "output_tokens_details": {"reasoning_tokens": spent},
            "total_tokens": turn.input_tokens + visible + spent}


# Request settings a response echoes, with what the service reports when they are unset.
_ECHOED = (("background", False), ("instructions", None), ("max_output_tokens", None),
           ("max_tool_calls", None), ("parallel_tool_calls", True),
           ("previous_response_id", None), ("prompt_cache_key", None),
           ("safety_identifier", None), ("store", True), ("temperature", 1.0),
           ("tool_choice", "auto"), ("top_logprobs", 0), ("top_p", 1.0),
           ("truncation", "disabled"), ("user", None), ("metadata", {}))
_TEXT = {"format": {"type": "text"}, "verbosity": "medium"}


def _response(ctx: Context, body: dict, output: list[dict], status: list[str],
              usage: dict) -> dict:
    dep = ctx.deployment
    created = answers.created_from(ctx.digest)
    payload = {"id": f"resp_{_id(ctx.digest, 'resp')}", "object": "response",
               "created_at": created, "status": status[0],
               "completed_at": created + 1 if status[0] == "completed" else None,
               "error": None, "incomplete_details": {"reason": status[1]}
               if status[0] == "incomplete" else None, "model": dep.response_model,
               "output": output, "usage": usage, "service_tier": "default"}
    get = body.get
    for key, default in _ECHOED:
        value = get(key)
        payload[key] = default if value is None else value
    wants = get("reasoning") or {}
    payload["reasoning"] = {
        "effort": reasoning.effort_of(dep, body) if reasoning.is_reasoning(dep) else None,
        "summary": wants.get("summary") or wants.get("generate_summary")}
    text = get("text")
    payload["text"] = _TEXT if not text else {
        "format": text.get("format") or _TEXT["format"],
        "verbosity": text.get("verbosity") or "medium"}
    payload["tools"] = [
        {"type": "function", "description": t.get("description"), "name": t["name"],
         "parameters": t.get("parameters"), "strict": t.get("strict", True)}
        for t in get("tools") or ()]
    return payload


def plan_responses(ctx: Context, body: dict, store: ResponseStore,
                   request_size: int | None = None) -> Outcome:
    """The Outcome of a checked ``POST /responses`` body; raises ``AzureError``.

    ``request_size`` (characters of the body, if the caller knows it) bounds the store."""
    reasoning.check_parameters(ctx.deployment, body)
    turn = build_turn(ctx, body, store)
    budget = _limits(ctx, body, turn)
    results, blocked = filters.prompt_results(ctx.config.filters, turn.text)
    if blocked:
        raise errors.content_filtered(results)
    output, visible, spent, status, pieces = _output(ctx, body, turn, budget)
    usage = _usage(turn, visible, spent)
    payload = _response(ctx, body, output, status, usage)
    events = lambda: stream_events(payload, pieces)  # noqa: E731 - made only when asked
    answer = payload
    if payload["store"]:
        run = BackgroundRun(payload, events, done=bool(body.get("stream"))) \
            if body.get("background") else None
        if run is not None:
            answer = run.current()
        if request_size is None:
            request_size = len(_dumps(body))
        size = request_size + visible * 4  # the output, at about 4 characters a token
        store.put(payload["id"], StoredResponse(
            payload, (*turn.items, *output), usage["total_tokens"], size,
            _inputs(store, body, turn, ctx.digest), run))
    outcome = Outcome(answer, usage["output_tokens"], usage["total_tokens"])
    if body.get("stream"):
        outcome.events = events
    return outcome


def _inputs(store: ResponseStore, body: dict, turn: Turn, digest: str) -> tuple[dict, ...]:
    """What ``GET .../input_items`` lists: the chain's items, then this request's input."""
    previous = store.get(body.get("previous_response_id") or "")
    earlier = (*previous.inputs, *previous.body["output"]) if previous else ()
    return (*earlier, *render(turn.new_items, digest))
