"""langchain-openai on the Responses API (``use_responses_api=True``) against the mock, over
real HTTP: ``ChatOpenAI`` on the v1 route and ``AzureChatOpenAI`` on the dated route."""

from __future__ import annotations

import json

import jsonschema
import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from langchain_openai import AzureChatOpenAI, ChatOpenAI
from pydantic import BaseModel, Field

from azure_llm_helpers._constants import RESPONSES_API_VERSION
from azure_llm_helpers.mock import MockServer

CHAT = "gpt-4o-mini-chat"
JOKE = "\n\nWhy couldn't the bicycle stand up by itself? Because it was two-tired!"


@tool
def get_weather(city: str) -> str:
    """The current weather in a city."""
    return f"18 C and sunny in {city}"


class Person(BaseModel):
    """A person mentioned in the text."""

    name: str = Field(description="The person's name")
    age: int = Field(description="Age in years")


@pytest.fixture
def llm(mock: MockServer) -> ChatOpenAI:
    return ChatOpenAI(model=CHAT, base_url=mock.url + "openai/v1/",
                      api_key=mock.config.api_key, use_responses_api=True, max_retries=0)


def test_invoke_and_stream(llm):
    reply = llm.invoke("Tell me a joke")
    assert reply.text == JOKE
    assert reply.response_metadata["id"].startswith("resp_")
    assert reply.usage_metadata["output_tokens"] == 18
    chunks = list(llm.stream("Tell me a joke"))
    assert "".join(c.text for c in chunks) == JOKE
    total = sum(chunks[1:], chunks[0])
    assert total.usage_metadata["output_tokens"] == 18


def test_bind_tools_loop(llm):
    with_tools = llm.bind_tools([get_weather])
    question = HumanMessage("What is the weather in Paris?")
    first = with_tools.invoke([question])
    assert isinstance(first, AIMessage) and first.tool_calls
    call = first.tool_calls[0]
    assert call["name"] == "get_weather" and call["args"] == {"city": "Paris"}
    result = ToolMessage(get_weather.invoke(call["args"]), tool_call_id=call["id"])
    final = with_tools.invoke([question, first, result])
    assert "18 C and sunny in Paris" in final.text


def test_with_structured_output(llm):
    extract = llm.with_structured_output(Person, strict=True)
    person = extract.invoke("Tell me about 'Ada Lovelace', who was 36.")
    assert isinstance(person, Person) and person.name == "Ada Lovelace" and person.age == 36
    as_json = llm.with_structured_output(Person.model_json_schema(), method="json_schema")
    data = as_json.invoke("Tell me about 'Grace Hopper', aged 85.")
    jsonschema.validate(data, Person.model_json_schema())


def test_previous_response_id_through_langchain(mock):
    chained = ChatOpenAI(model=CHAT, base_url=mock.url + "openai/v1/",
                         api_key=mock.config.api_key, use_responses_api=True,
                         use_previous_response_id=True, max_retries=0)
    first = chained.invoke("My favourite colour is teal.")
    second = chained.invoke([HumanMessage("My favourite colour is teal."), first,
                             HumanMessage("What did I tell you?")])
    assert "teal" in second.text


def test_azure_chat_openai_on_the_dated_route(mock):
    azure = AzureChatOpenAI(azure_endpoint=mock.url, api_key=mock.config.api_key,
                            api_version=RESPONSES_API_VERSION, azure_deployment=CHAT,
                            use_responses_api=True, max_retries=0)
    reply = azure.invoke("Tell me a joke")
    assert reply.text == JOKE and reply.response_metadata["id"].startswith("resp_")
    assert "".join(c.text for c in azure.stream("Tell me a joke")) == JOKE
    call = azure.bind_tools([get_weather]).invoke("What is the weather in Oslo?")
    assert json.loads(json.dumps(call.tool_calls[0]["args"])) == {"city": "Oslo"}
