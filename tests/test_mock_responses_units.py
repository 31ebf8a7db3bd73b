"""The Responses API's pieces without HTTP: the bounded store, route matching, strict schemas,
and the stream's event order for each kind of output item."""

from __future__ import annotations

import json

import pytest
from openai.types.responses import ResponseStreamEvent
from pydantic import TypeAdapter

from azure_llm_helpers.mock.errors import AzureError
from azure_llm_helpers.mock.responses.events import stream_events
from azure_llm_helpers.mock.responses.routes import is_responses_path, match
from azure_llm_helpers.mock.responses.schema import check_strict
from azure_llm_helpers.mock.responses.store import ResponseStore, StoredResponse


def _stored(n: int, size: int = 10) -> StoredResponse:
    body = {"id": f"resp_{n}", "output": [{"id": f"msg_{n}", "type": "message"}]}
    return StoredResponse(body, (), 5, size)


def test_store_evicts_the_oldest_first_by_count_and_by_size():
    store = ResponseStore(max_responses=3, max_chars=100)
    for n in range(5):
        store.put(f"resp_{n}", _stored(n))
    assert [store.get(f"resp_{n}") is not None for n in range(5)] == [False, False, True,
                                                                      True, True]
    assert store.item("msg_1") is None and store.item("msg_4") == {"id": "msg_4",
                                                                   "type": "message"}
    store.put("resp_big", _stored(9, size=95))
    assert len(store) == 1 and store.get("resp_big") is not None
    assert store.delete("resp_big") and not store.delete("resp_big")
    assert store.item("msg_9") is None and len(store) == 0


def test_a_response_stored_again_becomes_the_newest_and_keeps_its_size_counted_once():
    store = ResponseStore(max_responses=2, max_chars=25)
    first, second = _stored(1), _stored(2)
    store.put("resp_1", first)
    store.put("resp_2", second)
    store.put("resp_1", first)  # as a repeated request stores it again
    store.put("resp_3", _stored(3, size=5))  # 25 characters: nothing over, one too many
    assert [store.get(f"resp_{n}") is not None for n in (1, 2, 3)] == [True, False, True]
    assert store.item("msg_1") is first.body["output"][0] and store.item("msg_2") is None


@pytest.mark.parametrize(("method", "path", "query", "expected"), [
    ("POST", "/openai/v1/responses", {}, ("create", None, "v1")),
    ("POST", "/openai/v1/responses", {"api-version": "preview"}, ("create", None, "preview")),
    ("GET", "/openai/v1/responses/resp_1", {}, ("retrieve", "resp_1", "v1")),
    ("DELETE", "/openai/v1/responses/resp_1", {}, ("delete", "resp_1", "v1")),
    ("POST", "/openai/responses", {"api-version": "2025-04-01-preview"},
     ("create", None, "2025-04-01-preview")),
    ("POST", "/openai/responses", {"api-version": "2025-03-01-preview"},
     ("create", None, "2025-03-01-preview")),
    ("POST", "/openai/responses", {"api-version": "2024-10-21"}, 404),
    ("POST", "/openai/responses", {"api-version": "2025-02-01-preview"}, 404),
    ("POST", "/openai/responses", {}, 404),
    ("POST", "/openai/responses", {"api-version": "2099-01-01"}, 400),
    ("POST", "/openai/v1/responses", {"api-version": "2024-10-21"}, 400),
    ("GET", "/openai/v1/responses", {}, 404),
    ("POST", "/openai/v1/responses/resp_1", {}, 404),
    ("GET", "/openai/v1/responses/resp_1/input_items/x", {}, 404),
    ("GET", "/openai/v1/responses/resp_1/input_items", {}, ("input_items", "resp_1", "v1")),
    ("POST", "/openai/v1/responses/resp_1/cancel", {}, ("cancel", "resp_1", "v1")),
    ("GET", "/openai/responses/resp_1/input_items", {"api-version": "2025-04-01-preview"},
     ("input_items", "resp_1", "2025-04-01-preview")),
    ("POST", "/openai/responses/resp_1/cancel", {"api-version": "2025-04-01-preview"},
     ("cancel", "resp_1", "2025-04-01-preview")),
    ("GET", "/openai/v1/responses/resp_1/cancel", {}, 404),
    ("DELETE", "/openai/v1/responses/resp_1/input_items", {}, 404),
    ("GET", "/openai/v1/responses/resp_1/", {}, 404),
    ("GET", "/openai/v1/responses//input_items", {}, 404),
])
def test_route_matching(method, path, query, expected):
    assert is_responses_path(path)
    if isinstance(expected, int):
        with pytest.raises(AzureError) as caught:
            match(method, path, query)
        assert caught.value.status == expected
    else:
        route = match(method, path, query)
        assert (route.action, route.response_id, route.version) == expected


