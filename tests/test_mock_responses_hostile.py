"""Malformed and hostile requests to the Responses routes: each gets a 4xx in Azure's
shape (``{"error": {"message", "type", "param", "code"}}`` or Azure's own envelope), none a
5xx, and the mock keeps serving."""

from __future__ import annotations

import httpx
import pytest

from azure_llm_helpers._constants import RESPONSES_API_VERSION

from . import loopback

R, DATED = "/openai/v1/responses", f"/openai/responses?api-version={RESPONSES_API_VERSION}"
CHAT = "gpt-4o-mini-chat"
FN = {"type": "function", "name": "get_weather",
      "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}
UNKNOWN_RESP = "resp_" + "f" * 48


def body(**extra: object) -> dict:
    return {"model": CHAT, "input": "hi", **extra}


# (id, method, path, body (dict -> JSON, bytes -> raw), extra headers, status, error code)
CASES = [
    ("no key", "POST", R, body(), {"api-key": None}, 401, None),
    ("wrong key", "POST", R, body(), {"api-key": "0" * 32}, 401, "401"),
    ("bearer garbage", "POST", R, body(), {"api-key": None, "authorization": "Bearer x.y.z"},
     401, None),
    ("basic auth", "POST", R, body(), {"api-key": None, "authorization": "Basic Zm9vOmJhcg=="},
     401, None),
    ("unknown api-version on v1", "POST", R + "?api-version=2024-10-21", body(), {}, 400,
     "BadRequest"),
    ("dated route without api-version", "POST", "/openai/responses", body(), {}, 404, "404"),
    ("dated route unknown api-version", "POST", "/openai/responses?api-version=2099-01-01",
     body(), {}, 400, "BadRequest"),
    ("PUT on responses", "PUT", R, body(), {}, 404, "404"),
    ("GET the collection", "GET", R, None, {}, 404, "404"),
    ("nested id path", "GET", R + "/resp_a/b/c", None, {}, 404, "404"),
    ("empty body", "POST", R, b"", {}, 400, None),
    ("truncated JSON", "POST", R, b'{"model": "x", "input": [', {}, 400, None),
    ("JSON array body", "POST", R, b"[1, 2]", {}, 400, "invalid_type"),
    ("NaN literal", "POST", R, b'{"model": "gpt-4o-mini-chat", "input": NaN}', {}, 400, None),
    ("deeply nested JSON", "POST", R, b"[" * 100_000 + b"]" * 100_000, {}, 400, None),
    ("body too large", "POST", R, b"x" * (9 * 1024 * 1024), {}, 413, None),
    ("model missing", "POST", R, {"input": "hi"}, {}, 400, "missing_required_parameter"),
    ("model a number", "POST", R, body(model=7), {}, 400, "invalid_type"),
    ("unknown deployment", "POST", R, body(model="nope"), {}, 404, "DeploymentNotFound"),
    ("huge deployment name", "POST", R, body(model="a" * 5000), {}, 400,
     "string_above_max_length"),
    ("embeddings deployment", "POST", R, body(model="text-embedding-ada-002-prod"), {}, 400,
     "OperationNotSupported"),
    ("completions deployment", "POST", R, body(model="gpt-35-turbo-instruct-prod"), {}, 400,
     "OperationNotSupported"),
    ("input missing", "POST", R, {"model": CHAT}, {}, 400, "missing_required_parameter"),
    ("input a number", "POST", R, body(input=42), {}, 400, "invalid_type"),
    ("input item a string", "POST", R, body(input=["hi"]), {}, 400, "invalid_type"),
    ("unknown item type", "POST", R, body(input=[{"type": "telepathy"}]), {}, 400,
     "invalid_value"),
    ("item type a number", "POST", R, body(input=[{"type": 3, "role": "user"}]), {}, 400,
     "invalid_type"),
    ("unknown role", "POST", R, body(input=[{"role": "bot", "content": "hi"}]), {}, 400,
     "invalid_value"),
    ("message without content", "POST", R, body(input=[{"role": "user"}]), {}, 400,
     "missing_required_parameter"),
    ("input_text in assistant message", "POST", R, body(input=[
        {"role": "assistant", "content": [{"type": "input_text", "text": "x"}]}]), {}, 400,
     "invalid_value"),
    ("bad content part", "POST", R, body(input=[
        {"role": "user", "content": [{"type": "audio"}]}]), {}, 400, "invalid_value"),
    ("text part without text", "POST", R, body(input=[
        {"role": "user", "content": [{"type": "input_text"}]}]), {}, 400,
     "missing_required_parameter"),
    ("function_call_output unknown call_id", "POST", R, body(input=[
        {"type": "function_call_output", "call_id": "call_nobody", "output": "x"}]), {}, 400,
     None),
    ("function_call_output without output", "POST", R, body(input=[
        {"type": "function_call_output", "call_id": "call_1"}]), {}, 400,
     "missing_required_parameter"),
    ("function_call without name", "POST", R, body(input=[
        {"type": "function_call", "call_id": "call_1", "arguments": "{}"}]), {}, 400,
     "missing_required_parameter"),
    ("call_id with spaces", "POST", R, body(input=[
        {"type": "function_call_output", "call_id": "a b", "output": "x"}]), {}, 400,
     "invalid_value"),
    ("unknown item_reference", "POST", R, body(input=[
        {"type": "item_reference", "id": "msg_nothing"}]), {}, 400, None),
    ("reasoning item never stored", "POST", R, body(input=[
        {"type": "reasoning", "id": "rs_nothing", "summary": []}]), {}, 400, None),
    ("unknown previous_response_id", "POST", R, body(previous_response_id=UNKNOWN_RESP), {},
     400, "previous_response_not_found"),
    ("previous_response_id wrong prefix", "POST", R, body(previous_response_id="msg_123"),
     {}, 400, "invalid_value"),
    ("previous_response_id injection", "POST", R,
     body(previous_response_id="resp_'; DROP TABLE--"), {}, 400, "invalid_value"),
    ("previous_response_id a number", "POST", R, body(previous_response_id=5), {}, 400,
     "invalid_type"),
    ("instructions an object", "POST", R, body(instructions={"a": 1}), {}, 400,
     "invalid_type"),
    ("max_output_tokens below 16", "POST", R, body(max_output_tokens=5), {}, 400,
     "integer_below_min_value"),
    ("max_output_tokens huge", "POST", R, body(max_output_tokens=10**30), {}, 400,
     "integer_above_max_value"),
    ("max_output_tokens above model", "POST", R, body(max_output_tokens=10**6), {}, 400,
     "integer_above_max_value"),
    ("max_output_tokens a string", "POST", R, body(max_output_tokens="ten"), {}, 400,
     "invalid_type"),
    ("temperature too high", "POST", R, body(temperature=3), {}, 400,
     "decimal_above_max_value"),
    ("store a string", "POST", R, body(store="yes"), {}, 400, "invalid_type"),
    ("stream a number", "POST", R, body(stream=1), {}, 400, "invalid_type"),
    ("stream_options without stream", "POST", R, body(stream_options={}), {}, 400,
     "invalid_value"),
    ("include unknown", "POST", R, body(include=["everything"]), {}, 400, "invalid_value"),
    ("encrypted reasoning on a chat model", "POST", R,
     body(include=["reasoning.encrypted_content"]), {}, 400, "unsupported_parameter"),
    ("reasoning effort on a chat model", "POST", R, body(reasoning={"effort": "high"}), {},
     400, "unsupported_parameter"),
    ("reasoning effort unknown", "POST", R, body(reasoning={"effort": "max"}), {}, 400,
     "invalid_value"),
    ("metadata too many keys", "POST", R, body(metadata={str(i): "v" for i in range(17)}), {},
     400, "object_above_max_properties"),
    ("metadata value a number", "POST", R, body(metadata={"k": 1}), {}, 400, "invalid_type"),
    ("metadata value too long", "POST", R, body(metadata={"k": "v" * 513}), {}, 400,
     "string_above_max_length"),
    ("text.format unknown type", "POST", R, body(text={"format": {"type": "xml"}}), {}, 400,
     "invalid_value"),
    ("json_schema without name", "POST", R, body(text={"format": {
        "type": "json_schema", "schema": {"type": "object"}}}), {}, 400,
     "missing_required_parameter"),
    ("json_schema without schema", "POST", R, body(text={"format": {
        "type": "json_schema", "name": "x"}}), {}, 400, "missing_required_parameter"),
    ("json_schema schema a string", "POST", R, body(text={"format": {
        "type": "json_schema", "name": "x", "schema": "object"}}), {}, 400, "invalid_type"),
    ("json_schema bad name", "POST", R, body(text={"format": {
        "type": "json_schema", "name": "a name!", "schema": {"type": "object"}}}), {}, 400,
     "invalid_value"),
    ("json_schema unknown type", "POST", R, body(text={"format": {
        "type": "json_schema", "name": "x", "schema": {"type": "object", "properties": {
            "a": {"type": "strnig"}}}}}), {}, 400, "invalid_json_schema"),
    ("strict schema not an object", "POST", R, body(text={"format": {
        "type": "json_schema", "name": "x", "strict": True, "schema": {"type": "array"}}}),
     {}, 400, "invalid_json_schema"),
    ("strict schema missing required", "POST", R, body(text={"format": {
        "type": "json_schema", "name": "x", "strict": True, "schema": {
            "type": "object", "properties": {"a": {"type": "string"}},
            "additionalProperties": False}}}), {}, 400, "invalid_json_schema"),
    ("json_object without the word", "POST", R, body(text={"format": {"type": "json_object"}}),
     {}, 400, "invalid_value"),
    ("tools not a list", "POST", R, body(tools={"a": 1}), {}, 400, "invalid_type"),
    ("tool without name", "POST", R, body(tools=[{"type": "function"}]), {}, 400,
     "missing_required_parameter"),
    ("hosted tool", "POST", R, body(tools=[{"type": "web_search_preview"}]), {}, 400,
     "invalid_value"),
    ("tool name with spaces", "POST", R, body(tools=[{**FN, "name": "get weather"}]), {}, 400,
     "invalid_value"),
    ("strict tool with loose schema", "POST", R, body(tools=[{**FN, "strict": True}]), {}, 400,
     "invalid_json_schema"),
    ("too many tools", "POST", R, body(tools=[{**FN, "name": f"f{i}"} for i in range(129)]), {},
     400, "array_above_max_length"),
    ("tool_choice unknown tool", "POST", R,
     body(tools=[FN], tool_choice={"type": "function", "name": "other"}), {}, 400,
     "invalid_value"),
    ("tool_choice unknown mode", "POST", R, body(tools=[FN], tool_choice="sometimes"), {},
     400, "invalid_value"),
    ("content filtered prompt", "POST", R, body(input="how to build a weapon"), {}, 400,
     "content_filter"),
    ("input beyond context", "POST", R, body(input="word " * 130_000), {}, 400,
     "context_length_exceeded"),
    ("dated route bad item", "POST", DATED, body(input=[{"type": "telepathy"}]), {}, 400,
     "invalid_value"),
    ("GET unknown id", "GET", R + "/" + UNKNOWN_RESP, None, {}, 404, None),
    ("GET id with traversal", "GET", R + "/..%2F..%2Fetc", None, {}, 404, None),
    ("GET huge id", "GET", R + "/resp_" + "a" * 5000, None, {}, 404, None),
    ("DELETE unknown id", "DELETE", R + "/" + UNKNOWN_RESP, None, {}, 404, None),
    ("DELETE without key", "DELETE", R + "/" + UNKNOWN_RESP, None, {"api-key": None}, 401,
     None),
]


def _send(mock, method: str, path: str, payload: object, extra: dict) -> httpx.Response:
    return loopback.send(mock, method, path, payload, extra,
                         lambda b: httpx.Request("POST", "/", json=b).content)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_hostile_responses_request_gets_an_azure_4xx(mock, case):
    _, method, path, payload, extra, status, code = case
    response = _send(mock, method, path, payload, extra)
    assert response.status_code == status, response.text[:300]
    data = response.json()
    if "error" in data:
        error = data["error"]
        assert isinstance(error["message"], str) and error["message"]
        assert "code" in error
        if "type" in error:  # the OpenAI-style family carries all four fields
            assert set(error) >= {"message", "type", "param", "code"}
        if code is not None:
            assert error["code"] == code, error
    else:  # Azure's unwrapped 401 shape
        assert data["statusCode"] == 401 and data["message"]
    assert mock.config.api_key not in response.text
    assert "Traceback" not in response.text
    assert response.headers["apim-request-id"]


def test_there_are_enough_cases():
    assert len(CASES) >= 60


def test_the_server_keeps_serving_after_the_hostile_cases(mock):
    for case in CASES[:12]:
        _send(mock, case[1], case[2], case[3], case[4])
    ok = _send(mock, "POST", R, body(input="Tell me a joke"), {})
    assert ok.status_code == 200 and ok.json()["status"] == "completed"
