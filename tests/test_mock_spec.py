"""Every body the mock sends, checked against the shared OpenAPI spec (raw HTTP, no SDK)."""

from __future__ import annotations

import json

import httpx
import pytest

from azure_llm_helpers._constants import LATEST_GA_API_VERSION
from tests.mock_schemas import (
    check_chat_chunk,
    check_completion_chunk,
    check_component,
    check_embeddings,
    check_error,
)

from . import loopback

CHAT, INSTRUCT, ADA, SMALL = ("gpt-4o-mini-chat", "gpt-35-turbo-instruct-prod",
                              "text-embedding-ada-002-prod", "text-embedding-3-small-prod")
WEATHER = [{"type": "function", "function": {
    "name": "get_weather", "description": "Current weather in a city",
    "parameters": {"type": "object", "required": ["city"], "properties": {
        "city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}}}}}]


def post(mock, deployment: str, op: str, body: dict, **headers: str) -> httpx.Response:
    return loopback.client().post(f"{mock.url}openai/deployments/{deployment}/{op}",
                                  params={"api-version": LATEST_GA_API_VERSION},
                                  headers={"api-key": mock.config.api_key, **headers}, json=body,
                                  timeout=10)


def events(response: httpx.Response) -> list[dict]:
    assert response.headers["content-type"].startswith("text/event-stream")
    frames = [f for f in response.text.split("\n\n") if f]
    assert all(f.startswith("data: ") for f in frames)
    assert frames[-1] == "data: [DONE]"
    return [json.loads(f[6:]) for f in frames[:-1]]


def azure_headers(response: httpx.Response) -> None:
    for name in ("apim-request-id", "x-request-id", "x-ms-region",
                 "x-ratelimit-remaining-requests", "x-ratelimit-remaining-tokens"):
        assert response.headers.get(name), name


CHAT_CASES = {
    "plain": {"messages": [{"role": "user", "content": "Tell me a joke"}]},
    "system+parts": {"messages": [{"role": "system", "content": "Be brief."},
                                  {"role": "user", "content": [{"type": "text", "text": "Hi"}]}]},
    "n=3, max_tokens=5": {"messages": [{"role": "user", "content": "Explain DNS"}], "n": 3,
                          "max_tokens": 5},
    "max_completion_tokens": {"messages": [{"role": "user", "content": "Explain TLS"}],
                              "max_completion_tokens": 7},
    "stop": {"messages": [{"role": "user", "content": "Tell me a joke"}], "stop": ["?"]},
    "logprobs": {"messages": [{"role": "user", "content": "Hi"}], "logprobs": True,
                 "top_logprobs": 2},
    "json_object": {"messages": [{"role": "user", "content": "List a fruit as JSON"}],
                    "response_format": {"type": "json_object"}},
    "tools": {"messages": [{"role": "user", "content": "What's the weather in Oslo?"}],
              "tools": WEATHER},
    "tool result": {"messages": [
        {"role": "user", "content": "What's the weather in Oslo?"},
        {"role": "assistant", "content": None, "tool_calls": [{
            "id": "call_1", "type": "function",
            "function": {"name": "get_weather", "arguments": "{\"city\": \"Oslo\"}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "4 degrees, rain"}],
        "tools": WEATHER},
    "completion filter": {"messages": [{"role": "user", "content": "Write a dark story"}]},
    "seed/temperature/user": {"messages": [{"role": "user", "content": "Hi"}], "seed": 4,
                              "temperature": 1.5, "user": "learner-7", "model": None},
}


@pytest.mark.parametrize("body", CHAT_CASES.values(), ids=CHAT_CASES.keys())
def test_chat_bodies_and_streams_match_the_spec(mock, body):
    response = post(mock, CHAT, "chat/completions", body)
    assert response.status_code == 200, response.text
    azure_headers(response)
    payload = response.json()
    check_component(payload, "createChatCompletionResponse")
    check_component(payload["prompt_filter_results"], "promptFilterResults")
    for choice in payload["choices"]:
        check_component(choice["content_filter_results"], "contentFilterChoiceResults")
    assert payload["model"] == "gpt-4o-mini-2024-07-18"
    limit = body.get("max_tokens") or body.get("max_completion_tokens")
    if limit:
        assert payload["usage"]["completion_tokens"] <= limit * body.get("n", 1)
    stream = post(mock, CHAT, "chat/completions",
                  {**body, "stream": True, "stream_options": {"include_usage": True}})
    chunks = events(stream)
    for i, chunk in enumerate(chunks):
        check_chat_chunk(chunk, i)
    assert chunks[-1]["usage"] == payload["usage"]
    streamed = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks[1:-1]
                       if c["choices"] and c["choices"][0]["index"] == 0)
    assert streamed == (payload["choices"][0]["message"]["content"] or "")
    assert chunks[-2]["choices"][0]["finish_reason"] == payload["choices"][0]["finish_reason"]


def test_json_schema_response_format_gives_valid_json(mock):
    import jsonschema

    schema = {"type": "object", "required": ["name", "population", "tags"],
              "additionalProperties": False, "properties": {
                  "name": {"type": "string"}, "population": {"type": "integer", "minimum": 0},
                  "tags": {"type": "array", "items": {"type": "string"}},
                  "kind": {"type": "string", "enum": ["city", "town"]}}}
    body = {"messages": [{"role": "user", "content": "Describe Lisbon, about 545000 people"}],
            "response_format": {"type": "json_schema",
                                "json_schema": {"name": "place", "strict": True,
                                                "schema": schema}}}
    content = post(mock, CHAT, "chat/completions", body).json()["choices"][0]["message"]
    jsonschema.validate(json.loads(content["content"]), schema)


COMPLETION_CASES = {
    "string": {"prompt": "Tell me a joke", "max_tokens": 50},
    "list of prompts, n=2": {"prompt": ["Tell me a joke", "Say hello"], "n": 2,
                             "max_tokens": 8},
    "token ids": {"prompt": [9906, 1917], "max_tokens": 5},
    "langchain shape": {"prompt": ["hi"], "frequency_penalty": 0, "logprobs": None,
                        "max_tokens": 256, "n": 1, "presence_penalty": 0, "seed": None,
                        "temperature": 0.7, "top_p": 1},
    "logprobs + echo": {"prompt": "Say hello", "logprobs": 2, "echo": True, "max_tokens": 4},
    "filtered completion": {"prompt": "Write a dark story", "max_tokens": 100},
}


@pytest.mark.parametrize("body", COMPLETION_CASES.values(), ids=COMPLETION_CASES.keys())
def test_completion_bodies_and_streams_match_the_spec(mock, body):
    response = post(mock, INSTRUCT, "completions", body)
    assert response.status_code == 200, response.text
    azure_headers(response)
    payload = response.json()
    check_component(payload, "createCompletionResponse")
    assert payload["model"] == "gpt-35-turbo-instruct"
    prompts = body["prompt"] if isinstance(body["prompt"][0], str) and isinstance(
        body["prompt"], list) else [body["prompt"]]
    assert [p["prompt_index"] for p in payload["prompt_filter_results"]] == list(
        range(len(prompts)))
    assert len(payload["choices"]) == len(prompts) * body.get("n", 1)
    if isinstance(body["prompt"], str):
        chunks = events(post(mock, INSTRUCT, "completions",
                             {**body, "stream": True, "stream_options": {"include_usage": True}}))
        for i, chunk in enumerate(chunks):
            check_completion_chunk(chunk, i)
        text = "".join(c["choices"][0]["text"] for c in chunks[1:] if c["choices"])
        assert text == payload["choices"][0]["text"]
        assert chunks[-1]["usage"] == payload["usage"]


@pytest.mark.parametrize("body", [
    {"input": "hello"},
    {"input": ["a", "b", "c"], "encoding_format": "float"},
    {"input": ["a", "b"], "encoding_format": "base64"},
    {"input": [[9906, 1917], [15339]]},
    {"input": [9906, 1917]},
])
def test_embeddings_match_the_spec(mock, body):
    response = post(mock, ADA, "embeddings", body)
    assert response.status_code == 200, response.text
    check_embeddings(response.json())
    assert response.json()["model"] == "text-embedding-ada-002"


def test_embedding_dimensions_shorten_the_vector_and_ada_refuses_them(mock):
    short = post(mock, SMALL, "embeddings", {"input": "hi", "dimensions": 256,
                                             "encoding_format": "float"}).json()
    vector = short["data"][0]["embedding"]
    assert len(vector) == 256
    assert abs(sum(v * v for v in vector) - 1) < 1e-6
    refused = post(mock, ADA, "embeddings", {"input": "hi", "dimensions": 256})
    assert refused.status_code == 400
    check_error(refused.json())


@pytest.mark.parametrize("case", [
    ("deployment", "nope", "chat/completions", {"messages": []}, 404, "DeploymentNotFound"),
    ("operation", CHAT, "completions", {"prompt": "x"}, 400, "OperationNotSupported"),
    ("reverse", INSTRUCT, "chat/completions", {"messages": []}, 400, "OperationNotSupported"),
    ("filter", CHAT, "chat/completions",
     {"messages": [{"role": "user", "content": "how to build a weapon"}]}, 400,
     "content_filter"),
    ("type", CHAT, "chat/completions",
     {"messages": [{"role": "user", "content": "x"}], "n": "2"}, 400, "invalid_type"),
    ("too many tokens", CHAT, "chat/completions",
     {"messages": [{"role": "user", "content": "x"}], "max_tokens": 100000}, 400,
     "invalid_value"),
    ("context", INSTRUCT, "completions", {"prompt": "hello " * 4100}, 200, None),
], ids=lambda c: c[0])
def test_errors_match_the_spec_error_response(mock, case):
    _, deployment, op, body, status, code = case
    response = post(mock, deployment, op, body)
    assert response.status_code == status, response.text
    azure_headers(response)
    if status != 200:
        check_error(response.json())
        assert response.json()["error"]["code"] == code


def test_content_filter_error_carries_azures_inner_error(mock):
    body = post(mock, INSTRUCT, "completions", {"prompt": "how to build a weapon"}).json()
    inner = body["error"]["innererror"]
    assert inner["code"] == "ResponsibleAIPolicyViolation"
    assert inner["content_filter_result"]["violence"] == {"filtered": True,
                                                          "severity": "medium"}
    assert body["error"]["param"] == "prompt"


def test_low_severity_trigger_only_annotates(mock):
    body = post(mock, CHAT, "chat/completions",
                {"messages": [{"role": "user", "content": "a mildly rude remark"}]}).json()
    assert body["prompt_filter_results"][0]["content_filter_results"]["hate"] == {
        "filtered": False, "severity": "low"}


def test_models_list(mock):
    response = loopback.client().get(f"{mock.url}openai/models",
                                     params={"api-version": LATEST_GA_API_VERSION},
                                     headers={"api-key": mock.config.api_key})
    assert response.status_code == 200
    ids = {m["id"] for m in response.json()["data"]}
    assert {"gpt-35-turbo-instruct", "gpt-4o-mini-2024-07-18", "text-embedding-ada-002"} <= ids


def test_same_request_same_body_different_request_different_id(mock):
    body = {"messages": [{"role": "user", "content": "Explain recursion"}], "seed": 1}
    first, second = (post(mock, CHAT, "chat/completions", body).json() for _ in range(2))
    assert first == second
    other = post(mock, CHAT, "chat/completions", {**body, "seed": 2}).json()
    assert other["id"] != first["id"]
    # Key order doesn't matter either, on the completions route too.
    body = {"prompt": "Tell me a joke", "max_tokens": 20}
    first = post(mock, INSTRUCT, "completions", body).json()
    reordered = post(mock, INSTRUCT, "completions", dict(reversed(body.items()))).json()
    assert first == reordered
