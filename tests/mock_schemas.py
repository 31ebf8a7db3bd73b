"""Validate mock responses against Azure's OpenAPI specs: 2024-10-21 and the v1 excerpt.

The spec is OpenAPI 3.0, whose ``nullable: true`` jsonschema does not know; it is turned
into ``null`` being allowed.  Stream chunks carry Azure-only fields the spec omits
(``prompt_filter_results``, ``usage``, the empty first chunk): see ``check_chat_chunk``.
"""

from __future__ import annotations

import base64
import copy
import json
from array import array
from functools import cache
from pathlib import Path

import jsonschema

SPEC = Path(__file__).with_name("data") / "azure-openai-inference" / "inference-2024-10-21.json"
V1_SPEC = Path(__file__).with_name("data") / "azure-openai-v1" / "azure-v1-v1-subset.json"


def _nullable(node: object) -> object:
    if isinstance(node, dict):
        node = {k: _nullable(v) for k, v in node.items()}
        if node.pop("nullable", False):
            if "type" in node and "$ref" not in node and "allOf" not in node:
                node["type"] = [node["type"], "null"]
                if "enum" in node:
                    node["enum"] = [*node["enum"], None]
            else:
                node = {"anyOf": [node, {"type": "null"}]}
        return node
    if isinstance(node, list):
        return [_nullable(v) for v in node]
    return node


@cache
def _document() -> dict:
    return _nullable(json.loads(SPEC.read_text(encoding="utf-8")))


def _validate(instance: object, schema: dict) -> None:
    root = copy.copy(_document())
    root.update(schema)
    jsonschema.Draft7Validator(root).validate(instance)


def check_component(instance: object, name: str) -> None:
    _validate(instance, {"$ref": f"#/components/schemas/{name}"})


def check_embeddings(body: dict) -> None:
    """The spec's inline 200 schema; base64 vectors are decoded first (the SDK default)."""
    body = copy.deepcopy(body)
    for item in body["data"]:
        if isinstance(item["embedding"], str):
            item["embedding"] = list(array("f", base64.b64decode(item["embedding"])))
    schema = _document()["paths"]["/deployments/{deployment-id}/embeddings"]["post"][
        "responses"]["200"]["content"]["application/json"]["schema"]
    _validate(body, schema)


_FIRST_CHUNK = {
    "type": "object",
    "required": ["choices", "created", "id", "model", "object", "prompt_filter_results"],
    "properties": {"choices": {"type": "array", "maxItems": 0}, "created": {"const": 0},
                   "id": {"const": ""}, "model": {"const": ""}, "object": {"const": ""},
                   "prompt_filter_results": {"$ref": "#/components/schemas/promptFilterResults"}},
}


def check_chat_chunk(chunk: dict, position: int) -> None:
    if position == 0:
        _validate(chunk, _FIRST_CHUNK)
        return
    rest = {k: v for k, v in chunk.items() if k != "usage"}
    check_component(rest, "createChatCompletionStreamResponse")
    if chunk.get("usage") is not None:
        check_component(chunk["usage"], "completionUsage")
        assert chunk["choices"] == []


def check_completion_chunk(chunk: dict, position: int) -> None:
    if position == 0:
        _validate(chunk, _FIRST_CHUNK)
        return
    rest = copy.deepcopy({k: v for k, v in chunk.items() if k != "usage"})
    for choice in rest["choices"]:
        # Text chunks carry finish_reason null (as on Azure and OpenAI); the spec's
        # "same shape as non-streamed" schema has no null in its enum.
        if choice["finish_reason"] is None:
            choice["finish_reason"] = "stop"
    if rest["choices"]:
        check_component(rest, "createCompletionResponse")
    if chunk.get("usage") is not None:
        check_component(chunk["usage"], "completionUsage")


def check_error(body: dict) -> None:
    """Azure really sends ``"code": null`` / ``"type": null`` (docs/fidelity.md, "Errors"),
    which the spec's non-nullable strings don't allow; the fields are optional, so nulls are
    dropped."""
    error = {k: v for k, v in body["error"].items() if v is not None}
    check_component({**body, "error": error}, "errorResponse")


@cache
def _v1_document() -> dict:
    return _nullable(json.loads(V1_SPEC.read_text(encoding="utf-8")))


def check_v1(instance: object, path: str, method: str = "post",
             media: str = "application/json") -> None:
    """``instance`` against the v1 spec's 200 schema for ``method path``."""
    document = _v1_document()
    schema = document["paths"][path][method]["responses"]["200"]["content"][media]["schema"]
    root = copy.copy(document)
    root.update(schema)
    jsonschema.Draft7Validator(root).validate(instance)


def v1_api_versions() -> list[str]:
    return _v1_document()["components"]["schemas"]["AzureAIFoundryModelsApiVersion"]["enum"]
