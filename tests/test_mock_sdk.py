"""The real openai SDK and langchain-openai against the mock: every operation, every error."""

from __future__ import annotations

import time

import openai
import pytest
from langchain_openai import AzureChatOpenAI, AzureOpenAI, AzureOpenAIEmbeddings

from azure_llm_helpers._constants import LATEST_GA_API_VERSION
from azure_llm_helpers.mock import MockServer

from . import loopback

CHAT, INSTRUCT = "gpt-4o-mini-chat", "gpt-35-turbo-instruct-prod"
ADA = "text-embedding-ada-002-prod"
JOKE = "\n\nWhy couldn't the bicycle stand up by itself? Because it was two-tired!"


@pytest.fixture
def client(mock_env) -> openai.AzureOpenAI:
    return openai.AzureOpenAI(max_retries=0)


def test_openai_sdk_every_operation(client):
    text = client.completions.create(model=INSTRUCT, prompt="Tell me a joke", max_tokens=50)
    assert text.choices[0].text == JOKE
    chat = client.chat.completions.create(
        model=CHAT, messages=[{"role": "user", "content": "Tell me a joke"}])
    assert chat.choices[0].message.content == JOKE
    assert chat.usage.completion_tokens == 18  # cl100k_base, as tiktoken counts it
    streamed = "".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(
        model=CHAT, messages=[{"role": "user", "content": "Tell me a joke"}], stream=True)
        if c.choices)
    assert streamed == JOKE
    streamed = "".join(c.choices[0].text for c in client.completions.create(
        model=INSTRUCT, prompt="Tell me a joke", stream=True, max_tokens=50) if c.choices)
    assert streamed == JOKE
    vectors = client.embeddings.create(model=ADA, input=["cat", "cat"])  # base64 by default
    assert vectors.data[0].embedding == vectors.data[1].embedding
    assert len(vectors.data[0].embedding) == 1536
    tokens = client.embeddings.create(model=ADA, input=[[9906, 1917]])
    assert tokens.usage.prompt_tokens == 2
    assert {m.id for m in client.models.list()} >= {"gpt-4o-mini-2024-07-18"}


def test_max_tokens_is_never_exceeded_and_says_length(client):
    for limit in (1, 3, 10):
        out = client.chat.completions.create(
            model=CHAT, messages=[{"role": "user", "content": "Explain HTTP caching"}],
            max_tokens=limit)
        assert out.usage.completion_tokens <= limit
        assert out.choices[0].finish_reason == "length"


def test_tool_call_round_trip(client):
    tools = [{"type": "function", "function": {
        "name": "get_weather", "parameters": {"type": "object", "required": ["city"],
                                              "properties": {"city": {"type": "string"}}}}}]
    messages = [{"role": "user", "content": "What is the weather in Paris?"}]
    first = client.chat.completions.create(model=CHAT, messages=messages, tools=tools)
    call = first.choices[0].message.tool_calls[0]
    assert first.choices[0].finish_reason == "tool_calls"
    assert call.function.name == "get_weather" and "Paris" in call.function.arguments
    messages += [first.choices[0].message.model_dump(exclude_none=True),
                 {"role": "tool", "tool_call_id": call.id, "content": "18 C, sunny"}]
    second = client.chat.completions.create(model=CHAT, messages=messages, tools=tools)
    assert "18 C, sunny" in second.choices[0].message.content


@pytest.mark.parametrize(("call", "exception", "code"), [
    (lambda c: c.completions.create(model="nope", prompt="x"), openai.NotFoundError,
     "DeploymentNotFound"),
    (lambda c: c.completions.create(model=CHAT, prompt="x"), openai.BadRequestError,
     "OperationNotSupported"),
    (lambda c: c.chat.completions.create(model=INSTRUCT, messages=[
        {"role": "user", "content": "x"}]), openai.BadRequestError, "OperationNotSupported"),
    (lambda c: c.chat.completions.create(model=CHAT, messages=[
        {"role": "user", "content": "how to build a weapon"}]), openai.BadRequestError,
     "content_filter"),
    (lambda c: c.chat.completions.create(model=CHAT, messages=[]), openai.BadRequestError,
     "empty_array"),
    (lambda c: c.chat.completions.create(model=CHAT, messages=[
        {"role": "user", "content": "x"}], temperature=7), openai.BadRequestError,
     "decimal_above_max_value"),
])
def test_openai_sdk_raises_the_right_exception(client, call, exception, code):
    with pytest.raises(exception) as caught:
        call(client)
    assert caught.value.code == code


def test_auth_and_api_version_errors(mock_env, mock):
    with pytest.raises(openai.AuthenticationError, match="invalid subscription key"):
        openai.AzureOpenAI(api_key="0" * 32, max_retries=0).models.list()
    with pytest.raises(openai.BadRequestError, match="API version not supported"):
        openai.AzureOpenAI(api_version="2099-01-01", max_retries=0).completions.create(
            model=INSTRUCT, prompt="x")
    url = f"{mock.url}openai/deployments/{INSTRUCT}/completions"
    no_version = loopback.client().post(url, json={"prompt": "x"},
                                        headers={"api-key": mock.config.api_key})
    assert no_version.status_code == 404 and no_version.json()["error"]["code"] == "404"
    no_key = loopback.client().post(url, params={"api-version": LATEST_GA_API_VERSION},
                                    json={"prompt": "x"})
    assert no_key.status_code == 401 and "missing subscription key" in no_key.json()["message"]


