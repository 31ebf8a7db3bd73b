"""The v1 API (``/openai/v1/``) with the plain openai clients: key and Entra token auth,
every operation, bodies checked against the SDK's own types and Azure's v1 spec."""

from __future__ import annotations

import asyncio
import base64
import json
from array import array

import httpx
import openai
import pytest
from azure.identity import ManagedIdentityCredential, get_bearer_token_provider
from openai.types import CreateEmbeddingResponse, Model
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from azure_llm_helpers._constants import COGNITIVE_SERVICES_SCOPE, V1_API_VERSIONS
from azure_llm_helpers.mock import MockServer
from tests.mock_schemas import check_v1, v1_api_versions

CHAT, MINI, GPT52 = "gpt-4o-mini-chat", "gpt-5-mini", "gpt-5.2"
EMBED = "text-embedding-3-small"
JOKE = "\n\nWhy couldn't the bicycle stand up by itself? Because it was two-tired!"
BATCH_CLIENT_ID = "70a08ff5-43bf-4a47-a463-c66c640fa348"  # a principal without a role
USER = [{"role": "user", "content": "Tell me a joke"}]


def v1_url(mock: MockServer) -> str:
    return mock.url + "openai/v1/"


@pytest.fixture
def client(mock: MockServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=v1_url(mock), api_key=mock.config.api_key, max_retries=0)


@pytest.fixture
def token_provider(mock_env):
    """azure-identity's provider for the mock's managed identity (App Service endpoint)."""
    return get_bearer_token_provider(ManagedIdentityCredential(), COGNITIVE_SERVICES_SCOPE)


def post(mock: MockServer, path: str, body: object, **headers: str) -> httpx.Response:
    headers = {"api-key": mock.config.api_key, **headers}
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(v1_url(mock) + path, content=raw, timeout=30,
                      headers={"content-type": "application/json", **headers})


def events(response: httpx.Response) -> list[dict]:
    lines = [ln[6:] for ln in response.text.split("\n\n") if ln.startswith("data: ")]
    assert lines[-1] == "[DONE]"
    return [json.loads(ln) for ln in lines[:-1]]


def test_the_v1_versions_are_the_specs():
    assert set(v1_api_versions()) == V1_API_VERSIONS


def test_openai_client_with_a_key_does_every_operation(client):
    raw = client.chat.completions.with_raw_response.create(model=CHAT, messages=USER)
    body = raw.http_response.json()
    check_v1(body, "/chat/completions")
    ChatCompletion.model_validate(body)
    assert raw.parse().choices[0].message.content == JOKE
    assert body["model"] == "gpt-4o-mini-2024-07-18"
    streamed = client.chat.completions.create(model=CHAT, messages=USER, stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in streamed if c.choices) == JOKE
    vectors = client.embeddings.create(model=EMBED, input=["cat", "cat"])  # base64 default
    assert vectors.data[0].embedding == vectors.data[1].embedding
    assert len(vectors.data[0].embedding) == 1536
    models = {m.id: m for m in client.models.list()}
    assert {"gpt-5-mini-2025-08-07", "gpt-5.2-2025-12-11", EMBED} <= set(models)


def test_v1_bodies_match_the_v1_spec_and_the_sdk_types(mock):
    response = post(mock, "chat/completions", {"model": MINI, "messages": USER, "stream": True,
                                               "stream_options": {"include_usage": True}})
    chunks = events(response)
    for chunk in chunks[1:]:
        check_v1(chunk, "/chat/completions", media="text/event-stream")
        ChatCompletionChunk.model_validate(chunk)
    assert chunks[-1]["usage"]["completion_tokens_details"]["reasoning_tokens"] > 0
    body = post(mock, "embeddings", {"model": EMBED, "input": "hi", "encoding_format": "base64",
                                     "dimensions": 8}).json()
    check_v1(body, "/embeddings")
    vector = list(array("f", base64.b64decode(body["data"][0]["embedding"])))
    assert len(vector) == 8
    # The SDK decodes base64 itself before building its type.
    CreateEmbeddingResponse.model_validate({**body, "data": [{**body["data"][0],
                                                               "embedding": vector}]})
    listed = httpx.get(v1_url(mock) + "models", headers={"api-key": mock.config.api_key}).json()
    check_v1(listed, "/models", method="get")
    for entry in listed["data"]:
        Model.model_validate(entry)


def test_a_token_provider_as_api_key(mock, token_provider):
    client = openai.OpenAI(base_url=v1_url(mock), api_key=token_provider, max_retries=0)
    answer = client.chat.completions.create(model=CHAT, messages=USER)
    assert answer.choices[0].message.content == JOKE
    assert client.embeddings.create(model=EMBED, input="hello").data[0].embedding


