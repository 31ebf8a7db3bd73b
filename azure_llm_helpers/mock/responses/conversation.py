"""The conversation a request continues: its stored turns (``previous_response_id``) plus
the new ``input`` items, checked the way the service checks them.

The "model" answers the last user turn; a turn that ends with function outputs gets an
answer built from those outputs.  Token counts follow the cookbook's chat estimate (each
message costs its text plus a few tokens of framing).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..outcome import Context
from ..tokenizer import count
from . import checks as c
from .store import ResponseStore

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_PER_MESSAGE = 4


@dataclass
class Turn:
    """What the planner needs to know about the conversation so far."""

    items: list[dict]  # every input item, previous turns first (reasoning items kept)
    new_items: list[dict]  # this request's own input items
    prompt: str  # the last user message's text
    tool_outputs: list[str]  # outputs when the turn answers function calls, else []
    history_tokens: int  # tokens of the stored conversation (a cacheable prefix)
    input_tokens: int  # tokens of everything sent to the model
    text: str  # all user-visible input text (for content filters and json checks)


def content_text(content: object) -> str:
    """The text of a message's content (string, or text parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(p.get("text") or p.get("refusal") or "") for p in content
                        if isinstance(p, dict))
    return ""


def _normalize(data: object) -> list[dict]:
    if data is None:
        return []
    if isinstance(data, str):
        return [{"type": "message", "role": "user", "content": data}]
    return [item if item.get("type") else {"type": "message", **item} for item in data]


def _resolve(items: list[dict], store: ResponseStore) -> list[dict]:
    """Replace ``item_reference``s by the stored items; check reasoning items exist."""
    out = []
    for i, item in enumerate(items):
        kind = item["type"]
        if kind == "item_reference" or (kind == "reasoning"
                                        and not item.get("encrypted_content")):
            stored = store.item(item["id"])
            if stored is None:
                raise c.invalid(f"Item with id '{item['id'][:64]}' not found. Items are not "
                                "persisted when `store` is set to false. Try again with "
                                "`store` set to true, or remove this item from your input.",
                                f"input[{i}]", None)
            item = stored
        out.append(item)
    return out


def _item_tokens(tok: object, item: dict) -> int:
    kind = item["type"]
    if kind == "message":
        return _PER_MESSAGE + count(tok, content_text(item.get("content")))  # type: ignore[arg-type]
    if kind == "function_call":
        return _PER_MESSAGE + count(tok, f"{item['name']}{item['arguments']}")  # type: ignore[arg-type]
    if kind == "function_call_output":
        output = item["output"]
        return _PER_MESSAGE + count(tok, output if isinstance(output, str)  # type: ignore[arg-type]
                                    else content_text(output))
    return 0  # reasoning from earlier turns is not sent back to the model


def _check_calls(history: tuple[dict, ...], previous_output: list[dict],
                 new_items: list[dict]) -> None:
    """Every function output answers a known call; a response's calls all get outputs."""
    known = {i["call_id"] for i in history if i.get("type") == "function_call"}
    answered = set()
    for item in new_items:
        if item["type"] == "function_call":
            known.add(item["call_id"])
        elif item["type"] == "function_call_output":
            if item["call_id"] not in known:
                raise c.invalid("No tool call found for function call output with call_id "
                                f"{item['call_id'][:64]}.", "input", None)
            answered.add(item["call_id"])
    for item in previous_output:
        if item.get("type") == "function_call" and item["call_id"] not in answered:
            raise c.invalid(f"No tool output found for function call {item['call_id']}.",
                            "input", None)


def _single_turn(ctx: Context, body: dict, prompt: str) -> Turn:
    """The common case, cheaply: one user string, no stored conversation."""
    tok = ctx.tok
    tokens = _PER_MESSAGE + count(tok, prompt) + 3
    instructions = body.get("instructions")
    if instructions:
        tokens += _PER_MESSAGE + count(tok, instructions)
    if body.get("tools"):
        tokens += count(tok, _dumps(body["tools"]))
    items = [{"type": "message", "role": "user", "content": prompt}]
    text = f"{instructions}\n{prompt}" if instructions else prompt
    return Turn(items, items, prompt, [], 0, tokens, text)


def build_turn(ctx: Context, body: dict, store: ResponseStore) -> Turn:
    """The conversation this request continues, checked; raises ``AzureError``."""
    data = body.get("input")
    if isinstance(data, str) and body.get("previous_response_id") is None:
        return _single_turn(ctx, body, data)
    history: tuple[dict, ...] = ()
    history_tokens = 0
    previous_output: list[dict] = []
    previous_id = body.get("previous_response_id")
    if previous_id is not None:
        stored = store.get(previous_id)
        if stored is None:
            raise c.invalid(f"Previous response with id '{previous_id}' not found.",
                            "previous_response_id", "previous_response_not_found")
        history, history_tokens = stored.conversation, stored.tokens
        previous_output = stored.body["output"]
    new_items = _resolve(_normalize(data), store)
    _check_calls(history, previous_output, new_items)
    tok = ctx.tok
    tokens = history_tokens + sum(_item_tokens(tok, i) for i in new_items) + 3
    instructions = body.get("instructions")
    if instructions:
        tokens += _PER_MESSAGE + count(tok, instructions)
    if body.get("tools"):
        tokens += count(tok, _dumps(body["tools"]))
    items = [*history, *new_items]
    user_texts = [content_text(i.get("content")) for i in items
                  if i["type"] == "message" and i.get("role") == "user"]
    outputs = []
    for item in reversed(new_items):
        if item["type"] != "function_call_output":
            break
        out = item["output"]
        outputs.insert(0, out if isinstance(out, str) else content_text(out))
    text = "\n".join(filter(None, [instructions or "", *(
        content_text(i.get("content")) for i in new_items if i["type"] == "message")]))
    return Turn(items, new_items, user_texts[-1] if user_texts else text, outputs,
                history_tokens, tokens, text)
