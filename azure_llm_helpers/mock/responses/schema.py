"""Structured Outputs' rules for a ``strict`` JSON schema (``text.format`` and function tools).

Strict mode accepts a subset of JSON Schema: the root is an object, every object sets
``additionalProperties: false`` and lists every property in ``required``.  A schema that
breaks a rule gets the 400 the service sends, naming the rule and where it broke
(docs/fidelity.md, "Responses API").
"""

from __future__ import annotations

from .checks import invalid

_TYPES = ("object", "array", "string", "number", "integer", "boolean", "null")
_MAX_DEPTH = 10  # Structured Outputs allows up to 10 levels of nesting
_MAX_PROPERTIES = 5000


class _Walk:
    def __init__(self, label: str, param: str) -> None:
        self.label, self.param, self.properties = label, param, 0

    def fail(self, context: tuple[str, ...], rule: str) -> Exception:
        return invalid(f"Invalid schema for {self.label}: In context={context!r}, {rule}",
                       self.param, "invalid_json_schema")

    def node(self, schema: object, context: tuple[str, ...], depth: int) -> None:
        if not isinstance(schema, dict):
            raise self.fail(context, "schema must be a JSON Schema object.")
        if depth > _MAX_DEPTH:
            raise self.fail(context, f"the schema is nested more than {_MAX_DEPTH} levels "
                            "deep.")
        kind = schema.get("type")
        kinds = kind if isinstance(kind, list) else [kind] if kind is not None else []
        for k in kinds:
            if k not in _TYPES:
                raise self.fail(context, f"'{k}' is not valid under any of the given "
                                "schemas.")
        if "object" in kinds or "properties" in schema:
            self.object(schema, context, depth)
        if "items" in schema:
            self.node(schema["items"], (*context, "items"), depth + 1)
        for key in ("anyOf", "allOf"):
            options = schema.get(key)
            if options is not None:
                if not isinstance(options, list) or not options:
                    raise self.fail(context, f"'{key}' must be a non-empty array.")
                for i, option in enumerate(options):
                    self.node(option, (*context, key, str(i)), depth + 1)
        for key in ("$defs", "definitions"):
            defs = schema.get(key)
            if isinstance(defs, dict):
                for name, sub in defs.items():
                    self.node(sub, (*context, key, str(name)), depth + 1)

    def object(self, schema: dict, context: tuple[str, ...], depth: int) -> None:
        props = schema.get("properties", {})
        if not isinstance(props, dict):
            raise self.fail(context, "'properties' must be an object.")
        if schema.get("additionalProperties") is not False:
            raise self.fail(context, "'additionalProperties' is required to be supplied and "
                            "to be false.")
        required = schema.get("required", [])
        missing = [p for p in props if not isinstance(required, list) or p not in required]
        if missing:
            raise self.fail(context, "'required' is required to be supplied and to be an "
                            "array including every key in properties. Missing "
                            f"'{missing[0]}'.")
        extra = [r for r in required if r not in props]
        if extra:
            raise self.fail(context, f"Extra required key '{extra[0]}' supplied.")
        self.properties += len(props)
        if self.properties > _MAX_PROPERTIES:
            raise self.fail(context, f"the schema has more than {_MAX_PROPERTIES} properties.")
        for name, sub in props.items():
            self.node(sub, (*context, "properties", str(name)), depth + 1)


def check_strict(schema: dict, label: str, param: str) -> None:
    """Raise Azure's 400 if ``schema`` is not a valid strict (Structured Outputs) schema.

    ``label`` names the owner as the service does: "response_format 'Person'" or
    "function 'get_weather'"."""
    walk = _Walk(label, param)
    kind = schema.get("type")
    if kind != "object":
        raise invalid(f"Invalid schema for {label}: schema must be a JSON Schema of 'type: "
                      f"\"object\"', got 'type: \"{kind}\"'.", param, "invalid_json_schema")
    walk.node(schema, (), 0)


def check_loose(schema: dict, label: str, param: str) -> None:
    """Non-strict schemas only need to be well-formed: known ``type`` names everywhere."""
    stack: list[tuple[object, int]] = [(schema, 0)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, dict) or depth > 64:
            continue
        kind = node.get("type")
        for k in kind if isinstance(kind, list) else [kind]:
            if isinstance(k, str) and k not in _TYPES:
                raise invalid(f"Invalid schema for {label}: '{k}' is not valid under any of "
                              "the given schemas.", param, "invalid_json_schema")
        for value in node.values():
            if isinstance(value, dict):
                stack.append((value, depth + 1))
            elif isinstance(value, list):
                stack.extend((v, depth + 1) for v in value if isinstance(v, dict))
