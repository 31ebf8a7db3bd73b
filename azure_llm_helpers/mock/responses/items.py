"""``GET /responses/{id}/input_items``: a stored response's input items, as the service lists
them, and the cursor pagination the openai SDK's ``SyncCursorPage`` walks.

Items are shown as the API returns them: every item has an id (``msg_``/``fc_``/``fco_``
derived from the request digest when the request gave none), messages carry
``status: "completed"`` and content parts (a string becomes one ``input_text`` part, or one
``output_text`` part for an assistant turn).  The list holds every item the response was
generated from: the ``previous_response_id`` chain's inputs and outputs, then this
request's own input (docs/fidelity.md, "Responses API").
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl

from . import checks as c
from .request import INCLUDABLE

_PREFIXES = {"message": "msg", "function_call": "fc", "function_call_output": "fco"}
DEFAULT_LIMIT, MAX_LIMIT = 20, 100


def stable_id(digest: str, kind: str) -> str:
    """A 48-hex-digit id for one part of a response, stable for the same request."""
    return hashlib.sha256(f"{digest}:{kind}".encode()).hexdigest()[:48]


def _parts(content: object, role: str) -> list:
    if isinstance(content, str):
        if role == "assistant":
            return [{"type": "output_text", "annotations": [], "text": content}]
        return [{"type": "input_text", "text": content}]
    if not isinstance(content, list):
        return []
    return [{"annotations": [], **part} if isinstance(part, dict)
            and part.get("type") == "output_text" else part for part in content]


def render(items: list[dict], digest: str) -> tuple[dict, ...]:
    """This request's input items as the list endpoint shows them, with stable ids."""
    out = []
    for n, item in enumerate(items):
        kind = item["type"]
        shown = {k: v for k, v in item.items() if k != "type"}
        prefix = _PREFIXES.get(kind)
        if prefix and not shown.get("id"):
            shown["id"] = f"{prefix}_{stable_id(digest, f'in{n}')}"
        if kind == "message":
            role = item.get("role", "user")
            shown["content"] = _parts(item.get("content"), role)
        if kind in _PREFIXES:
            shown["status"] = shown.get("status") or "completed"
        out.append({"id": shown.pop("id", None), "type": kind, **shown})
    return tuple(out)


def _limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    try:
        value = int(raw)
    except ValueError:
        raise c.invalid("Invalid type for 'limit': expected an integer, but got a string "
                        "instead.", "limit", "invalid_type") from None
    c.number("limit", value, 1, MAX_LIMIT, True)
    return value


def _cursor(items: list[dict], name: str, value: str | None) -> int | None:
    if value is None:
        return None
    for i, item in enumerate(items):
        if item.get("id") == value:
            return i
    raise c.invalid(f"Invalid '{name}': no input item with id '{value[:64]}' in this "
                    "response.", name)


def list_items(inputs: tuple[dict, ...], query_string: str) -> dict:
    """The ``ResponseItemList`` page the query asks for; raises the 400 for a bad query."""
    query: dict[str, str] = {}
    for key, value in parse_qsl(query_string, keep_blank_values=True):
        if key in ("include", "include[]"):
            c.enum("include", value, INCLUDABLE)
        else:
            query[key] = value
    limit = _limit(query.get("limit"))
    order = c.enum("order", query.get("order", "desc"), ("asc", "desc"))
    items = list(inputs) if order == "asc" else list(reversed(inputs))
    after = _cursor(items, "after", query.get("after"))
    before = _cursor(items, "before", query.get("before"))
    start = 0 if after is None else after + 1
    stop = len(items) if before is None else before
    window = items[start:stop]
    data = window[:limit]
    return {"object": "list", "data": data,
            "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None,
            "has_more": len(window) > limit}
