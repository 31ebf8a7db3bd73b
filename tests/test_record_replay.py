"""Record through the proxy in front of a second mock (the "upstream"), then replay offline.

Everything is real HTTP on loopback with the real openai and langchain-openai SDKs: the
same scenario runs against the upstream directly, through the recording proxy, and against
the replay, and must see byte-identical bodies and identical stream events each time.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from azure_llm_helpers._constants import (
    COGNITIVE_SERVICES_RESOURCE,
    RESPONSES_API_VERSION,
    SECRET_SHAPES,
)
from azure_llm_helpers.mock import MockServer
from azure_llm_helpers.mock.recording import RecordingError
from azure_llm_helpers.mock.recording.cassette import Interaction, dump_document, to_document

VERSION = "2024-10-21"
Scenario = Callable[[MockServer, str, MockServer], Any]


def token_for(server: MockServer) -> str:
    """An Entra ID token from the server's managed-identity endpoint, as azure-identity gets."""
    env = server.env
    reply = httpx.get(env["IDENTITY_ENDPOINT"],
                      headers={"X-IDENTITY-HEADER": env["IDENTITY_HEADER"]},
                      params={"resource": COGNITIVE_SERVICES_RESOURCE, "api-version": "2019-08-01"})
    reply.raise_for_status()
    return reply.json()["access_token"]


def client_for(server: MockServer, auth: str, key: str, log: list | None = None,
               issuer: MockServer | None = None, **kwargs: Any) -> openai.AzureOpenAI:
    """A client of ``server``; token auth gets its token from ``issuer`` (the resource's
    tenant: the upstream when recording, the replaying mock when replaying)."""
    hooks = {"response": [lambda r: log.append((r.status_code, dict(r.headers)))]
             } if log is not None else {}
    credentials = ({"api_key": key} if auth == "key"
                   else {"azure_ad_token": token_for(issuer or server)})
    kwargs.setdefault("api_version", VERSION)
    return openai.AzureOpenAI(azure_endpoint=server.url,
                              http_client=httpx.Client(event_hooks=hooks), **credentials,
                              **kwargs)


def _raw(response: Any) -> bytes:
    return response.http_response.content


# -- scenarios: each returns what the caller observed --------------------------------------

