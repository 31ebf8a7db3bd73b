"""Background mode and input items of the Responses API, through the real openai SDK over
real HTTP: polling a background response as Microsoft Learn's sample does, cancelling it,
streaming it and resuming the stream with ``starting_after``, and listing a response's
input items page by page.  Bodies are validated against the SDK's own pydantic types."""

from __future__ import annotations

import time

import openai
import pytest
from azure.identity import ManagedIdentityCredential, get_bearer_token_provider
from openai.types.responses import Response, ResponseItemList, ResponseStreamEvent
from pydantic import TypeAdapter

from azure_llm_helpers._constants import COGNITIVE_SERVICES_SCOPE, RESPONSES_API_VERSION
from azure_llm_helpers.mock import MockServer

from . import loopback

CHAT = "gpt-4o-mini-chat"
BATCH_CLIENT_ID = "70a08ff5-43bf-4a47-a463-c66c640fa348"  # id-course-batch (no role)
EVENTS = TypeAdapter(ResponseStreamEvent)


def _v1(mock: MockServer, key: object = None) -> openai.OpenAI:
    return openai.OpenAI(base_url=mock.url + "openai/v1/", max_retries=0,
                         api_key=key if key is not None else mock.config.api_key)


def _dated(mock: MockServer) -> openai.AzureOpenAI:
    return openai.AzureOpenAI(azure_endpoint=mock.url, api_key=mock.config.api_key,
                              api_version=RESPONSES_API_VERSION, max_retries=0)


@pytest.fixture(params=["v1", "dated"])
def client(request: pytest.FixtureRequest, mock: MockServer) -> openai.OpenAI:
    return _v1(mock) if request.param == "v1" else _dated(mock)


def _get(mock: MockServer, path: str, **params: object) -> tuple[int, dict]:
    reply = loopback.client().get(mock.url + "openai/v1/responses/" + path, params=params,
                                  headers={"api-key": mock.config.api_key}, timeout=10)
    return reply.status_code, reply.json()


# -- background mode: Learn's polling loop ----------------------------------------------------

def test_learns_polling_loop_ends_with_the_foreground_answer(client):
    resp = client.responses.create(model=CHAT, input="Write a short poem about the sea",
                                   background=True)
    assert resp.status == "queued" and resp.output == [] and resp.background is True
    assert resp.usage is None and resp.id.startswith("resp_")
    seen = []
    while resp.status in {"queued", "in_progress"}:  # as in Learn's sample
        seen.append(resp.status)
        time.sleep(0.01)
        resp = client.responses.retrieve(resp.id)
    assert seen == ["queued", "in_progress"] and resp.status == "completed"
    foreground = client.responses.create(model=CHAT, input="Write a short poem about the sea")
    assert resp.output_text == foreground.output_text and resp.usage == foreground.usage
    assert resp.background is True and foreground.background is False
    # Once completed it stays so; the same request again starts again, with the same id.
    assert client.responses.retrieve(resp.id).status == "completed"
    again = client.responses.create(model=CHAT, input="Write a short poem about the sea",
                                    background=True)
    assert (again.id, again.status) == (resp.id, "queued")


def test_every_background_state_validates_against_the_sdk_types(mock):
    client = _v1(mock)
    first = client.responses.create(model=CHAT, input="Tell me a joke", background=True)
    replies = [_get(mock, first.id) for _ in range(3)]
    assert [code for code, _ in replies] == [200, 200, 200]
    states = [body for _, body in replies]
    assert [Response.model_validate(s).status for s in states] == [
        "in_progress", "completed", "completed"]
    assert states[0]["output"] == [] and states[1]["output"]


def test_background_needs_store(client):
    with pytest.raises(openai.BadRequestError) as info:
        client.responses.create(model=CHAT, input="hi", background=True, store=False)
    assert info.value.body["param"] == "store"
    assert "Background mode requires store=true" in info.value.body["message"]


# -- cancel ---------------------------------------------------------------------------------

def test_cancel_stops_a_queued_or_running_background_response(client):
    queued = client.responses.create(model=CHAT, input="Explain DNS", background=True)
    cancelled = client.responses.cancel(queued.id)
    assert (cancelled.id, cancelled.status, cancelled.output) == (queued.id, "cancelled", [])
    assert client.responses.retrieve(queued.id).status == "cancelled"  # it never finishes
    assert client.responses.cancel(queued.id).status == "cancelled"  # idempotent
    running = client.responses.create(model=CHAT, input="Explain TLS", background=True)
    assert client.responses.retrieve(running.id).status == "in_progress"
    assert client.responses.cancel(running.id).status == "cancelled"