def test_other_paths_are_not_responses_paths():
    for path in ("/openai/responsesx", "/openai/v1/responses-old", "/openai/models",
                 "/openai/deployments/x/chat/completions"):
        assert not is_responses_path(path)


@pytest.mark.parametrize(("schema", "fragment"), [
    ({"type": "array"}, "schema must be a JSON Schema of 'type: \"object\"'"),
    ({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
     "'additionalProperties' is required to be supplied and to be false"),
    ({"type": "object", "properties": {"a": {"type": "string"}},
      "additionalProperties": False}, "Missing 'a'"),
    ({"type": "object", "properties": {"a": {"type": "object", "properties": {}}},
      "required": ["a"], "additionalProperties": False}, "context=('properties', 'a')"),
    ({"type": "object", "properties": {}, "required": ["ghost"],
      "additionalProperties": False}, "Extra required key 'ghost'"),
])
def test_strict_schema_rules(schema, fragment):
    with pytest.raises(AzureError) as caught:
        check_strict(schema, "response_format 'x'", "text.format.schema")
    error = json.loads(caught.value.body)["error"]
    assert fragment in error["message"] and error["code"] == "invalid_json_schema"
    assert error["param"] == "text.format.schema"


def _response(output: list[dict]) -> dict:
    return {"id": "resp_1", "object": "response", "created_at": 1, "status": "completed",
            "model": "m", "output": output, "parallel_tool_calls": True,
            "tool_choice": "auto", "tools": [], "usage": None}


def test_event_order_for_reasoning_call_and_message():
    thought = {"id": "rs_1", "type": "reasoning",
               "summary": [{"type": "summary_text", "text": "Thinking."}]}
    call = {"id": "fc_1", "type": "function_call", "status": "completed", "call_id": "call_1",
            "name": "f", "arguments": '{"a": 1}'}
    message = {"id": "msg_1", "type": "message", "status": "completed", "role": "assistant",
               "content": [{"type": "output_text", "annotations": [], "logprobs": [],
                            "text": "Hi there"}]}
    raw = stream_events(_response([thought, call, message]), ["Hi", " there"])
    adapter = TypeAdapter(ResponseStreamEvent)
    events = [adapter.validate_python(json.loads(e.split(b"data: ", 1)[1])) for e in raw]
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert [e.type.removeprefix("response.") for e in events] == [
        "created", "in_progress",
        "output_item.added", "reasoning_summary_part.added", "reasoning_summary_text.delta",
        "reasoning_summary_text.done", "reasoning_summary_part.done", "output_item.done",
        "output_item.added", "function_call_arguments.delta", "function_call_arguments.done",
        "output_item.done",
        "output_item.added", "content_part.added", "output_text.delta", "output_text.delta",
        "output_text.done", "content_part.done", "output_item.done", "completed"]
    assert events[0].response.output == [] and events[0].response.status == "in_progress"
    incomplete = stream_events({**_response([message]), "status": "incomplete"}, ["Hi"])
    assert b'"type":"response.incomplete"' in incomplete[-1]
