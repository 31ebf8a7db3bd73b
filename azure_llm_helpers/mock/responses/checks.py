"""Small type and range checks that raise the OpenAI-style 400 Azure passes through.

The texts follow the ``invalid_request_error`` family the service sends for every API
(docs/fidelity.md, "Responses API": observed for chat and Responses alike).
"""

from __future__ import annotations

from .. import errors

_TYPE_NAMES = {bool: "a boolean", int: "an integer", float: "a decimal", str: "a string",
               list: "an array", dict: "an object", type(None): "null"}


def got(value: object) -> str:
    return _TYPE_NAMES.get(type(value), "an unknown type")


def invalid(message: str, param: str | None, code: str | None = "invalid_value") -> Exception:
    return errors.invalid_request(message, param, code)


def expect(name: str, value: object, kinds: tuple[type, ...], label: str) -> None:
    ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
    if not ok:
        raise invalid(f"Invalid type for '{name}': expected {label}, but got {got(value)} "
                      "instead.", name, "invalid_type")


def string(name: str, value: object, max_len: int = 10_485_760) -> str:
    expect(name, value, (str,), "a string")
    assert isinstance(value, str)
    if len(value) > max_len:
        raise invalid(f"Invalid '{name}': string too long. Expected a string with maximum "
                      f"length {max_len}, but got a string with length {len(value)} instead.",
                      name, "string_above_max_length")
    return value


def number(name: str, value: object, lo: float, hi: float, integer: bool) -> None:
    expect(name, value, (int,) if integer else (int, float),
           "an integer" if integer else "a decimal")
    kind = "integer" if integer else "decimal"
    if value < lo:  # type: ignore[operator]
        raise invalid(f"Invalid '{name}': {kind} below minimum value. Expected a value >= "
                      f"{lo:g}, but got {value} instead.", name, f"{kind}_below_min_value")
    if value > hi:  # type: ignore[operator]
        raise invalid(f"Invalid '{name}': {kind} above maximum value. Expected a value <= "
                      f"{hi:g}, but got {value} instead.", name, f"{kind}_above_max_value")


def enum(name: str, value: object, allowed: tuple[str, ...]) -> str:
    expect(name, value, (str,), "a string")
    if value not in allowed:
        options = (", ".join(f"'{a}'" for a in allowed[:-1]) + f", and '{allowed[-1]}'"
                   if len(allowed) > 2 else " and ".join(f"'{a}'" for a in allowed))
        shown = value if len(value) <= 64 else value[:64] + "..."  # type: ignore[arg-type]
        raise invalid(f"Invalid value: '{shown}'. Supported values are: {options}.", name)
    return value  # type: ignore[return-value]


def array(name: str, value: object, max_len: int, min_len: int = 0) -> list:
    expect(name, value, (list,), "an array")
    assert isinstance(value, list)
    if len(value) < min_len:
        raise invalid(f"Invalid '{name}': empty array. Expected an array with minimum length "
                      f"{min_len}, but got an empty array instead.", name, "empty_array")
    if len(value) > max_len:
        raise invalid(f"Invalid '{name}': array too long. Expected an array with maximum "
                      f"length {max_len}, but got an array with length {len(value)} instead.",
                      name, "array_above_max_length")
    return value


def obj(name: str, value: object) -> dict:
    expect(name, value, (dict,), "an object")
    assert isinstance(value, dict)
    return value


def required(body: dict, key: str, prefix: str = "") -> object:
    if body.get(key) is None:
        raise invalid(f"Missing required parameter: '{prefix}{key}'.", f"{prefix}{key}",
                      "missing_required_parameter")
    return body[key]


def boolean(body: dict, key: str, prefix: str = "") -> None:
    if body.get(key) is not None:
        expect(prefix + key, body[key], (bool,), "a boolean")