def test_cancel_of_a_finished_background_response_returns_it_unchanged(client):
    resp = client.responses.create(model=CHAT, input="Tell me a joke", background=True)
    client.responses.retrieve(resp.id)
    done = client.responses.retrieve(resp.id)
    assert done.status == "completed"
    assert client.responses.cancel(resp.id).model_dump() == done.model_dump()


def test_cancel_refuses_foreground_and_unknown_responses(client):
    foreground = client.responses.create(model=CHAT, input="Tell me a joke")
    with pytest.raises(openai.BadRequestError) as info:
        client.responses.cancel(foreground.id)
    assert info.value.body["message"] == "Cannot cancel a synchronous response."
    assert client.responses.retrieve(foreground.id).status == "completed"
    with pytest.raises(openai.NotFoundError, match="Response with id 'resp_nope' not found"):
        client.responses.cancel("resp_nope")


# -- streaming a background response, and resuming it ----------------------------------------

def test_a_background_stream_resumes_after_a_sequence_number(client):
    kwargs = {"model": CHAT, "input": "Explain HTTP caching", "background": True}
    events = list(client.responses.create(**kwargs, stream=True))
    assert events[0].type == "response.created" and events[0].response.background is True
    assert events[-1].type == "response.completed"
    rid, cut = events[0].response.id, 4
    tail = list(client.responses.retrieve(rid, stream=True, starting_after=cut))
    assert [e.sequence_number for e in tail] == list(range(cut + 1, len(events)))
    assert [e.model_dump() for e in tail] == [e.model_dump() for e in events[cut + 1:]]
    assert len(list(client.responses.retrieve(rid, stream=True))) == len(events)
    # The SDK's helper fetches the whole stream and drops what the caller has seen.
    with client.responses.stream(response_id=rid, starting_after=cut) as stream:
        helped = list(stream)
        final = stream.get_final_response()
    assert helped[0].sequence_number == cut + 1
    assert final.output_text == client.responses.retrieve(rid).output_text
    assert final.background is True


def test_a_polled_background_response_can_be_streamed_and_then_is_complete(mock):
    client = _v1(mock)
    resp = client.responses.create(model=CHAT, input="Tell me a joke", background=True)
    raw = loopback.client().get(mock.url + f"openai/v1/responses/{resp.id}",
                                params={"stream": "true", "starting_after": 1},
                                headers={"api-key": mock.config.api_key}, timeout=10)
    assert raw.headers["content-type"].startswith("text/event-stream")
    frames = [f for f in raw.text.split("\n\n") if f]
    events = [EVENTS.validate_json(f.split("data: ", 1)[1]) for f in frames]
    assert events[0].sequence_number == 2 and events[-1].type == "response.completed"
    assert client.responses.retrieve(resp.id).status == "completed"


def test_streaming_a_foreground_response_again_is_refused(client):
    foreground = client.responses.create(model=CHAT, input="Tell me a joke")
    with pytest.raises(openai.BadRequestError) as info:
        client.responses.retrieve(foreground.id, stream=True)
    assert info.value.body["param"] == "stream"
    background = client.responses.create(model=CHAT, input="Tell me a joke",
                                         background=True)
    with pytest.raises(openai.BadRequestError, match="starting_after"):
        client.responses.retrieve(background.id, stream=True, starting_after=-1)


# -- input items -------------------------------------------------------------------------------

def test_a_string_input_is_one_user_message_with_one_input_text_part(client, mock):
    resp = client.responses.create(model=CHAT, input="Tell me a joke")
    page = client.responses.input_items.list(resp.id)
    assert len(page.data) == 1 and page.has_more is False
    item = page.data[0]
    assert (item.type, item.role, item.status) == ("message", "user", "completed")
    assert [p.model_dump(exclude_none=True) for p in item.content] == [
        {"type": "input_text", "text": "Tell me a joke"}]
    assert item.id.startswith("msg_") and page.first_id == page.last_id == item.id
    # Stable: the same request lists the same ids; strict against the SDK's list type.
    again = client.responses.create(model=CHAT, input="Tell me a joke")
    assert client.responses.input_items.list(again.id).data[0].id == item.id
    code, body = _get(mock, f"{resp.id}/input_items")
    assert code == 200 and body["object"] == "list"
    ResponseItemList.model_validate(body)