def test_async_client_with_a_key_and_with_a_token(mock, token_provider):
    async def provider() -> str:
        return token_provider()

    async def ask(api_key) -> str:
        client = openai.AsyncOpenAI(base_url=v1_url(mock), api_key=api_key, max_retries=0)
        answer = await client.chat.completions.create(model=MINI, messages=USER,
                                                      max_completion_tokens=2000)
        stream = await client.chat.completions.create(model=CHAT, messages=USER, stream=True)
        streamed = "".join([c.choices[0].delta.content or "" async for c in stream
                            if c.choices])
        vectors = await client.embeddings.create(model=EMBED, input="hello")
        listed = [m.id async for m in client.models.list()]
        assert streamed == JOKE and vectors.data and "gpt-5-mini-2025-08-07" in listed
        return answer.choices[0].message.content

    assert asyncio.run(ask(mock.config.api_key)) == JOKE
    assert asyncio.run(ask(provider)) == JOKE


def test_bearer_rules(mock, token_provider):
    token, key = token_provider(), mock.config.api_key
    body = {"model": CHAT, "messages": USER}
    # Both headers with the token in each (what some integrations send): accepted.
    assert post(mock, "chat/completions", body, **{"api-key": token,
                "authorization": f"Bearer {token}"}).status_code == 200
    # A wrong api-key next to a valid bearer token: the token decides.
    assert post(mock, "chat/completions", body, **{"api-key": "0" * 32,
                "authorization": f"Bearer {token}"}).status_code == 200
    # The key as a bearer value on v1 (the OpenAI client's way); a wrong one is Azure's 401.
    assert httpx.post(v1_url(mock) + "chat/completions", json=body,
                      headers={"authorization": f"Bearer {key}"}).status_code == 200
    wrong = httpx.post(v1_url(mock) + "chat/completions", json=body,
                       headers={"authorization": "Bearer " + "0" * 32})
    assert wrong.status_code == 401 and "invalid subscription key" in wrong.json()["error"][
        "message"]
    assert key not in wrong.text
    # On the dated API a bearer value must be a token.
    dated = httpx.post(f"{mock.url}openai/deployments/{CHAT}/chat/completions",
                       params={"api-version": "2024-10-21"}, json=body,
                       headers={"authorization": f"Bearer {key}"})
    assert dated.status_code == 401 and dated.json()["message"].startswith("Unauthorized.")
    missing = httpx.post(v1_url(mock) + "chat/completions", json=body)
    assert missing.status_code == 401 and "missing subscription key" in missing.text


def test_rbac_applies_to_tokens_on_v1(mock, mock_env):
    provider = get_bearer_token_provider(ManagedIdentityCredential(client_id=BATCH_CLIENT_ID),
                                         COGNITIVE_SERVICES_SCOPE)
    client = openai.OpenAI(base_url=v1_url(mock), api_key=provider, max_retries=0)
    with pytest.raises(openai.AuthenticationError) as info:
        client.chat.completions.create(model=CHAT, messages=USER)
    assert info.value.code == "PermissionDenied"


@pytest.mark.parametrize(("query", "status"), [
    ("", 200), ("?api-version=v1", 200), ("?api-version=preview", 200),
    ("?api-version=2024-10-21", 400), ("?api-version=2025-04-01-preview", 400),
    ("?api-version=v2", 400), ("?api-version=", 400),
])
def test_v1_api_version(mock, query, status):
    response = httpx.post(v1_url(mock) + "chat/completions" + query,
                          json={"model": CHAT, "messages": USER},
                          headers={"api-key": mock.config.api_key})
    assert response.status_code == status
    if status == 400:
        assert response.json() == {"error": {"code": "BadRequest",
                                             "message": "API version not supported"}}


def test_v1_model_names_the_deployment(mock):
    missing = post(mock, "chat/completions", {"messages": USER})
    assert missing.status_code == 400 and "model" in missing.json()["error"]["message"]
    unknown = post(mock, "chat/completions", {"model": "gpt-4", "messages": USER})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "DeploymentNotFound"
    wrong_kind = post(mock, "embeddings", {"model": CHAT, "input": "hi"})
    assert wrong_kind.json()["error"]["code"] == "OperationNotSupported"
    assert post(mock, "chat/completions", [1, 2]).status_code == 400


def test_same_request_same_body_but_sampling_changes_the_answer(client):
    def say(**kwargs) -> list[str]:
        answer = client.chat.completions.create(model=CHAT, messages=USER, **kwargs)
        return [c.message.content for c in answer.choices]

    assert say(temperature=1.5) == say(temperature=1.5)
    assert say(temperature=0) == [JOKE]
    assert len({say(temperature=t)[0] for t in (1.1, 1.3, 1.6, 1.9)}) >= 2
    assert len({say(seed=s, temperature=1)[0] for s in range(6)}) >= 2
    several = say(n=3)
    assert several[0] == JOKE and len(set(several)) >= 2