def chat(server: MockServer, key: str, issuer: MockServer, auth: str = "key") -> list:
    client = client_for(server, auth, key, issuer=issuer)
    body = _raw(client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini-chat", messages=[{"role": "user", "content": "Tell me a joke"}]))
    events = [c.model_dump_json() for c in client.chat.completions.create(
        model="gpt-4o-mini-chat", stream=True, stream_options={"include_usage": True},
        messages=[{"role": "user", "content": "Tell me a joke"}])]
    return [body, events]


def completions(server: MockServer, key: str, issuer: MockServer, auth: str = "key") -> list:
    client = client_for(server, auth, key, issuer=issuer)
    body = _raw(client.completions.with_raw_response.create(
        model="gpt-35-turbo-instruct-0914", prompt="Say hello", max_tokens=20))
    events = [c.model_dump_json() for c in client.completions.create(
        model="gpt-35-turbo-instruct-0914", prompt="Say hello", stream=True)]
    return [body, events]


def embeddings(server: MockServer, key: str, issuer: MockServer, auth: str = "key") -> list:
    client = client_for(server, auth, key, issuer=issuer)
    base64_body = _raw(client.embeddings.with_raw_response.create(
        model="text-embedding-ada-002-prod", input=["Tell me a joke", "The invoice"]))
    floats = _raw(client.embeddings.with_raw_response.create(
        model="text-embedding-ada-002-prod", input="Tell me a joke", encoding_format="float"))
    return [base64_body, floats]


def tool_loop(server: MockServer, key: str, issuer: MockServer) -> list:
    client = client_for(server, "key", key)
    tools = [{"type": "function", "function": {
        "name": "get_weather", "description": "Weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                       "required": ["city"]}}}]
    messages: list[dict] = [{"role": "user", "content": "What is the weather in Paris?"}]
    first = client.chat.completions.create(model="gpt-4o-mini-chat", messages=messages,
                                           tools=tools)
    call = first.choices[0].message.tool_calls[0]
    messages += [first.choices[0].message.model_dump(exclude_none=True),
                 {"role": "tool", "tool_call_id": call.id, "content": '{"temp_c": 21}'}]
    final = _raw(client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini-chat", messages=messages, tools=tools))
    return [first.model_dump_json(), final]


def langchain(server: MockServer, key: str, issuer: MockServer) -> list:
    from langchain_openai import AzureChatOpenAI

    chat_model = AzureChatOpenAI(azure_endpoint=server.url, api_key=key, api_version=VERSION,
                                 azure_deployment="gpt-4o-mini-chat")
    message = chat_model.invoke("Tell me a joke about bicycles")
    # (LangChain's own message ids are random run ids, made on the client.)
    chunks = [(c.content, c.response_metadata, c.usage_metadata)
              for c in chat_model.stream("Tell me a joke about bicycles")]
    return [message.content, message.response_metadata, message.usage_metadata, chunks]


def responses(server: MockServer, key: str, issuer: MockServer) -> list:
    """The Responses API: v1 (a previous_response_id chain, a stream, a stored response read
    back) and the dated route."""
    client = openai.OpenAI(base_url=f"{server.url}openai/v1/", api_key=key)
    first = client.responses.with_raw_response.create(model="gpt-4o-mini-chat",
                                                      input="Tell me a joke")
    chained = _raw(client.responses.with_raw_response.create(
        model="gpt-4o-mini-chat", input="Another one", previous_response_id=first.parse().id))
    events = [e.model_dump_json() for e in client.responses.create(
        model="gpt-4o-mini-chat", input="Stream a joke", stream=True)]
    stored = client.responses.retrieve(first.parse().id).model_dump_json()
    dated = client_for(server, "key", key, api_version=RESPONSES_API_VERSION)
    return [_raw(first), chained, events, stored, _raw(dated.responses.with_raw_response.create(
        model="gpt-4o-mini-chat", input="The dated route"))]


def background(server: MockServer, key: str, issuer: MockServer) -> list:
    """Background mode and input items: a polled response, a cancelled one, a stream's tail
    (GET with ``stream``/``starting_after``) and input items page by page."""
    client = openai.OpenAI(base_url=f"{server.url}openai/v1/", api_key=key)
    resp = client.responses.create(model="gpt-4o-mini-chat", input="A background joke",
                                   background=True)
    states = [resp.status]
    while resp.status in {"queued", "in_progress"}:
        resp = client.responses.retrieve(resp.id)
        states.append(resp.status)
    other = client.responses.create(model="gpt-4o-mini-chat", input="Cancel me",
                                    background=True)
    cancelled = client.responses.cancel(other.id).model_dump_json()
    streamed = list(client.responses.create(model="gpt-4o-mini-chat", input="Stream me",
                                            background=True, stream=True))
    tail = [e.model_dump_json() for e in client.responses.retrieve(
        streamed[0].response.id, stream=True, starting_after=3)]
    chained = client.responses.create(
        model="gpt-4o-mini-chat", previous_response_id=resp.id,
        input=[{"role": "user", "content": "One"}, {"role": "user", "content": "Two"}])
    pages = [i.model_dump_json() for i in client.responses.input_items.list(
        chained.id, limit=2, order="asc")]
    return [states, resp.model_dump_json(), cancelled, tail, pages]


def models(server: MockServer, key: str, issuer: MockServer) -> bytes:
    reply = httpx.get(f"{server.url}openai/models", params={"api-version": VERSION},
                      headers={"api-key": key})
    return reply.content


SCENARIOS: dict[str, Scenario] = {
    "chat": chat, "completions": completions, "embeddings": embeddings,
    "chat-token": lambda s, k, i: chat(s, k, i, "aad"),
    "embeddings-token": lambda s, k, i: embeddings(s, k, i, "aad"),
    "tool_loop": tool_loop, "langchain": langchain, "models": models, "responses": responses,
    "background": background,
}

RETRY_FAULT = {"x-mock-fault": "status=429; fail_first=1; retry_after_ms=200"}


def throttled(server: MockServer, key: str, issuer: MockServer) -> list:
    """One SDK call whose first attempt is throttled: it waits Retry-After and retries."""
    log: list = []
    client = client_for(server, "key", key, log, max_retries=2)
    answer = client.chat.completions.create(
        model="gpt-4o-mini-chat", messages=[{"role": "user", "content": "Retry me"}],
        extra_headers=RETRY_FAULT)
    return [answer.model_dump_json(), log]


# -- fixtures -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def upstream() -> Iterator[MockServer]:
    with MockServer() as server:
        yield server


@pytest.fixture(scope="module")
def recorded(upstream: MockServer, tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[Path, dict[str, Any]]:
    """Every scenario run once through the recording proxy: (directory, observations)."""
    directory = tmp_path_factory.mktemp("recording")
    key = upstream.config.api_key
    with MockServer(record=directory, upstream=upstream.url) as proxy:
        seen = {name: run(proxy, key, upstream) for name, run in SCENARIOS.items()}
        seen["throttled"] = throttled(proxy, key, upstream)
    return directory, seen


@pytest.fixture(scope="module")
def replay(recorded: tuple[Path, dict]) -> Iterator[MockServer]:
    with MockServer(replay=recorded[0]) as server:
        yield server


# -- round trips ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(SCENARIOS))
def test_replay_gives_what_the_upstream_gave(name: str, upstream: MockServer, replay: MockServer,
                                             recorded: tuple[Path, dict]) -> None:
    through_proxy = recorded[1][name]
    assert SCENARIOS[name](upstream, upstream.config.api_key, upstream) == through_proxy
    assert SCENARIOS[name](replay, replay.config.api_key, replay) == through_proxy


def test_recording_is_one_readable_file_per_interaction(recorded: tuple[Path, dict]) -> None:
    files = sorted(recorded[0].glob("*.json"))
    # chat, completions, embeddings (each 2), chat and embeddings with a token (2 each),
    # the tool loop 2, langchain 2, models 1, Responses 5, background 10 (3 creates, 2 polls,
    # a cancel, a stream, a stream's tail, 2 input-item pages), the 429 with its retry 2
    assert len(files) == 32
    cancel = [f.name for f in files if f.name.endswith("-cancel.json")]
    pages = [f.name for f in files if "input_items" in f.name]
    assert len(cancel) == 1 and len(pages) == 2, (cancel, pages)
    doc = json.loads(files[0].read_text())
    assert files[0].name == "0001-POST-chat-completions-gpt-4o-mini-chat.json"
    assert doc["request"]["json"]["messages"][0]["content"] == "Tell me a joke"
    assert doc["response"]["style"] == "compact" and doc["response"]["json"]["object"] == \
        "chat.completion"
    streamed = json.loads(files[1].read_text())["response"]["events"]
    assert streamed[-1]["text"] == "data: [DONE]\n\n" and len(streamed) > 3


def test_a_recorded_429_replays_with_retry_after_then_the_retry_succeeds(
        replay: MockServer, recorded: tuple[Path, dict]) -> None:
    answer, log = throttled(replay, replay.config.api_key, replay)
    recorded_answer, recorded_log = recorded[1]["throttled"]
    assert answer == recorded_answer
    assert [status for status, _ in log] == [429, 200] == [s for s, _ in recorded_log]
    assert log[0][1]["retry-after-ms"] == recorded_log[0][1]["retry-after-ms"] == "200"
    assert log[0][1]["retry-after"] == recorded_log[0][1]["retry-after"]


def test_an_unmatched_request_gets_a_clear_400(replay: MockServer) -> None:
    client = client_for(replay, "key", replay.config.api_key)
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(model="gpt-4o-mini-chat",
                                       messages=[{"role": "user", "content": "Tell me a story"}])
    error = info.value.body
    assert error["code"] == "NoMatchingRecording"
    assert error["param"] == "body.messages[0].content"
    assert "0001-POST-chat-completions-gpt-4o-mini-chat.json" in error["message"]
    assert "'Tell me a joke'" in error["message"]


def test_replay_checks_credentials_as_the_mock_does(replay: MockServer) -> None:
    client = client_for(replay, "key", "0" * 32)
    with pytest.raises(openai.AuthenticationError):
        client.chat.completions.create(model="gpt-4o-mini-chat",
                                       messages=[{"role": "user", "content": "Tell me a joke"}])


def test_fallback_generate_answers_what_the_recording_lacks(upstream: MockServer,
                                                            recorded: tuple[Path, dict]) -> None:
    ask = {"model": "gpt-4o-mini-chat", "messages": [{"role": "user", "content": "Unrecorded"}]}
    with MockServer(replay=recorded[0], fallback="generate") as layered:
        key = layered.config.api_key
        generated = _raw(client_for(layered, "key", key).chat.completions
                         .with_raw_response.create(**ask))
        replayed = chat(layered, key, layered)
    assert generated == _raw(client_for(upstream, "key", upstream.config.api_key)
                             .chat.completions.with_raw_response.create(**ask))
    assert replayed == recorded[1]["chat"]


def test_recorded_timing_paces_the_stream(upstream: MockServer, tmp_path: Path) -> None:
    ask = {"model": "gpt-4o-mini-chat", "stream": True,
           "messages": [{"role": "user", "content": "Tell me a joke"}]}
    pace = {"x-mock-fault": "stream_chunk_delay_ms=25"}
    with MockServer(record=tmp_path, upstream=upstream.url) as proxy:
        list(client_for(proxy, "key", upstream.config.api_key).chat.completions.create(
            **ask, extra_headers=pace))
    events = json.loads(next(tmp_path.glob("*.json")).read_text())["response"]["events"]
    recorded_ms = sum(e["after_ms"] for e in events)
    assert recorded_ms > 25 * (len(events) - 1)

    def replay_seconds(timing: str) -> float:
        with MockServer(replay=tmp_path, replay_timing=timing) as server:
            client = client_for(server, "key", server.config.api_key)
            start = time.perf_counter()
            list(client.chat.completions.create(**ask))
            return time.perf_counter() - start

    assert replay_seconds("recorded") >= 0.8 * recorded_ms / 1000
    assert replay_seconds("none") < 0.5 * recorded_ms / 1000


# -- redaction ------------------------------------------------------------------------------

def test_no_secret_reaches_a_recorded_file(upstream: MockServer, tmp_path: Path) -> None:
    key = upstream.config.api_key  # 32 hex digits, the shape of an Azure key
    token = token_for(upstream)
    planted = f"my key is {key} and my token is {token}"
    with MockServer(record=tmp_path, upstream=upstream.url) as proxy:
        for auth in ("key", "aad"):
            client = client_for(proxy, auth, key, issuer=upstream)
            client.chat.completions.create(model="gpt-4o-mini-chat",
                                           messages=[{"role": "user", "content": planted}])
            list(client.chat.completions.create(
                model="gpt-4o-mini-chat", stream=True,
                messages=[{"role": "user", "content": planted}]))
        client.completions.create(model="gpt-35-turbo-instruct-0914", prompt=planted,
                                  extra_query={"api-key": key})
    host = upstream.url.split("//")[1].rstrip("/")
    files = list(tmp_path.glob("*.json"))
    assert len(files) == 5
    for path in files:
        text = path.read_text()
        for secret in (key, token, token.split(".")[1], host):
            assert secret not in text, f"{path.name} holds a secret"
        assert not SECRET_SHAPES["JWT"].search(text)
        headers = {name for name, _ in json.loads(text)["response"]["headers"]}
        assert {"apim-request-id", "x-request-id"} <= headers
        doc = json.loads(text)
        assert doc["request"]["headers"] == {"content-type": "application/json",
                                             "accept": "application/json"}
        assert {h[1] for h in doc["response"]["headers"] if h[0] == "apim-request-id"} == \
            {"00000000-0000-0000-0000-000000000000"}
    # Redaction does not break matching: the same planted request replays.
    with MockServer(replay=tmp_path) as server:
        client = client_for(server, "key", server.config.api_key)
        answer = client.chat.completions.create(
            model="gpt-4o-mini-chat", messages=[{"role": "user", "content": planted}])
        assert key not in answer.choices[0].message.content


# -- bad recordings and arguments ------------------------------------------------------------

def test_bad_recordings_fail_at_start_with_one_line(recorded: tuple[Path, dict],
                                                    tmp_path: Path) -> None:
    good = sorted(recorded[0].glob("*.json"))[0].read_text()
    (tmp_path / "0001-a.json").write_text(good[:200])
    with pytest.raises(RecordingError, match=r"0001-a\.json: not valid JSON") as info:
        MockServer(replay=tmp_path)
    assert "\n" not in str(info.value)
    with pytest.raises(ValueError, match="--upstream"):
        MockServer(record=tmp_path)
    with pytest.raises(ValueError, match="choose one"):
        MockServer(record=tmp_path, upstream="http://127.0.0.1:1", replay=tmp_path)
    with pytest.raises(ValueError, match="resource's root URL"):
        MockServer(record=tmp_path, upstream="https://x.openai.azure.com/openai")


def test_the_cli_refuses_a_bad_recording_with_one_line(tmp_path: Path) -> None:
    doc = {"recording": 1, "request": {"method": "POST", "path": "/openai/models"},
           "response": {"status": "200"}}
    (tmp_path / "0001-POST-x.json").write_text(json.dumps(doc))

    def cli(*args: str) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "-m", "azure_llm_helpers.mock", *args],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and done.stdout == "" and "Traceback" not in done.stderr
        return done

    assert cli("--replay", str(tmp_path)).stderr == (
        f"error: {tmp_path / '0001-POST-x.json'}: response: 'status' must be an integer, "
        "not a string\n")
    assert cli("--replay", str(tmp_path / "gone")).stderr == (
        f"error: {tmp_path / 'gone'}: no such recording directory\n")
    assert "invalid choice: 'fast'" in cli("--replay", str(tmp_path), "--replay-timing",
                                           "fast").stderr


def _responses_recording(directory: Path) -> tuple[str, str]:
    """Two recorded Responses calls, the second continuing the first (store on by default)."""
    first_id, second_id = "resp_" + "0a1b2c3d" * 4, "resp_" + "4e5f6a7b" * 4

    def result(rid: str, text: str, previous: str | None) -> bytes:
        return json.dumps({
            "id": rid, "object": "response", "created_at": 1_717_200_000, "status": "completed",
            "model": "gpt-4o-mini", "previous_response_id": previous, "store": True,
            "output": [{"id": "msg_" + rid[5:], "type": "message", "role": "assistant",
                        "status": "completed",
                        "content": [{"type": "output_text", "text": text, "annotations": []}]}],
        }, separators=(",", ":")).encode()

    calls = [({"model": "gpt-4o-mini", "input": "Tell me a joke"},
              result(first_id, "Two-tired.", None)),
             ({"model": "gpt-4o-mini", "input": "Another", "previous_response_id": first_id},
              result(second_id, "A second one.", first_id))]
    for number, (request, body) in enumerate(calls, 1):
        item = Interaction(name="", method="POST", path="/openai/v1/responses", query={},
                           request=request, status=200,
                           headers=[("content-type", "application/json")], body=body)
        (directory / f"{number:04d}-POST-v1-responses.json").write_text(
            dump_document(to_document(item)))
    return first_id, second_id


def test_a_previous_response_id_chain_and_stored_responses_replay(tmp_path: Path) -> None:
    first_id, second_id = _responses_recording(tmp_path)
    with MockServer(replay=tmp_path) as server:
        key = server.config.api_key
        # The plain OpenAI client sends the key as a bearer token, as the v1 API allows.
        client = openai.OpenAI(base_url=f"{server.url}openai/v1/", api_key=key)
        first = client.responses.create(model="gpt-4o-mini", input="Tell me a joke")
        assert (first.id, first.output_text) == (first_id, "Two-tired.")
        second = client.responses.create(model="gpt-4o-mini", input="Another",
                                         previous_response_id=first.id)
        assert (second.id, second.previous_response_id) == (second_id, first_id)
        assert client.responses.retrieve(first_id).output_text == "Two-tired."
        with pytest.raises(openai.BadRequestError, match="0002-POST-v1-responses.json"):
            client.responses.create(model="gpt-4o-mini", input="Another",
                                    previous_response_id="resp_" + "9" * 32)


def test_an_unreachable_upstream_gets_a_502_and_no_file(tmp_path: Path) -> None:
    with MockServer(record=tmp_path, upstream="http://127.0.0.1:9") as proxy:
        client = client_for(proxy, "key", "0" * 32, max_retries=0)
        with pytest.raises(openai.InternalServerError) as info:
            client.models.list()
    assert info.value.status_code == 502
    assert "could not reach the upstream resource" in info.value.message
    assert list(tmp_path.iterdir()) == []