def test_langchain_every_operation(mock_env):
    llm = AzureOpenAI(azure_deployment=INSTRUCT, max_retries=0)
    assert llm.invoke("Tell me a joke") == JOKE
    assert "".join(llm.stream("Tell me a joke")) == JOKE
    chat = AzureChatOpenAI(azure_deployment=CHAT, max_retries=0)
    assert chat.invoke("Tell me a joke").content == JOKE
    chunks = list(chat.stream("Tell me a joke"))
    assert "".join(c.content for c in chunks) == JOKE
    assert sum(c.usage_metadata["output_tokens"] for c in chunks if c.usage_metadata) == 18
    emb = AzureOpenAIEmbeddings(azure_deployment=ADA, check_embedding_ctx_length=False)
    a, b = emb.embed_documents(["the cat sat", "the cat sat down"])
    c = emb.embed_query("quarterly tax report")
    similarity = sum(x * y for x, y in zip(a, b, strict=True))
    assert similarity > sum(x * y for x, y in zip(a, c, strict=True))


def test_langchain_errors(mock_env):
    chat = AzureChatOpenAI(azure_deployment=CHAT, max_retries=0)
    with pytest.raises(ValueError, match="content filter"):
        chat.invoke("Write a dark story")
    with pytest.raises(openai.BadRequestError):
        chat.invoke("how to build a weapon")
    with pytest.raises(openai.NotFoundError):
        AzureChatOpenAI(azure_deployment="nope", max_retries=0).invoke("hi")


def test_injected_429s_are_retried_by_the_sdk(mock_env):
    client = openai.AzureOpenAI(max_retries=2)
    header = {"x-mock-fault": "status=429; fail_first=2; retry_after_ms=50"}
    raw = client.chat.completions.with_raw_response.create(
        model=CHAT, messages=[{"role": "user", "content": "hi"}], extra_headers=header)
    assert raw.retries_taken == 2
    with pytest.raises(openai.RateLimitError) as caught:
        openai.AzureOpenAI(max_retries=1).chat.completions.create(
            model=CHAT, messages=[{"role": "user", "content": "hi"}], extra_headers=header)
    assert caught.value.response.headers["retry-after-ms"] == "50"
    with pytest.raises(openai.InternalServerError):
        openai.AzureOpenAI(max_retries=0).chat.completions.create(
            model=CHAT, messages=[{"role": "user", "content": "hi"}],
            extra_headers={"x-mock-fault": "status=503; error_rate=1"})
    with pytest.raises(openai.BadRequestError, match="x-mock-fault"):
        openai.AzureOpenAI(max_retries=0).chat.completions.create(
            model=CHAT, messages=[{"role": "user", "content": "hi"}],
            extra_headers={"x-mock-fault": "sttus=429"})


def test_latency_and_hang_teach_timeouts(mock_env):
    client = openai.AzureOpenAI(max_retries=0, timeout=0.3)
    started = time.perf_counter()
    with pytest.raises(openai.APITimeoutError):
        client.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "hi"}],
                                       extra_headers={"x-mock-fault": "hang"})
    assert time.perf_counter() - started < 2
    started = time.perf_counter()
    openai.AzureOpenAI(max_retries=0).chat.completions.create(
        model=CHAT, messages=[{"role": "user", "content": "hi"}],
        extra_headers={"x-mock-fault": "latency_ms=200"})
    assert time.perf_counter() - started >= 0.2


def test_stream_pacing(mock_env):
    started = time.perf_counter()
    stream = openai.AzureOpenAI().chat.completions.create(
        model=CHAT, messages=[{"role": "user", "content": "Tell me a joke"}], stream=True,
        extra_headers={"x-mock-fault": "stream_chunk_delay_ms=10"})
    arrivals = [time.perf_counter() - started for _ in stream]
    assert arrivals[-1] - arrivals[0] >= 0.15  # ~20 chunks, 10 ms apart


RATE_LIMITED = """
[[deployments]]
name = "tiny"
model = "gpt-4o-mini"
version = "2024-07-18"
kind = "chat"
requests_per_minute = 3
tokens_per_minute = 100000

[[deployments]]
name = "few-tokens"
model = "gpt-4o-mini"
version = "2024-07-18"
kind = "chat"
tokens_per_minute = 60

[[deployments]]
name = "flaky"
model = "gpt-4o-mini"
version = "2024-07-18"
kind = "chat"
[deployments.faults]
fail_first = 1
status = 500
"""


def test_rate_limits_are_real_and_azure_shaped(tmp_path):
    config = tmp_path / "limits.toml"
    config.write_text(RATE_LIMITED)
    with MockServer(config_file=config) as mock:
        client = openai.AzureOpenAI(azure_endpoint=mock.url, api_key=mock.config.api_key,
                                    api_version=LATEST_GA_API_VERSION, max_retries=0)
        ask = {"messages": [{"role": "user", "content": "Tell me a joke"}]}
        remaining = [int(client.chat.completions.with_raw_response.create(
            model="tiny", **ask).headers["x-ratelimit-remaining-requests"]) for _ in range(3)]
        assert remaining == [2, 1, 0]
        with pytest.raises(openai.RateLimitError) as caught:
            client.chat.completions.create(model="tiny", **ask)
        assert "call rate limit" in str(caught.value)
        retry = caught.value.response.headers
        assert 0 < float(retry["retry-after-ms"]) <= 60_000 and int(retry["retry-after"]) >= 1
        client.chat.completions.create(model="few-tokens", **ask)  # ~29 tokens
        client.chat.completions.create(model="few-tokens", **ask)
        with pytest.raises(openai.RateLimitError, match="token rate limit"):
            client.chat.completions.create(model="few-tokens", **ask)
        with pytest.raises(openai.InternalServerError):
            client.chat.completions.create(model="flaky", **ask)
        assert client.chat.completions.create(model="flaky", **ask).choices
