"""Validation of a ``POST /responses`` body, with the 400s the service sends.

``check_request(body)`` raises ``AzureError`` for the first problem found, in the order the
fields are documented; deployment-dependent rules (reasoning parameters, token limits)
are the planner's.  JSON ``null`` counts as "not set", as elsewhere in the mock.
"""

from __future__ import annotations

import re

from . import checks as c
from .background import needs_store
from .schema import check_loose, check_strict

INPUT_ITEM_TYPES = ("message", "function_call", "function_call_output", "reasoning",
                    "item_reference")
ROLES = ("user", "assistant", "system", "developer")
USER_PARTS = ("input_text", "input_image", "input_file")
ASSISTANT_PARTS = ("output_text", "refusal")
INCLUDABLE = (
    "code_interpreter_call.outputs", "computer_call_output.output.image_url",
    "file_search_call.results", "message.input_image.image_url",
    "message.output_text.logprobs", "reasoning.encrypted_content",
    "web_search_call.action.sources", "web_search_call.results",
)
_ID = re.compile(r"[A-Za-z0-9_-]+")
_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_INPUT_ITEMS = 100_000
MAX_TOOLS = 128
MIN_OUTPUT_TOKENS = 16


def check_id(name: str, value: object, prefix: str) -> str:
    value = c.string(name, value, 256)
    if not _ID.fullmatch(value):
        raise c.invalid(f"Invalid '{name}': '{value[:64]}'. Expected an ID that contains "
                        "letters, numbers, underscores, or dashes, but this value contained "
                        "additional characters.", name)
    if not value.startswith(prefix):
        raise c.invalid(f"Invalid '{name}': '{value[:64]}'. Expected an ID that begins with "
                        f"'{prefix.rstrip('_')}'.", name)
    return value


def _content(name: str, role: str, content: object) -> None:
    if isinstance(content, str):
        return
    parts = c.array(name, content, MAX_INPUT_ITEMS)
    allowed = ASSISTANT_PARTS if role == "assistant" else USER_PARTS
    for j, part in enumerate(parts):
        where = f"{name}[{j}]"
        c.obj(where, part)
        kind = c.enum(f"{where}.type", c.required(part, "type", f"{where}."), allowed)
        if kind in ("input_text", "output_text"):
            c.string(f"{where}.text", c.required(part, "text", f"{where}."))
        elif kind == "refusal":
            c.string(f"{where}.refusal", c.required(part, "refusal", f"{where}."))


def _item(i: int, item: object) -> None:
    name = f"input[{i}]"
    c.obj(name, item)
    assert isinstance(item, dict)
    kind = item.get("type")
    if kind is None and "role" in item:
        kind = "message"
    kind = c.enum(f"{name}.type", kind if kind is not None else c.required(
        item, "type", f"{name}."), INPUT_ITEM_TYPES)
    if kind == "message":
        role = c.enum(f"{name}.role", c.required(item, "role", f"{name}."), ROLES)
        _content(f"{name}.content", role, c.required(item, "content", f"{name}."))
    elif kind == "function_call":
        check_id(f"{name}.call_id", c.required(item, "call_id", f"{name}."), "")
        c.string(f"{name}.name", c.required(item, "name", f"{name}."), 128)
        c.string(f"{name}.arguments", c.required(item, "arguments", f"{name}."))
    elif kind == "function_call_output":
        check_id(f"{name}.call_id", c.required(item, "call_id", f"{name}."), "")
        output = c.required(item, "output", f"{name}.")
        if not isinstance(output, str):
            _content(f"{name}.output", "user", output)
    elif kind == "reasoning":
        check_id(f"{name}.id", c.required(item, "id", f"{name}."), "rs_")
        for j, part in enumerate(c.array(f"{name}.summary",
                                          c.required(item, "summary", f"{name}."), 1000)):
            c.obj(f"{name}.summary[{j}]", part)
            c.string(f"{name}.summary[{j}].text", part.get("text"))
        if item.get("encrypted_content") is not None:
            c.string(f"{name}.encrypted_content", item["encrypted_content"])
    else:  # item_reference
        check_id(f"{name}.id", c.required(item, "id", f"{name}."), "")


def _text(text: object) -> None:
    c.obj("text", text)
    assert isinstance(text, dict)
    if text.get("verbosity") is not None:
        c.enum("text.verbosity", text["verbosity"], ("low", "medium", "high"))
    fmt = text.get("format")
    if fmt is None:
        return
    c.obj("text.format", fmt)
    kind = c.enum("text.format.type", c.required(fmt, "type", "text.format."),
                  ("text", "json_object", "json_schema"))
    if kind != "json_schema":
        return
    name = c.string("text.format.name", c.required(fmt, "name", "text.format."))
    if not _NAME.fullmatch(name):
        raise c.invalid("Invalid 'text.format.name': string does not match pattern. Expected "
                        "a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
                        "text.format.name", "invalid_value")
    schema = c.obj("text.format.schema", c.required(fmt, "schema", "text.format."))
    c.boolean(fmt, "strict", "text.format.")
    label = f"response_format '{name}'"
    if fmt.get("strict"):
        check_strict(schema, label, "text.format.schema")
    else:
        check_loose(schema, label, "text.format.schema")


