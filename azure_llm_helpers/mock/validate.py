"""Request validation with the 400 bodies Azure passes through from the model service.

``check(operation, body)`` returns for a valid request and raises Azure's 400 otherwise.
JSON ``null`` counts as "not set" everywhere, as it does for Azure (langchain sends
``"seed": null``, ``"model": null``).
"""

from __future__ import annotations

from collections.abc import Callable

from .errors import invalid_request
from .responses.request import check_request

_TYPE_NAMES = {bool: "a boolean", int: "an integer", float: "a decimal", str: "a string",
               list: "an array", dict: "an object", type(None): "null"}
_ROLES = ("system", "developer", "user", "assistant", "tool", "function")


def _got(value: object) -> str:
    return _TYPE_NAMES.get(type(value), "an unknown type")


def _type(name: str, value: object, kinds: tuple[type, ...], label: str) -> None:
    ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
    if not ok:
        raise invalid_request(f"Invalid type for '{name}': expected {label}, but got {_got(value)} "
                              "instead.", name, "invalid_type")


def _number(name: str, value: object, lo: float, hi: float, integer: bool) -> None:
    _type(name, value, (int,) if integer else (int, float),
          "an integer" if integer else "a decimal")
    kind = "integer" if integer else "decimal"
    if value < lo:  # type: ignore[operator]
        raise invalid_request(f"Invalid '{name}': {kind} below minimum value. Expected a "
                              f"value >= {lo:g}, but got {value} instead.", name,
                              f"{kind}_below_min_value")
    if value > hi:  # type: ignore[operator]
        raise invalid_request(f"Invalid '{name}': {kind} above maximum value. Expected a "
                              f"value <= {hi:g}, but got {value} instead.", name,
                              f"{kind}_above_max_value")


def _enum(name: str, value: object, allowed: tuple[str, ...]) -> None:
    _type(name, value, (str,), "a string")
    if value not in allowed:
        options = ", ".join(f"'{a}'" for a in allowed[:-1]) + f" and '{allowed[-1]}'"
        raise invalid_request(f"Invalid value: '{value}'. Supported values are: {options}.",
                              name, "invalid_value")


def _array(name: str, value: object, min_len: int = 1, max_len: int = 2048) -> list:
    _type(name, value, (list,), "an array")
    assert isinstance(value, list)
    if len(value) < min_len:
        raise invalid_request(f"Invalid '{name}': empty array. Expected an array with minimum "
                              f"length {min_len}, but got an empty array instead.", name,
                              "empty_array")
    if len(value) > max_len:
        raise invalid_request(f"Invalid '{name}': array too long. Expected an array with "
                              f"maximum length {max_len}, but got an array with length "
                              f"{len(value)} instead.", name, "array_above_max_length")
    return value


def _required(body: dict, name: str) -> object:
    if body.get(name) is None:
        raise invalid_request(f"Missing required parameter: '{name}'.", name,
                              "missing_required_parameter")
    return body[name]


def _stop(body: dict) -> None:
    stop = body.get("stop")
    if stop is None or isinstance(stop, str):
        return
    for i, item in enumerate(_array("stop", stop, 0, 4)):
        _type(f"stop[{i}]", item, (str,), "a string")


def _text_or_tokens(name: str, value: object) -> None:
    """string | [string] | [int] | [[int]] -- what prompts and embedding inputs may be."""
    if isinstance(value, str):
        return
    items = _array(name, value)
    for i, item in enumerate(items):
        if isinstance(item, list):
            _array(f"{name}[{i}]", item)
            for j, tok in enumerate(item):
                _number(f"{name}[{i}][{j}]", tok, 0, 2**31 - 1, True)
        elif not isinstance(item, str):
            _number(f"{name}[{i}]", item, 0, 2**31 - 1, True)


def _common(body: dict) -> None:
    numeric = {"temperature": (0, 2, False), "top_p": (0, 1, False),
               "presence_penalty": (-2, 2, False), "frequency_penalty": (-2, 2, False),
               "n": (1, 128, True), "seed": (-(2**63), 2**63 - 1, True)}
    for name, (lo, hi, integer) in numeric.items():
        if body.get(name) is not None:
            _number(name, body[name], lo, hi, integer)
    for name in ("stream", "echo"):
        if body.get(name) is not None:
            _type(name, body[name], (bool,), "a boolean")
    if body.get("user") is not None:
        _type("user", body["user"], (str,), "a string")
    if body.get("logit_bias") is not None:
        _type("logit_bias", body["logit_bias"], (dict,), "an object")
    options = body.get("stream_options")
    if options is not None:
        _type("stream_options", options, (dict,), "an object")
        if not body.get("stream"):
            raise invalid_request("The 'stream_options' parameter is only allowed when 'stream' is "
                                  "enabled.", "stream_options", "invalid_value")
        if options.get("include_usage") is not None:
            _type("stream_options.include_usage", options["include_usage"], (bool,),
                  "a boolean")
    _stop(body)


def _completions(body: dict) -> None:
    _text_or_tokens("prompt", _required(body, "prompt"))
    _common(body)
    if body.get("max_tokens") is not None:
        _number("max_tokens", body["max_tokens"], 0, 2**31 - 1, True)
    if body.get("logprobs") is not None:
        _number("logprobs", body["logprobs"], 0, 5, True)
    if body.get("best_of") is not None:
        _number("best_of", body["best_of"], 1, 20, True)
        if body["best_of"] < (body.get("n") or 1):
            raise invalid_request("best_of must be greater than or equal to n.", "best_of",
                                  "invalid_value")
    if body.get("suffix") is not None:
        _type("suffix", body["suffix"], (str,), "a string")


