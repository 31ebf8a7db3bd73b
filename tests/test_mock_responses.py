"""The Responses API against the real openai SDK over real HTTP: the v1 route
(``OpenAI(base_url=.../openai/v1/)``, sync and async) and the dated route
(``AzureOpenAI(api_version=RESPONSES_API_VERSION)``).  Every body and stream event is
validated against the SDK's own pydantic types."""

from __future__ import annotations

import asyncio
import dataclasses
import json

import httpx
import jsonschema
import openai
import pytest
from azure.identity import ManagedIdentityCredential, get_bearer_token_provider
from openai.types.responses import Response, ResponseStreamEvent
from pydantic import TypeAdapter

from azure_llm_helpers._constants import COGNITIVE_SERVICES_SCOPE, RESPONSES_API_VERSION
from azure_llm_helpers.mock import MockServer
from azure_llm_helpers.mock.config import load_config

from . import loopback

CHAT = "gpt-4o-mini-chat"
BATCH_CLIENT_ID = "70a08ff5-43bf-4a47-a463-c66c640fa348"  # id-course-batch (no role)
JOKE = "\n\nWhy couldn't the bicycle stand up by itself? Because it was two-tired!"
EVENTS = TypeAdapter(ResponseStreamEvent)
WEATHER = {"type": "function", "name": "get_weather", "description": "Current weather",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                          "required": ["city"], "additionalProperties": False},
           "strict": True}
PERSON = {"type": "object", "properties": {
    "name": {"type": "string"}, "age": {"type": "integer", "minimum": 0},
    "tags": {"type": "array", "items": {"type": "string"}}},
    "required": ["name", "age", "tags"], "additionalProperties": False}


@pytest.fixture
def client(mock: MockServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=mock.url + "openai/v1/", api_key=mock.config.api_key,
                         max_retries=0)


def _valid(response: Response) -> Response:
    """Strictly re-validate what the SDK built (it constructs without validating)."""
    return Response.model_validate(response.model_dump(mode="json", exclude_unset=True))


def _raw(mock: MockServer, body: dict) -> httpx.Response:
    return loopback.client().post(mock.url + "openai/v1/responses", json=body, timeout=30,
                                  headers={"api-key": mock.config.api_key})


def test_create_answers_with_a_valid_response_object(client):
    response = _valid(client.responses.create(model=CHAT, input="Tell me a joke"))
    assert response.output_text == JOKE
    assert response.id.startswith("resp_") and response.object == "response"
    assert response.status == "completed" and response.model == "gpt-4o-mini-2024-07-18"
    message = response.output[0]
    assert message.type == "message" and message.id.startswith("msg_")
    usage = response.usage
    assert usage.output_tokens == 18  # cl100k_base, as for the chat completion
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens
    assert usage.input_tokens_details.cached_tokens == 0
    assert usage.output_tokens_details.reasoning_tokens == 0
    again = client.responses.create(model=CHAT, input="Tell me a joke")
    assert again.model_dump() == response.model_dump()  # deterministic, ids included


def test_raw_body_validates_strictly_and_carries_request_fields(mock):
    body = {"model": CHAT, "input": [{"role": "user", "content": "What is HTTP?"}],
            "instructions": "Answer briefly.", "metadata": {"lesson": "08"},
            "temperature": 0.2}
    reply = _raw(mock, body)
    assert reply.status_code == 200 and reply.headers["apim-request-id"]
    response = Response.model_validate(reply.json())
    assert response.instructions == "Answer briefly." and response.metadata == {"lesson": "08"}
    assert response.temperature == 0.2 and response.store is True
    assert "HTTP" in response.output_text


