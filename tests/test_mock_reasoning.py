"""Reasoning deployments and model retirement, through the real openai SDK and plain HTTP."""

from __future__ import annotations

import datetime as dt

import httpx
import openai
import pytest

from azure_llm_helpers.mock import MockServer
from azure_llm_helpers.mock.lifecycle import epoch

MINI, GPT52, CHAT = "gpt-5-mini", "gpt-5.2", "gpt-4o-mini-chat"
USER = [{"role": "developer", "content": "Answer briefly."},
        {"role": "user", "content": "Why is the sky blue?"}]


@pytest.fixture
def client(mock: MockServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=mock.url + "openai/v1/", api_key=mock.config.api_key,
                         max_retries=0)


def refused(client: openai.OpenAI, **kwargs) -> openai.BadRequestError:
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(**{"model": MINI, "messages": USER, **kwargs})
    return info.value


def test_reasoning_tokens_count_against_max_completion_tokens(client):
    answer = client.chat.completions.create(model=MINI, messages=USER,
                                            max_completion_tokens=4000)
    usage = answer.usage
    thinking = usage.completion_tokens_details.reasoning_tokens
    visible = answer.choices[0].message.content
    assert thinking > 0 and visible and answer.choices[0].finish_reason == "stop"
    assert usage.completion_tokens > thinking
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    starved = client.chat.completions.create(model=MINI, messages=USER,
                                             max_completion_tokens=16)
    assert starved.choices[0].message.content == ""
    assert starved.choices[0].finish_reason == "length"
    assert starved.usage.completion_tokens_details.reasoning_tokens == 16


def test_effort_changes_the_thinking(client):
    def thinking(effort: str) -> int:
        answer = client.chat.completions.create(model=MINI, messages=USER,
                                                reasoning_effort=effort)
        return answer.usage.completion_tokens_details.reasoning_tokens

    assert thinking("minimal") < thinking("low") < thinking("medium") < thinking("high")


@pytest.mark.parametrize(("kwargs", "param", "code", "text"), [
    ({"max_tokens": 100}, "max_tokens", "unsupported_parameter",
     "Unsupported parameter: 'max_tokens' is not supported with this model. Use "
     "'max_completion_tokens' instead."),
    ({"temperature": 0.2}, "temperature", "unsupported_value",
     "Unsupported value: 'temperature' does not support 0.2 with this model. Only the default "
     "(1) value is supported."),
    ({"top_p": 0.5}, "top_p", "unsupported_parameter",
     "Unsupported parameter: 'top_p' is not supported with this model."),
    ({"presence_penalty": 0.5}, "presence_penalty", "unsupported_parameter", None),
    ({"frequency_penalty": 0.5}, "frequency_penalty", "unsupported_parameter", None),
    ({"logprobs": True}, "logprobs", "unsupported_parameter", None),
    ({"logit_bias": {"50256": -100}}, "logit_bias", "unsupported_parameter", None),
    ({"reasoning_effort": "none"}, "reasoning_effort", "unsupported_value",
     "Unsupported value: 'none' is not supported with the 'gpt-5-mini' model. Supported "
     "values are: 'minimal', 'low', 'medium', and 'high'."),
])
def test_reasoning_models_refuse_what_they_do_not_take(client, kwargs, param, code, text):
    error = refused(client, **kwargs)
    assert (error.param, error.code) == (param, code)
    if text:
        assert error.body["message"] == text


def test_temperature_one_is_the_default_and_allowed(client):
    answer = client.chat.completions.create(model=MINI, messages=USER, temperature=1)
    assert answer.choices[0].message.content


def test_gpt_5_2_is_a_chat_model_until_it_reasons(client):
    plain = client.chat.completions.create(model=GPT52, messages=USER, temperature=0.2,
                                           logprobs=True, max_completion_tokens=200)
    assert plain.usage.completion_tokens_details.reasoning_tokens == 0
    assert plain.choices[0].logprobs.content
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(model=GPT52, messages=USER, temperature=0.2,
                                       reasoning_effort="high")
    assert info.value.param == "temperature"
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(model=GPT52, messages=USER, reasoning_effort="minimal")
    assert info.value.code == "unsupported_value"


def test_reasoning_effort_on_an_ordinary_chat_model(client):
    error = refused(client, model=CHAT, reasoning_effort="low")
    assert (error.param, error.code) == ("reasoning_effort", "unsupported_parameter")


