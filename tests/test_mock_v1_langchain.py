"""langchain-openai's ``ChatOpenAI`` on the v1 API: invoke, stream, tools, structured output."""

from __future__ import annotations

import pytest
from azure.identity import ManagedIdentityCredential, get_bearer_token_provider
from langchain_openai import ChatOpenAI, OpenAIEmbeddings
from pydantic import BaseModel, Field

from azure_llm_helpers._constants import COGNITIVE_SERVICES_SCOPE
from azure_llm_helpers.mock import MockServer

JOKE = "Why couldn't the bicycle stand up by itself? Because it was two-tired!"


def chat(mock: MockServer, model: str = "gpt-4o-mini-chat", **kwargs) -> ChatOpenAI:
    return ChatOpenAI(model=model, base_url=mock.url + "openai/v1/",
                      api_key=kwargs.pop("api_key", mock.config.api_key), max_retries=0,
                      **kwargs)


def test_invoke_and_stream(mock):
    llm = chat(mock)
    assert llm.invoke("Tell me a joke").content.strip() == JOKE
    assert "".join(str(c.content) for c in llm.stream("Tell me a joke")).strip() == JOKE


def test_a_token_provider_as_api_key(mock, mock_env):
    provider = get_bearer_token_provider(ManagedIdentityCredential(), COGNITIVE_SERVICES_SCOPE)
    assert chat(mock, api_key=provider).invoke("Tell me a joke").content.strip() == JOKE


def test_reasoning_model_through_langchain(mock):
    llm = chat(mock, "gpt-5-mini", reasoning_effort="low", max_tokens=2000)
    message = llm.invoke("Tell me a joke")
    assert message.content.strip() == JOKE
    details = message.usage_metadata["output_token_details"]
    assert details["reasoning"] > 0  # langchain maps max_tokens to max_completion_tokens


class Weather(BaseModel):
    """The weather in a city."""

    city: str = Field(description="the city")
    celsius: int = Field(description="temperature in degrees Celsius")


def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return f"Sunny in {city}"


def test_bind_tools(mock):
    message = chat(mock).bind_tools([get_weather]).invoke("What is the weather in Paris?")
    assert message.tool_calls and message.tool_calls[0]["name"] == "get_weather"
    assert message.tool_calls[0]["args"] == {"city": "Paris"}


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_with_structured_output(mock, method):
    prompt = "Weather report for Paris at 21 degrees, as JSON."
    result = chat(mock).with_structured_output(Weather, method=method).invoke(prompt)
    assert result == Weather(city="Paris", celsius=21)


def test_embeddings_on_v1(mock):
    embeddings = OpenAIEmbeddings(model="text-embedding-3-small",
                                  base_url=mock.url + "openai/v1/",
                                  api_key=mock.config.api_key, check_embedding_ctx_length=False)
    vectors = embeddings.embed_documents(["cat", "dog"])
    assert len(vectors) == 2 and len(vectors[0]) == 1536