def _tools(body: dict) -> None:
    tools = body.get("tools")
    names = set()
    for i, tool in enumerate(c.array("tools", tools, MAX_TOOLS) if tools is not None else []):
        where = f"tools[{i}]"
        c.obj(where, tool)
        kind = c.string(f"{where}.type", c.required(tool, "type", f"{where}."), 64)
        if kind != "function":
            raise c.invalid(f"Invalid value: '{kind}'. The mock serves 'function' tools only; "
                            "hosted tools (web search, file search, code interpreter, MCP, "
                            "...) are not available on this resource.", f"{where}.type")
        name = c.string(f"{where}.name", c.required(tool, "name", f"{where}."), 128)
        if not _NAME.fullmatch(name):
            raise c.invalid(f"Invalid '{where}.name': string does not match pattern. Expected "
                            "a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
                            f"{where}.name")
        names.add(name)
        if tool.get("description") is not None:
            c.string(f"{where}.description", tool["description"])
        c.boolean(tool, "strict", f"{where}.")
        if tool.get("parameters") is not None:
            params = c.obj(f"{where}.parameters", tool["parameters"])
            label = f"function '{name}'"
            if tool.get("strict"):
                check_strict(params, label, f"{where}.parameters")
            else:
                check_loose(params, label, f"{where}.parameters")
    choice = body.get("tool_choice")
    if choice is None:
        return
    if isinstance(choice, str):
        c.enum("tool_choice", choice, ("none", "auto", "required"))
        return
    c.obj("tool_choice", choice)
    c.enum("tool_choice.type", c.required(choice, "type", "tool_choice."), ("function",))
    if choice.get("name") not in names:
        raise c.invalid("Tool choice 'function' not found in 'tools' parameter.",
                        "tool_choice")


def _metadata(metadata: object) -> None:
    c.obj("metadata", metadata)
    assert isinstance(metadata, dict)
    if len(metadata) > 16:
        raise c.invalid("Invalid 'metadata': too many properties. Expected an object with at "
                        f"most 16 properties, but got an object with {len(metadata)} "
                        "properties instead.", "metadata", "object_above_max_properties")
    for key, value in metadata.items():
        if len(key) > 64:
            raise c.invalid("Invalid 'metadata': string too long. Expected a string with "
                            f"maximum length 64, but got a string with length {len(key)} "
                            "instead.", "metadata", "string_above_max_length")
        c.string(f"metadata.{key}", value, 512)


_RANGES = (("temperature", 0, 2, False), ("top_p", 0, 1, False),
           ("top_logprobs", 0, 20, True), ("max_tool_calls", 1, 2**31 - 1, True))


def _sampling(body: dict) -> None:
    for key, lo, hi, integer in _RANGES:
        if body.get(key) is not None:
            c.number(key, body[key], lo, hi, integer)
    if body.get("max_output_tokens") is not None:
        c.number("max_output_tokens", body["max_output_tokens"], MIN_OUTPUT_TOKENS,
                 2**31 - 1, True)
    for key in ("stream", "store", "parallel_tool_calls", "background"):
        c.boolean(body, key)
    if body.get("background") and body.get("store") is False:
        raise needs_store()
    if body.get("truncation") is not None:
        c.enum("truncation", body["truncation"], ("auto", "disabled"))
    for key in ("user", "safety_identifier", "prompt_cache_key"):
        if body.get(key) is not None:
            c.string(key, body[key], 512)
    reasoning = body.get("reasoning")
    if reasoning is not None:
        c.obj("reasoning", reasoning)
        if reasoning.get("effort") is not None:
            c.enum("reasoning.effort", reasoning["effort"],
                   ("none", "minimal", "low", "medium", "high", "xhigh"))
        for key in ("summary", "generate_summary"):
            if reasoning.get(key) is not None:
                c.enum(f"reasoning.{key}", reasoning[key], ("auto", "concise", "detailed"))
    options = body.get("stream_options")
    if options is not None:
        c.obj("stream_options", options)
        if not body.get("stream"):
            raise c.invalid("The 'stream_options' parameter is only allowed when 'stream' is "
                            "enabled.", "stream_options")


def check_request(body: object) -> None:
    """The body, checked; raises ``AzureError`` (400) naming the first bad field."""
    if not isinstance(body, dict):
        raise c.invalid(f"Invalid type for 'body': expected an object, but got {c.got(body)} "
                        "instead.", None, "invalid_type")
    c.string("model", c.required(body, "model"), 256)
    data = body.get("input")
    if data is None and body.get("previous_response_id") is None:
        c.required(body, "input")
    if isinstance(data, list):
        for i, item in enumerate(c.array("input", data, MAX_INPUT_ITEMS)):
            _item(i, item)
    elif data is not None:
        c.expect("input", data, (str, list), "a string or an array")
    if body.get("instructions") is not None:
        c.string("instructions", body["instructions"])
    if body.get("previous_response_id") is not None:
        check_id("previous_response_id", body["previous_response_id"], "resp_")
    if body.get("include") is not None:
        for i, entry in enumerate(c.array("include", body["include"], len(INCLUDABLE) * 4)):
            c.enum(f"include[{i}]", entry, INCLUDABLE)
    if body.get("metadata") is not None:
        _metadata(body["metadata"])
    if body.get("text") is not None:
        _text(body["text"])
    _tools(body)
    _sampling(body)