def test_dated_route_and_streams_obey_the_same_rules(mock):
    url = f"{mock.url}openai/deployments/{MINI}/chat/completions"
    params, headers = {"api-version": "2025-04-01-preview"}, {"api-key": mock.config.api_key}
    bad = httpx.post(url, params=params, headers=headers,
                     json={"messages": USER, "max_tokens": 5, "stream": True})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "max_tokens"
    streamed = httpx.post(url, params=params, headers=headers,
                          json={"messages": USER, "max_completion_tokens": 8, "stream": True,
                                "stream_options": {"include_usage": True}})
    assert streamed.status_code == 200
    assert '"finish_reason":"length"' in streamed.text
    assert '"reasoning_tokens":8' in streamed.text


# --- retirement -------------------------------------------------------------------------------

def models(mock: MockServer, path: str = "openai/models?api-version=2024-10-21") -> dict:
    response = httpx.get(mock.url + path, headers={"api-key": mock.config.api_key})
    return {m["id"]: m for m in response.json()["data"]}


def test_models_list_carries_the_published_retirement_dates(mock):
    for listed in (models(mock), models(mock, "openai/v1/models")):
        mini = listed["gpt-5-mini-2025-08-07"]
        assert mini["lifecycle_status"] == "generally-available"
        assert mini["deprecation"]["inference"] == epoch(dt.date(2027, 2, 6))
        assert mini["capabilities"]["chat_completion"] is True
        assert listed["gpt-4o-mini-2024-07-18"]["deprecation"]["inference"] == epoch(
            dt.date(2026, 10, 1))
        assert listed["text-embedding-3-small"]["deprecation"]["inference"] == epoch(
            dt.date(2027, 4, 15))


def chat(mock: MockServer, deployment: str, **headers: str) -> httpx.Response:
    return httpx.post(f"{mock.url}openai/deployments/{deployment}/chat/completions",
                      params={"api-version": "2024-10-21"},
                      json={"messages": [{"role": "user", "content": "hi"}]},
                      headers={"api-key": mock.config.api_key, **headers})


def test_retirement_is_reported_by_default_and_enforced_on_request(mock):
    assert chat(mock, CHAT).status_code == 200  # retired 2026-10-01, but not enforced
    gone = chat(mock, CHAT, **{"x-mock-retirement": "enforce; today=2026-12-01"})
    assert gone.status_code == 404
    assert gone.content == b'{"error":{"code":"404","message": "Resource not found"}}'
    before = chat(mock, CHAT, **{"x-mock-retirement": "enforce; today=2026-09-30"})
    assert before.status_code == 200
    current = chat(mock, MINI, **{"x-mock-retirement": "enforce; today=2026-12-01"})
    assert current.status_code == 200
    bad = chat(mock, CHAT, **{"x-mock-retirement": "sometimes"})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "x-mock-retirement"


def test_a_config_can_enforce_retirement(tmp_path):
    config = tmp_path / "retire.toml"
    config.write_text('[resource]\nretirement = "enforce"\ntoday = "2027-03-01"\n',
                      encoding="utf-8")
    with MockServer(config_file=config) as mock:
        assert chat(mock, MINI).status_code == 404  # gpt-5-mini retired 2027-02-06
        assert chat(mock, GPT52).status_code == 200
        assert chat(mock, MINI, **{"x-mock-retirement": "report"}).status_code == 200
        embed = httpx.post(f"{mock.url}openai/v1/embeddings",
                           json={"model": "text-embedding-3-small", "input": "hi"},
                           headers={"api-key": mock.config.api_key})
        assert embed.status_code == 200


def test_responses_share_the_models_reasoning_rules(client):
    plain = client.responses.create(model=GPT52, input="Why is the sky blue?", temperature=0.3)
    assert plain.usage.output_tokens_details.reasoning_tokens == 0
    assert plain.reasoning.effort == "none"
    thinking = client.responses.create(model=MINI, input="Why is the sky blue?")
    assert thinking.usage.output_tokens_details.reasoning_tokens > 0
    assert thinking.reasoning.effort == "medium"
    with pytest.raises(openai.BadRequestError) as info:
        client.responses.create(model=MINI, input="hi", temperature=0.3)
    assert info.value.param == "temperature"
    with pytest.raises(openai.BadRequestError) as info:
        client.responses.create(model=MINI, input="hi", reasoning={"effort": "none"})
    assert info.value.code == "unsupported_value"
