"""The mock answers in the prompt's language: the joke in Spanish, fallbacks in either."""

from __future__ import annotations

import openai
import pytest

from azure_llm_helpers.mock.language import detect

CHAT = "gpt-4o-mini-chat"
COMPLETIONS = "gpt-35-turbo-instruct-prod"


@pytest.fixture
def client(mock_env) -> openai.AzureOpenAI:
    return openai.AzureOpenAI(max_retries=0)


@pytest.mark.parametrize(("text", "expected"), [
    ("Cuéntame un chiste", "es"),
    ("Cuentame un chiste", "es"),
    ("¿Qué es una implementación?", "es"),
    ("Explica la diferencia entre el modelo y la implementación", "es"),
    ("Tell me a joke", "en"),
    ("Explain the difference between a model and a deployment", "en"),
    ("Write a haiku about deployments", "en"),
    ("gpt-4o-mini", "en"),
    ("", "en"),
])
def test_the_language_of_a_prompt(text: str, expected: str):
    assert detect(text) == expected


@pytest.mark.parametrize("prompt", ["Cuéntame un chiste", "¿Me cuentas un chiste?",
                                    "Dime un chiste sobre bicicletas"])
def test_the_joke_asked_in_spanish_is_answered_in_spanish(client, prompt: str):
    chat = client.chat.completions.create(
        model=CHAT, messages=[{"role": "user", "content": prompt}])
    text = chat.choices[0].message.content
    assert detect(text) == "es" and "bicycle" not in text
    english = client.chat.completions.create(
        model=CHAT, messages=[{"role": "user", "content": "Tell me a joke"}])
    assert "bicycle" in english.choices[0].message.content


def test_a_fallback_answer_follows_the_prompt_language(client):
    spanish = client.completions.create(
        model=COMPLETIONS, prompt="Explícame qué es una implementación", max_tokens=200)
    english = client.completions.create(
        model=COMPLETIONS, prompt="Explain what a deployment is", max_tokens=200)
    assert detect(spanish.choices[0].text) == "es"
    assert "«Explícame qué es una implementación»" in spanish.choices[0].text
    assert detect(english.choices[0].text) == "en"
    again = client.completions.create(
        model=COMPLETIONS, prompt="Explícame qué es una implementación", max_tokens=200)
    assert again.choices[0].text == spanish.choices[0].text, "deterministic"