def _message(i: int, message: object) -> None:
    name = f"messages[{i}]"
    _type(name, message, (dict,), "an object")
    assert isinstance(message, dict)
    role = message.get("role")
    if role is None:
        raise invalid_request(f"Missing required parameter: '{name}.role'.", f"{name}.role",
                              "missing_required_parameter")
    _enum(f"{name}.role", role, _ROLES)
    if role == "tool" and message.get("tool_call_id") is None:
        raise invalid_request(f"Missing required parameter: '{name}.tool_call_id'.",
                              f"{name}.tool_call_id", "missing_required_parameter")
    content = message.get("content")
    if content is None:
        if role in ("assistant", "function"):
            return
        raise invalid_request(f"Missing required parameter: '{name}.content'.", f"{name}.content",
                              "missing_required_parameter")
    if isinstance(content, str):
        return
    for j, part in enumerate(_array(f"{name}.content", content)):
        _type(f"{name}.content[{j}]", part, (dict,), "an object")
        _enum(f"{name}.content[{j}].type", part.get("type"),
              ("text", "image_url", "refusal"))
        if part["type"] == "text":
            _type(f"{name}.content[{j}].text", part.get("text"), (str,), "a string")


def _tools(body: dict) -> None:
    tools = body.get("tools")
    if tools is not None:
        for i, tool in enumerate(_array("tools", tools, 1, 128)):
            _type(f"tools[{i}]", tool, (dict,), "an object")
            _enum(f"tools[{i}].type", tool.get("type"), ("function",))
            function = tool.get("function")
            _type(f"tools[{i}].function", function, (dict,), "an object")
            _type(f"tools[{i}].function.name", function.get("name"), (str,), "a string")
            if function.get("parameters") is not None:
                _type(f"tools[{i}].function.parameters", function["parameters"], (dict,),
                      "an object")
    choice = body.get("tool_choice")
    if choice is not None:
        if isinstance(choice, str):
            _enum("tool_choice", choice, ("none", "auto", "required"))
        else:
            _type("tool_choice", choice, (dict,), "an object")
            name = (choice.get("function") or {}).get("name")
            offered = [t["function"]["name"] for t in tools or []]
            if name not in offered:
                raise invalid_request(f"Invalid value for 'tool_choice': tool '{name}' is not "
                                      "among the tools.", "tool_choice", "invalid_value")
        if tools is None:
            raise invalid_request("Invalid value for 'tool_choice': 'tool_choice' is only allowed "
                                  "when 'tools' are specified.", "tool_choice", None)
    functions = body.get("functions")
    if functions is not None:
        for i, function in enumerate(_array("functions", functions, 1, 128)):
            _type(f"functions[{i}]", function, (dict,), "an object")
            _type(f"functions[{i}].name", function.get("name"), (str,), "a string")


def _response_format(body: dict) -> None:
    fmt = body.get("response_format")
    if fmt is None:
        return
    _type("response_format", fmt, (dict,), "an object")
    _enum("response_format.type", fmt.get("type"), ("text", "json_object", "json_schema"))
    if fmt["type"] == "json_schema":
        spec = fmt.get("json_schema")
        if not isinstance(spec, dict):
            raise invalid_request("Missing required parameter: 'response_format.json_schema'.",
                                  "response_format.json_schema", "missing_required_parameter")
        _type("response_format.json_schema.name", spec.get("name"), (str,), "a string")
        if spec.get("schema") is not None:
            _type("response_format.json_schema.schema", spec["schema"], (dict,), "an object")


def _chat(body: dict) -> None:
    messages = _array("messages", _required(body, "messages"), 1, 2048)
    for i, message in enumerate(messages):
        _message(i, message)
    _common(body)
    for name in ("max_tokens", "max_completion_tokens"):
        if body.get(name) is not None:
            _number(name, body[name], 1, 2**31 - 1, True)
    if body.get("logprobs") is not None:
        _type("logprobs", body["logprobs"], (bool,), "a boolean")
    if body.get("top_logprobs") is not None:
        _number("top_logprobs", body["top_logprobs"], 0, 20, True)
        if not body.get("logprobs"):
            raise invalid_request("Invalid value for 'top_logprobs': 'logprobs' must be set to "
                                  "true when using 'top_logprobs'.", "top_logprobs",
                                  "invalid_value")
    if body.get("parallel_tool_calls") is not None:
        _type("parallel_tool_calls", body["parallel_tool_calls"], (bool,), "a boolean")
    _tools(body)
    _response_format(body)


def _embeddings(body: dict) -> None:
    _text_or_tokens("input", _required(body, "input"))
    if isinstance(body["input"], str) and not body["input"]:
        raise invalid_request("'$.input' is invalid. Please check the API reference: "
                              "https://platform.openai.com/docs/api-reference.", None, None)
    if body.get("encoding_format") is not None:
        _enum("encoding_format", body["encoding_format"], ("float", "base64"))
    if body.get("dimensions") is not None:
        _number("dimensions", body["dimensions"], 1, 3072, True)
    if body.get("user") is not None:
        _type("user", body["user"], (str,), "a string")


_CHECKS: dict[str, Callable[[dict], None]] = {
    "completions": _completions, "chat": _chat, "embeddings": _embeddings,
    "responses": check_request,
}


def check(operation: str, body: object) -> None:
    """Raise ``AzureError`` (400) naming the first invalid parameter of ``body``."""
    if not isinstance(body, dict):
        raise invalid_request(f"Invalid type for 'body': expected an object, but got "
                                       f"{_got(body)} instead.", None, "invalid_type")
    try:
        _CHECKS[operation](body)
    except (AttributeError, TypeError, KeyError) as exc:  # a shape the checks above missed
        raise invalid_request(f"Invalid request body: {type(exc).__name__}.", None,
                                      "invalid_value") from None