def test_stream_assembles_into_the_non_streamed_response(client):
    kwargs = {"model": CHAT, "input": "Explain HTTP caching", "instructions": "Be brief."}
    plain = client.responses.create(**kwargs)
    with client.responses.stream(**kwargs) as stream:
        events = list(stream)
        final = stream.get_final_response()
    # (The helper's parsed types add "parsed": None fields; compare the rest.)
    assert final.model_dump(exclude_none=True) == plain.model_dump(exclude_none=True)
    assert [e.type for e in events][:4] == [
        "response.created", "response.in_progress", "response.output_item.added",
        "response.content_part.added"]
    assert [e.type for e in events][-4:] == [
        "response.output_text.done", "response.content_part.done",
        "response.output_item.done", "response.completed"]
    deltas = [e.delta for e in events if e.type == "response.output_text.delta"]
    assert len(deltas) > 5 and "".join(deltas) == plain.output_text
    numbers = [e.sequence_number for e in events]
    assert numbers == list(range(len(events)))


def test_every_stream_event_validates_against_the_sdk_union(mock):
    body = {"model": CHAT, "input": "What is the weather in Paris?", "tools": [WEATHER],
            "stream": True}
    for request in (body, {**body, "tools": None, "input": "Tell me a joke"}):
        reply = _raw(mock, request)
        assert reply.headers["content-type"].startswith("text/event-stream")
        blocks = [b for b in reply.text.split("\n\n") if b]
        for number, block in enumerate(blocks):
            event_line, data_line = block.split("\n")
            event = EVENTS.validate_python(json.loads(data_line.removeprefix("data: ")))
            assert event_line == f"event: {event.type}" and event.sequence_number == number
        assert json.loads(blocks[-1].split("data: ")[1])["type"] == "response.completed"


def test_previous_response_id_continues_the_stored_conversation(client):
    first = client.responses.create(model=CHAT, input="My favourite colour is teal.")
    second = client.responses.create(model=CHAT, input="What did I just tell you?",
                                     previous_response_id=first.id)
    fresh = client.responses.create(model=CHAT, input="What did I just tell you?")
    assert second.previous_response_id == first.id
    # The earlier turn (question and answer) is sent to the model again, and the reply
    # refers back to it.
    assert second.usage.input_tokens > fresh.usage.input_tokens + first.usage.output_tokens
    assert "favourite colour is teal" in second.output_text
    assert "teal" not in fresh.output_text
    third = client.responses.create(model=CHAT, input="Thanks!", previous_response_id=second.id)
    assert third.usage.input_tokens > second.usage.total_tokens
    assert _valid(client.responses.retrieve(second.id)).model_dump() == second.model_dump()


def test_unknown_previous_response_id_is_a_400(client):
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model=CHAT, input="hi",
                                previous_response_id="resp_" + "0" * 48)
    assert caught.value.code == "previous_response_not_found"
    assert caught.value.param == "previous_response_id"


