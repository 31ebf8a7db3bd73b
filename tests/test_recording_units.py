"""Unit tests of the recording pieces: redaction, the file format, matching."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from azure_llm_helpers._constants import SECRET_SHAPES
from azure_llm_helpers.mock.recording.cassette import (
    Event,
    Interaction,
    RecordingError,
    dump_document,
    from_document,
    load_directory,
    pack_body,
    pack_event,
    to_document,
    unpack_body,
    unpack_event,
)
from azure_llm_helpers.mock.recording.matcher import Matcher, request_key
from azure_llm_helpers.mock.recording.redact import HOST_PLACEHOLDER, ZERO_GUID, Redactor

HEX_KEY = secrets.token_hex(16)
LONG_KEY = "A" + secrets.token_hex(41)[:82] + "Z"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJ4eXoiLCJvaWQiOiJhYmMifQ.c2lnbmF0dXJlc2lnbmF0dXJl"
CHAT = "/openai/deployments/chat/chat/completions"


# -- redaction ------------------------------------------------------------------------------

def test_shaped_and_known_secrets_are_redacted_everywhere_in_text() -> None:
    r = Redactor("myres.openai.azure.com")
    r.add_secret("Bearer sekrit-token-value")
    bearer = "abc.defghijklmnopqrstuvw"
    text = (f"key {HEX_KEY}, long {LONG_KEY}, jwt {JWT}, Authorization: Bearer {bearer}, "
            "sekrit-token-value at https://myres.openai.azure.com/openai "
            "/subscriptions/12345678-1234-1234-1234-123456789abc/resourceGroups/rg")
    out = r.text(text)
    for leaked in (HEX_KEY, LONG_KEY, JWT, bearer, "sekrit-token-value", "myres", "12345678-1234"):
        assert leaked not in out
    assert HOST_PLACEHOLDER in out and ZERO_GUID in out
    denied = r.text("The principal `0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0` lacks the required "
                    'data action; {"tid": "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"}')
    assert "0f1e2d3c" not in denied and denied.count(ZERO_GUID) == 2
    assert not any(shape.search(out) for shape in SECRET_SHAPES.values())


def test_ids_and_base64_vectors_survive_redaction() -> None:
    """Azure's Responses ids are 32 hex digits after ``resp_``: redacting them would break
    previous_response_id chains on replay."""
    r = Redactor()
    rid = "resp_" + "0123456789abcdef" * 2
    vector = "A" * 90 + "+" + "b" * 200 + "=="
    body = {"id": rid, "previous_response_id": rid, "output": [{"id": "msg_" + "a" * 32}],
            "data": [{"embedding": vector}], "note": f"key {HEX_KEY}"}
    out = r.json(body)
    assert out["id"] == rid and out["previous_response_id"] == rid
    assert out["output"][0]["id"] == "msg_" + "a" * 32
    assert out["data"][0]["embedding"] == vector
    assert HEX_KEY not in out["note"]


def test_header_rules() -> None:
    r = Redactor()
    kept = r.request_headers([("api-key", HEX_KEY), ("Authorization", "Bearer x"),
                              ("Content-Type", "application/json"), ("User-Agent", "x")])
    assert kept == {"content-type": "application/json"}
    out = dict(r.response_headers([("apim-request-id", "abc"), ("x-ms-client-request-id", "d"),
                                   ("set-cookie", "s=1"), ("retry-after", "2")]))
    assert out == {"apim-request-id": ZERO_GUID, "x-ms-client-request-id": ZERO_GUID,
                   "retry-after": "2"}


# -- file format ----------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    b'{"a":1,"b":"caf\xc3\xa9"}', b'{"a": 1, "b": [1, 2]}', b'{\n  "a": 1\n}',
    b'{"b":"caf\\u00e9"}', b"plain text", b'{"broken": ', b"\xff\x00binary",
])
def test_bodies_round_trip_byte_for_byte(raw: bytes) -> None:
    assert unpack_body(pack_body(raw), "x") == raw


def test_json_bodies_are_stored_readable() -> None:
    assert pack_body(b'{"a":1}') == {"json": {"a": 1}, "style": "compact"}


@pytest.mark.parametrize("raw", [
    b'data: {"id":"x","choices":[]}\n\n', b"event: response.created\ndata: {\"a\":1}\n\n",
    b"data: [DONE]\n\n", b": keep-alive\n\n",
])
def test_events_round_trip_byte_for_byte(raw: bytes) -> None:
    packed = {"after_ms": 1.5, **pack_event(raw)}
    assert unpack_event(json.loads(json.dumps(packed)), "x") == Event(1.5, raw)


def _interaction(body: dict, answer: bytes = b'{"ok":true}', name: str = "",
                 path: str = CHAT) -> Interaction:
    return Interaction(name=name, method="POST", path=path, query={"api-version": "2024-10-21"},
                       request=body, status=200, headers=[("x-ms-region", "East US")],
                       after_ms=12.0, body=answer)


def test_documents_round_trip(tmp_path: Path) -> None:
    streamed = _interaction({"stream": True})
    streamed.events = [Event(3.0, b'data: {"a":1}\n\n'), Event(1.0, b"data: [DONE]\n\n")]
    for i, item in enumerate((_interaction({"messages": []}), streamed)):
        (tmp_path / f"000{i}-x.json").write_text(dump_document(to_document(item)))
    plain, stream = (item.materialise() for item in load_directory(tmp_path))
    assert plain.body == b'{"ok":true}' and plain.headers == [("x-ms-region", "East US")]
    assert [e.raw for e in stream.events] == [b'data: {"a":1}\n\n', b"data: [DONE]\n\n"]
    assert stream.request == {"stream": True} and plain.name == "0000-x.json"
    assert stream.body == b'data: {"a":1}\n\ndata: [DONE]\n\n'
    text = (tmp_path / "0001-x.json").read_text()
    assert '      {"after_ms": 3.0, "data": {"a": 1}, "style": "compact"},\n' in text


def _one_line_error(directory: Path) -> str:
    with pytest.raises(RecordingError) as info:
        load_directory(directory)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_truncated_file_names_the_file(tmp_path: Path) -> None:
    text = dump_document(to_document(_interaction({"a": 1})))
    (tmp_path / "0001-POST-chat.json").write_text(text[: len(text) // 2])
    message = _one_line_error(tmp_path)
    assert "0001-POST-chat.json" in message and "not valid JSON" in message


def test_hand_edited_wrong_type_names_the_file_and_field(tmp_path: Path) -> None:
    doc = to_document(_interaction({"a": 1}))
    doc["response"]["status"] = "200"
    (tmp_path / "0002-POST-chat.json").write_text(json.dumps(doc))
    message = _one_line_error(tmp_path)
    assert "0002-POST-chat.json" in message and "'status' must be an integer" in message


def test_missing_and_empty_directories(tmp_path: Path) -> None:
    assert "no such recording directory" in _one_line_error(tmp_path / "nope")
    assert "no recordings" in _one_line_error(tmp_path)


def test_other_malformed_documents() -> None:
    good = to_document(_interaction({"a": 1}))
    for broken, expected in [
        ([], "expected a JSON object"),
        ({**good, "recording": 2}, "'recording' must be 1"),
        ({**good, "request": {**good["request"], "path": "/etc"}}, "must start with /openai/"),
        ({**good, "response": {**good["response"], "headers": [["a"]]}}, "headers"),
        ({**good, "response": {**good["response"], "events": [{"data": 1}]}}, "after_ms"),
    ]:
        with pytest.raises(RecordingError, match=expected):
            from_document(broken, "f.json")


# -- matching ---------------------------------------------------------------------------------

def test_key_order_whitespace_stream_false_and_volatile_fields_do_not_matter() -> None:
    q = {"api-version": "2024-10-21"}
    a = request_key("POST", CHAT, q, {"messages": [{"role": "user", "content": "hi"}],
                                      "temperature": 0.5})
    b = request_key("post", CHAT, q, json.loads(
        '{ "temperature" : 0.50, "stream": false, "user": "u1", "metadata": {"x": "y"},'
        '  "messages": [{"content": "hi", "role": "user"}] }'))
    streamed = request_key("POST", CHAT, q, {"messages": [{"role": "user", "content": "hi"}],
                                             "temperature": 0.5, "stream": True})
    assert a.exact == b.exact
    assert a.exact != streamed.exact
    strict = request_key("POST", CHAT, q, {"user": "u1"}, ignored=())
    assert strict.exact != request_key("POST", CHAT, q, {"user": "u2"}, ignored=()).exact


def test_route_comes_from_the_path_or_the_body_model() -> None:
    dated = request_key("POST", CHAT, {}, {"model": "ignored"})
    v1 = request_key("POST", "/openai/v1/chat/completions", {}, {"model": "gpt-4o"})
    assert (dated.target, dated.operation) == ("deployment chat", "chat/completions")
    assert (v1.target, v1.operation) == ("model gpt-4o", "v1/chat/completions")


def test_query_parameters_other_than_the_api_version_choose_the_recording() -> None:
    items = "/openai/v1/responses/resp_1/input_items"
    first = request_key("GET", items, {"limit": "2", "order": "asc"}, None)
    same = request_key("GET", items, {"order": "asc", "limit": "2"}, None)
    second = request_key("GET", items, {"limit": "2", "order": "asc", "after": "msg_1"}, None)
    assert first.exact == same.exact and first.exact != second.exact
    assert first.operation == "v1/responses/resp_1/input_items?limit=2&order=asc"
    tail = request_key("GET", "/openai/v1/responses/resp_1", {"stream": "true",
                                                              "starting_after": "3"}, None)
    whole = request_key("GET", "/openai/v1/responses/resp_1", {"api-version": "v1"}, None)
    assert tail.exact != whole.exact and whole.operation == "v1/responses/resp_1"


def test_repeated_requests_answer_in_recorded_order_round_and_round() -> None:
    items = [_interaction({"n": 1}, b"first", "0001.json"),
             _interaction({"n": 1}, b"second", "0002.json")]
    m = Matcher(items)
    key = m.key_for("POST", CHAT, {"api-version": "2024-10-21"}, {"n": 1})
    assert [m.match(key).body for _ in range(3)] == [b"first", b"second", b"first"]


def test_a_miss_names_the_closest_recording_and_the_differing_field() -> None:
    joke = {"messages": [{"role": "user", "content": "Tell me a joke"}]}
    items = [_interaction(joke, name="0001-POST-chat.json"),
             _interaction({"input": "x"}, name="0002-POST-embeddings.json",
                          path="/openai/deployments/emb/embeddings")]
    m = Matcher(items)
    story = {"messages": [{"role": "user", "content": "Tell me a story"}]}
    key = m.key_for("POST", CHAT, {"api-version": "2024-10-21"}, story)
    assert m.match(key) is None
    message, field = m.explain_miss(key)
    assert "0001-POST-chat.json" in message and field == "body.messages[0].content"
    assert "'Tell me a joke'" in message and "'Tell me a story'" in message
    other = m.key_for("POST", CHAT, {"api-version": "2025-01-01-preview"}, joke)
    assert m.explain_miss(other)[1] == "api-version"


def test_a_planted_secret_in_a_prompt_still_matches_after_redaction() -> None:
    body = {"messages": [{"role": "user", "content": f"my key is {HEX_KEY}"}]}
    recorded = _interaction(Redactor().json(body), name="0001.json")
    assert HEX_KEY not in json.dumps(recorded.request)
    m = Matcher([recorded])
    assert m.match(m.key_for("POST", CHAT, {"api-version": "2024-10-21"}, body)) is recorded
