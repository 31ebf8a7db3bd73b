"""The first slice of the data plane, through the real openai SDK over HTTP."""

from __future__ import annotations

import httpx
import openai
import pytest


@pytest.fixture
def client(mock_env) -> openai.AzureOpenAI:
    return openai.AzureOpenAI(max_retries=0)


def test_the_joke_comes_back_from_a_completions_deployment(client, mock):
    response = client.completions.create(
        model="gpt-35-turbo-instruct-prod", prompt="Tell me a joke"
    )
    assert "two-tired" in response.choices[0].text
    assert response.model == "gpt-35-turbo-instruct"  # the model, not the deployment name
    assert response.model_extra["prompt_filter_results"][0]["prompt_index"] == 0


def test_chat_deployment_answers_chat(client, mock):
    chat = mock.config.first_deployment("chat")
    response = client.chat.completions.create(
        model=chat, messages=[{"role": "user", "content": "Tell me a joke"}]
    )
    assert "two-tired" in response.choices[0].message.content
    assert response.model != chat


def test_same_request_gives_the_same_body(mock):
    body = {"prompt": "Tell me a joke", "max_tokens": 20}
    url = f"{mock.url}openai/deployments/gpt-35-turbo-instruct-prod/completions"
    params = {"api-version": "2024-10-21"}
    headers = {"api-key": mock.config.api_key}
    first = httpx.post(url, params=params, headers=headers, json=body).json()
    second = httpx.post(url, params=params, headers=headers, json=body).json()
    assert first == second


def test_wrong_key_is_azures_401(mock_env):
    bad = openai.AzureOpenAI(api_key="0" * 32, max_retries=0)
    with pytest.raises(openai.AuthenticationError, match="invalid subscription key"):
        bad.completions.create(model="gpt-35-turbo-instruct-prod", prompt="hi")


def test_unknown_deployment_is_deployment_not_found(client):
    with pytest.raises(openai.NotFoundError) as caught:
        client.completions.create(model="no-such-deployment", prompt="hi")
    assert caught.value.code == "DeploymentNotFound"