def test_store_false_is_not_retrievable_and_delete_removes(client):
    kept = client.responses.create(model=CHAT, input="Keep this one")
    unstored = client.responses.create(model=CHAT, input="Forget this one", store=False)
    assert unstored.store is False
    with pytest.raises(openai.NotFoundError, match="not found"):
        client.responses.retrieve(unstored.id)
    with pytest.raises(openai.BadRequestError, match="not found"):
        client.responses.create(model=CHAT, input="more", previous_response_id=unstored.id)
    assert client.responses.retrieve(kept.id).id == kept.id
    client.responses.delete(kept.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(kept.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.delete(kept.id)


def test_function_call_loop_by_previous_response_id_and_by_full_history(client):
    first = _valid(client.responses.create(
        model=CHAT, input="What is the weather in Paris?", tools=[WEATHER]))
    call = first.output[0]
    assert call.type == "function_call" and call.name == "get_weather"
    assert call.call_id.startswith("call_") and call.id.startswith("fc_")
    assert json.loads(call.arguments) == {"city": "Paris"}
    jsonschema.validate(json.loads(call.arguments), WEATHER["parameters"])
    assert first.output_text == ""
    output = {"type": "function_call_output", "call_id": call.call_id, "output": "18 C, sunny"}
    chained = client.responses.create(model=CHAT, previous_response_id=first.id,
                                      input=[output], tools=[WEATHER])
    assert "18 C, sunny" in chained.output_text
    history = [{"role": "user", "content": "What is the weather in Paris?"},
               call.model_dump(exclude_none=True), output]
    stateless = client.responses.create(model=CHAT, input=history, tools=[WEATHER],
                                        store=False)
    assert "18 C, sunny" in stateless.output_text
    with pytest.raises(openai.BadRequestError, match="No tool output found"):
        client.responses.create(model=CHAT, previous_response_id=first.id, input="and?")


def test_streamed_function_call_matches_the_plain_one(client):
    kwargs = {"model": CHAT, "input": "What is the weather in Oslo?", "tools": [WEATHER]}
    plain = client.responses.create(**kwargs)
    with client.responses.stream(**kwargs) as stream:
        kinds = [e.type for e in stream]
        final = stream.get_final_response()
    assert final.output[0].arguments == plain.output[0].arguments
    assert "response.function_call_arguments.delta" in kinds
    assert kinds.index("response.function_call_arguments.done") < kinds.index(
        "response.output_item.done")


def test_json_schema_strict_gives_json_valid_for_the_schema(client):
    fmt = {"type": "json_schema", "name": "person", "schema": PERSON, "strict": True}
    response = client.responses.create(
        model=CHAT, input="Describe the scientist 'Ada Lovelace', aged 36.",
        text={"format": fmt})
    data = json.loads(response.output_text)
    jsonschema.validate(data, PERSON)
    assert data["name"] == "Ada Lovelace"
    obj = client.responses.create(model=CHAT, input="Reply in JSON: what is 2+2?",
                                  text={"format": {"type": "json_object"}})
    assert isinstance(json.loads(obj.output_text), dict)
    with pytest.raises(openai.BadRequestError, match="'additionalProperties' is required"):
        client.responses.create(model=CHAT, input="x", text={"format": {
            **fmt, "schema": {"type": "object", "properties": {"a": {"type": "string"}},
                              "required": ["a"]}}})


def test_max_output_tokens_cuts_to_incomplete(client):
    response = _valid(client.responses.create(
        model=CHAT, input="Explain HTTP caching in depth", max_output_tokens=16))
    assert response.status == "incomplete"
    assert response.incomplete_details.reason == "max_output_tokens"
    assert response.usage.output_tokens == 16 and response.output[0].status == "incomplete"
    with client.responses.stream(model=CHAT, input="Explain HTTP caching in depth",
                                 max_output_tokens=16) as stream:
        kinds = [e.type for e in stream]
    assert kinds[-1] == "response.incomplete"


def test_async_client(mock):
    async def main() -> tuple[Response, Response]:
        client = openai.AsyncOpenAI(base_url=mock.url + "openai/v1/",
                                    api_key=mock.config.api_key, max_retries=0)
        first = await client.responses.create(model=CHAT, input="Tell me a joke")
        async with client.responses.stream(model=CHAT, input="Tell me a joke") as stream:
            async for _ in stream:
                pass
            streamed = await stream.get_final_response()
        await client.close()
        return first, streamed

    first, streamed = asyncio.run(main())
    assert first.output_text == JOKE == streamed.output_text


def test_dated_route_with_azure_openai(mock):
    client = openai.AzureOpenAI(azure_endpoint=mock.url, api_key=mock.config.api_key,
                                api_version=RESPONSES_API_VERSION, max_retries=0)
    response = _valid(client.responses.create(model=CHAT, input="Tell me a joke"))
    assert response.output_text == JOKE
    assert client.responses.retrieve(response.id).id == response.id
    with client.responses.stream(model=CHAT, input="Tell me a joke") as stream:
        assert stream.get_final_response().output_text == JOKE
    old = openai.AzureOpenAI(azure_endpoint=mock.url, api_key=mock.config.api_key,
                             api_version="2024-10-21", max_retries=0)
    with pytest.raises(openai.NotFoundError):
        old.responses.create(model=CHAT, input="hi")


def test_bearer_key_and_entra_token_on_v1(mock, mock_env, monkeypatch):
    url, body = mock.url + "openai/v1/responses", {"model": CHAT, "input": "hi"}
    bearer = loopback.client().post(url, json=body,
                                    headers={"authorization": f"Bearer {mock.config.api_key}"})
    assert bearer.status_code == 200
    wrong = loopback.client().post(url, json=body, headers={"authorization": "Bearer " + "0" * 32})
    assert wrong.status_code == 401 and "error" in wrong.json()
    monkeypatch.delenv("AZURE_OPENAI_API_KEY")
    provider = get_bearer_token_provider(ManagedIdentityCredential(), COGNITIVE_SERVICES_SCOPE)
    token = provider()
    client = openai.OpenAI(base_url=mock.url + "openai/v1/", api_key=provider, max_retries=0)
    assert client.responses.create(model=CHAT, input="Tell me a joke").output_text == JOKE
    # Some integrations send the token in both headers; Azure accepts the bearer token.
    both = loopback.client().post(url, json=body, headers={"authorization": f"Bearer {token}",
                                                           "api-key": token})
    assert both.status_code == 200
    batch = get_bearer_token_provider(ManagedIdentityCredential(client_id=BATCH_CLIENT_ID),
                                      COGNITIVE_SERVICES_SCOPE)
    denied = openai.OpenAI(base_url=mock.url + "openai/v1/", api_key=batch, max_retries=0)
    with pytest.raises(openai.AuthenticationError, match="responses/write"):
        denied.responses.create(model=CHAT, input="hi")


def _reasoning_server() -> MockServer:
    config = load_config()
    chat = config.deployments[CHAT]
    mini = dataclasses.replace(chat, name="gpt-5-mini", model="gpt-5-mini",
                               version="2025-08-07", kind="reasoning")
    return MockServer(dataclasses.replace(config, deployments={**config.deployments,
                                                               mini.name: mini}))


def test_reasoning_deployment_summaries_and_parameters():
    with _reasoning_server() as server:
        client = openai.OpenAI(base_url=server.url + "openai/v1/",
                               api_key=server.config.api_key, max_retries=0)
        kwargs = {"model": "gpt-5-mini", "input": "Explain HTTP caching",
                  "reasoning": {"effort": "low", "summary": "auto"},
                  "include": ["reasoning.encrypted_content"]}
        response = _valid(client.responses.create(**kwargs))
        thought, message = response.output
        assert thought.type == "reasoning" and thought.summary[0].text
        assert thought.encrypted_content and message.type == "message"
        assert response.usage.output_tokens_details.reasoning_tokens > 0
        with client.responses.stream(**kwargs) as stream:
            kinds = [e.type for e in stream]
            final = stream.get_final_response()
        assert final.model_dump(exclude_none=True) == response.model_dump(exclude_none=True)
        assert "response.reasoning_summary_text.delta" in kinds
        starved = client.responses.create(model="gpt-5-mini", input="Explain HTTP caching",
                                          max_output_tokens=20)
        assert starved.status == "incomplete" and starved.output_text == ""
        assert starved.usage.output_tokens_details.reasoning_tokens == 20
        with pytest.raises(openai.BadRequestError, match="'temperature' is not supported"):
            client.responses.create(model="gpt-5-mini", input="x", temperature=0.5)
        with pytest.raises(openai.BadRequestError, match="does not support 'none'"):
            client.responses.create(model="gpt-5-mini", input="x",
                                    reasoning={"effort": "none"})
        with pytest.raises(openai.BadRequestError, match="'reasoning.effort' is not supported"):
            client.responses.create(model=CHAT, input="x", reasoning={"effort": "low"})


def test_injected_faults_and_retries_apply_to_responses(client):
    header = {"x-mock-fault": "status=429; fail_first=2; retry_after_ms=50"}
    retrying = client.with_options(max_retries=2)
    raw = retrying.responses.with_raw_response.create(model=CHAT, input="hi",
                                                      extra_headers=header)
    assert raw.retries_taken == 2 and raw.parse().status == "completed"
    with pytest.raises(openai.InternalServerError):
        client.responses.create(model=CHAT, input="hi",
                                extra_headers={"x-mock-fault": "status=500; fail_first=1"})