def test_input_items_page_by_limit_after_and_order(client):
    turns = [{"role": "user", "content": f"Question {n}"} for n in range(5)]
    resp = client.responses.create(model=CHAT, input=turns)
    newest_first = client.responses.input_items.list(resp.id)  # default order: desc
    texts = [i.content[0].text for i in newest_first.data]
    assert texts == [f"Question {n}" for n in reversed(range(5))]
    page = client.responses.input_items.list(resp.id, limit=2, order="asc")
    assert [i.content[0].text for i in page.data] == ["Question 0", "Question 1"]
    assert page.has_more is True and page.last_id == page.data[-1].id
    after = client.responses.input_items.list(resp.id, limit=2, order="asc",
                                              after=page.last_id)
    assert [i.content[0].text for i in after.data] == ["Question 2", "Question 3"]
    # The SDK's auto-pagination walks every page with `after`.
    walked = [i.content[0].text for i in client.responses.input_items.list(resp.id, limit=2,
                                                                            order="asc")]
    assert walked == [f"Question {n}" for n in range(5)]
    before = client.responses.input_items.list(
        resp.id, order="asc", extra_query={"before": after.data[0].id})
    assert [i.content[0].text for i in before.data] == ["Question 0", "Question 1"]


def test_input_items_hold_the_previous_response_chain(client):
    first = client.responses.create(model=CHAT, input="Tell me a joke")
    second = client.responses.create(
        model=CHAT, previous_response_id=first.id,
        input=[{"role": "assistant", "content": "Shall I go on?"},
               {"role": "user", "content": [{"type": "input_text", "text": "Another"}]}])
    items = client.responses.input_items.list(second.id, order="asc").data
    assert [(i.type, i.role) for i in items] == [
        ("message", "user"), ("message", "assistant"), ("message", "assistant"),
        ("message", "user")]
    assert items[0].id == client.responses.input_items.list(first.id).data[0].id
    assert items[1].id == first.output[0].id  # the first response's output, as sent
    assert items[2].content[0].type == "output_text" and items[2].status == "completed"
    assert len({i.id for i in items}) == 4


def test_function_calls_and_outputs_are_listed_with_ids(client):
    call = {"type": "function_call", "call_id": "call_1", "name": "get_weather",
            "arguments": '{"city":"Oslo"}'}
    result = {"type": "function_call_output", "call_id": "call_1", "output": "4 degrees"}
    resp = client.responses.create(model=CHAT, input=[
        {"role": "user", "content": "Weather in Oslo?"}, call, result])
    items = client.responses.input_items.list(resp.id, order="asc").data
    assert [i.type for i in items] == ["message", "function_call", "function_call_output"]
    assert items[1].id.startswith("fc_") and items[1].call_id == "call_1"
    assert items[2].id.startswith("fco_") and items[2].output == "4 degrees"


@pytest.mark.parametrize(("query", "param"), [
    ({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"limit": "ten"}, "limit"),
    ({"order": "newest"}, "order"), ({"after": "msg_unknown"}, "after"),
    ({"include": "bogus"}, "include")])
def test_bad_input_items_queries_get_a_400_naming_the_parameter(mock, query, param):
    resp = _v1(mock).responses.create(model=CHAT, input="Tell me a joke")
    code, body = _get(mock, f"{resp.id}/input_items", **query)
    assert code == 400 and body["error"]["param"] == param
    assert body["error"]["type"] == "invalid_request_error"


def test_input_items_of_unknown_or_unstored_responses_get_the_get_404(client, mock):
    unstored = client.responses.create(model=CHAT, input="Tell me a joke", store=False)
    for rid in ("resp_nope", unstored.id):
        with pytest.raises(openai.NotFoundError):
            client.responses.input_items.list(rid)
        assert _get(mock, f"{rid}/input_items") == _get(mock, rid)


def test_sub_routes_outside_the_table_are_azures_404(mock):
    for method, path in (("GET", "resp_x/cancel"), ("POST", "resp_x/input_items"),
                         ("GET", "resp_x/input_items/extra")):
        reply = loopback.client().request(method, mock.url + "openai/v1/responses/" + path,
                                          headers={"api-key": mock.config.api_key})
        assert reply.status_code == 404 and reply.json()["error"]["message"] == (
            "Resource not found")


# -- access: token auth needs the read or write data action -----------------------------------

def test_token_auth_checks_the_data_action_of_each_route(mock, mock_env):
    allowed = _v1(mock, get_bearer_token_provider(ManagedIdentityCredential(),
                                                  COGNITIVE_SERVICES_SCOPE))
    resp = allowed.responses.create(model=CHAT, input="Tell me a joke", background=True)
    assert len(allowed.responses.input_items.list(resp.id).data) == 1
    assert allowed.responses.cancel(resp.id).status == "cancelled"
    batch = get_bearer_token_provider(ManagedIdentityCredential(client_id=BATCH_CLIENT_ID),
                                      COGNITIVE_SERVICES_SCOPE)
    denied = _v1(mock, batch)
    with pytest.raises(openai.AuthenticationError, match="responses/read.*input_items"):
        denied.responses.input_items.list(resp.id)
    with pytest.raises(openai.AuthenticationError, match="responses/write.*/cancel"):
        denied.responses.cancel(resp.id)
