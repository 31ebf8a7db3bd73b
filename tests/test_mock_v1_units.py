"""Unit tests of the mock's pure modules: strict JSON, lifecycle, reasoning rules, answers."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from azure_llm_helpers.mock import answers, lifecycle, reasoning, strictjson
from azure_llm_helpers.mock.config import MockConfigError, load_config

# --- strict JSON ----------------------------------------------------------------------------

REJECTED = [
    (b'{"temperature": NaN}', "NaN"),
    (b'{"temperature": Infinity}', "Infinity"),
    (b'{"temperature": -Infinity}', "-Infinity"),
    (b'{"temperature": 1e999}', "out of range"),
    (b'{"model": "a", "model": "b"}', "duplicate key 'model'"),
    (b'{"m": [{"role": "user", "role": "system"}]}', "duplicate key 'role'"),
    (b'{"content": "\\ud800"}', "lone surrogate"),
    (b'{"content": "\\udc00x"}', "lone surrogate"),
    (b'{"\\ud83d": 1}', "lone surrogate"),
    (b'{"a": 1', "Expecting"),
    (b'{"a": "\xff"}', "not UTF-8"),
    (b"[" * 5000 + b"]" * 5000, ""),
]


@pytest.mark.parametrize(("raw", "why"), REJECTED)
def test_strict_json_rejects_what_rfc_8259_forbids(raw, why):
    with pytest.raises(strictjson.JSONRejected) as info:
        strictjson.parse(raw)
    assert why.lower() in str(info.value).lower()


def test_strict_json_accepts_what_json_allows():
    raw = '{"a": "\\ud83d\\ude00 é", "b": [1, 2.5, -3e2, true, null], "c": {"d": "x"}}'
    assert strictjson.parse(raw.encode()) == json.loads(raw)
    assert strictjson.parse(b'"ok"') == "ok"
    assert strictjson.parse(b"\xef\xbb\xbf{}") == {}  # a BOM MAY be ignored (RFC 8259 8.1)


# --- lifecycle ------------------------------------------------------------------------------

def test_published_dates_are_microsoft_learns():
    assert lifecycle.published("gpt-5-mini", "2025-08-07").retirement == dt.date(2027, 2, 6)
    assert lifecycle.published("gpt-4o-mini", "2024-07-18").retirement == dt.date(2026, 10, 1)
    assert lifecycle.published("gpt-4.1", "2025-04-14").retirement == dt.date(2026, 10, 14)
    assert lifecycle.published("o4-mini", "2025-04-16").retirement == dt.date(2026, 10, 16)
    assert lifecycle.published("text-embedding-3-small", "1").retirement == dt.date(2027, 4, 15)
    assert lifecycle.published("no-such-model", "1").retirement is None


def test_policy_enforces_only_when_asked_and_past_the_date():
    mini = lifecycle.published("gpt-5-mini", "2025-08-07")
    late = dt.date(2027, 3, 1)
    assert not lifecycle.Policy("report", late).refuses(mini)
    assert lifecycle.Policy("enforce", late).refuses(mini)
    assert not lifecycle.Policy("enforce", dt.date(2027, 2, 5)).refuses(mini)


def test_retirement_header_parses_and_names_mistakes():
    base = lifecycle.Policy()
    assert lifecycle.parse_header("enforce", base) == lifecycle.Policy("enforce", None)
    assert lifecycle.parse_header("enforce; today=2027-03-01", base).today == dt.date(2027, 3, 1)
    assert lifecycle.parse_header("report", lifecycle.Policy("enforce")).mode == "report"
    for bad in ("enforced", "today=yesterday", "enforce; x=1"):
        with pytest.raises(ValueError):
            lifecycle.parse_header(bad, base)


def test_config_reads_retirement_and_reasoning(tmp_path):
    config = load_config()
    assert config.retirement == lifecycle.Policy("report", None)
    mini = config.deployments["gpt-5-mini"]
    assert mini.reasoning and mini.reasoning_rules.default == "medium"
    assert mini.serves("chat") and mini.serves("responses") and not mini.serves("embeddings")
    assert config.deployment_for("reasoning") == "gpt-5-mini"
    assert config.deployment_for("responses") == "gpt-5.2"
    assert mini.response_model == "gpt-5-mini-2025-08-07"
    assert not config.deployments["gpt-4o-mini-chat"].reasoning
    path = tmp_path / "c.toml"
    path.write_text('[resource]\nretirement = "enforce"\ntoday = "2027-03-01"\n'
                    '[[deployments]]\nname = "r"\nmodel = "gpt-5-mini"\nversion = "1"\n'
                    'kind = "reasoning"\nretirement_date = "2026-01-01"\n'
                    'default_reasoning_effort = "low"\n', encoding="utf-8")
    custom = load_config(path)
    assert custom.retirement == lifecycle.Policy("enforce", dt.date(2027, 3, 1))
    assert custom.deployments["r"].lifecycle.retirement == dt.date(2026, 1, 1)
    assert custom.deployments["r"].reasoning_rules.default == "low"


@pytest.mark.parametrize("bad", [
    '[resource]\nretirement = "sometimes"\n',
    '[resource]\ntoday = "soon"\n',
    '[[deployments]]\nname = "r"\nmodel = "m"\nversion = "1"\nkind = "reasoning"\n'
    'default_reasoning_effort = "huge"\n',
    '[[deployments]]\nname = "r"\nmodel = "m"\nversion = "1"\nkind = "chat"\n'
    'retirement_date = "next year"\n',
])
def test_config_mistakes_are_named(tmp_path, bad):
    path = tmp_path / "c.toml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(MockConfigError):
        load_config(path)


# --- reasoning rules ------------------------------------------------------------------------

MINI = reasoning.default_rules("gpt-5-mini")
GPT52 = reasoning.default_rules("gpt-5.2")


def test_effort_is_validated_per_model():
    assert reasoning.effort(MINI, None, "reasoning_effort", "gpt-5-mini") == "medium"
    assert reasoning.effort(MINI, "minimal", "reasoning_effort", "gpt-5-mini") == "minimal"
    assert reasoning.effort(GPT52, None, "reasoning_effort", "gpt-5.2") == "none"
    with pytest.raises(reasoning.Refused) as info:
        reasoning.effort(MINI, "none", "reasoning_effort", "gpt-5-mini")
    assert info.value.args == (
        "Unsupported value: 'none' is not supported with the 'gpt-5-mini' model. Supported "
        "values are: 'minimal', 'low', 'medium', and 'high'.", "reasoning_effort",
        "unsupported_value")
    with pytest.raises(reasoning.Refused) as info:
        reasoning.effort(MINI, "extreme", "reasoning.effort", "gpt-5-mini")
    assert info.value.args[1:] == ("reasoning.effort", "invalid_value")
    with pytest.raises(reasoning.Refused) as info:
        reasoning.effort(MINI, 3, "reasoning_effort", "gpt-5-mini")
    assert info.value.args[2] == "invalid_type"


@pytest.mark.parametrize(("body", "param", "code", "text"), [
    ({"max_tokens": 10}, "max_tokens", "unsupported_parameter",
     "Unsupported parameter: 'max_tokens' is not supported with this model. Use "
     "'max_completion_tokens' instead."),
    ({"temperature": 0.5}, "temperature", "unsupported_value",
     "Unsupported value: 'temperature' does not support 0.5 with this model. Only the "
     "default (1) value is supported."),
    ({"temperature": 0.0}, "temperature", "unsupported_value",
     "Unsupported value: 'temperature' does not support 0 with this model. Only the "
     "default (1) value is supported."),
    ({"top_p": 0.9}, "top_p", "unsupported_parameter",
     "Unsupported parameter: 'top_p' is not supported with this model."),
    ({"presence_penalty": 0.1}, "presence_penalty", "unsupported_parameter", None),
    ({"frequency_penalty": 0}, "frequency_penalty", "unsupported_parameter", None),
    ({"logprobs": True}, "logprobs", "unsupported_parameter", None),
    ({"logit_bias": {"1": 2}}, "logit_bias", "unsupported_parameter", None),
])
def test_reasoning_models_refuse_sampling_parameters(body, param, code, text):
    with pytest.raises(reasoning.Refused) as info:
        reasoning.check_sampling(MINI, body, "medium", "max_tokens")
    assert info.value.args[1:] == (param, code)
    if text:
        assert info.value.args[0] == text


def test_temperature_one_and_effort_none_are_allowed():
    reasoning.check_sampling(MINI, {"temperature": 1, "max_completion_tokens": 5}, "low",
                             "max_tokens")
    reasoning.check_sampling(GPT52, {"temperature": 0.2, "top_p": 0.5, "logprobs": True},
                             "none", "max_tokens")
    with pytest.raises(reasoning.Refused):
        reasoning.check_sampling(GPT52, {"temperature": 0.2}, "high", "max_tokens")
    with pytest.raises(reasoning.Refused):  # max_tokens is wrong even with effort none
        reasoning.check_sampling(GPT52, {"max_tokens": 5}, "none", "max_tokens")


def test_thinking_tokens_grow_with_effort_and_are_deterministic():
    digest = "ab" * 32
    spent = [reasoning.thinking_tokens(e, digest) for e in ("minimal", "low", "medium", "high")]
    assert spent == sorted(spent) and spent[0] == 0 and spent[-1] > spent[1]
    assert reasoning.thinking_tokens("medium", digest) == reasoning.thinking_tokens(
        "medium", digest)
    assert reasoning.summary("Why is the sky blue?", "high").startswith("**")


# --- answers ----------------------------------------------------------------------------------

CONFIG = load_config()
JOKE = "\n\nWhy couldn't the bicycle stand up by itself? Because it was two-tired!"


def _say(prompt: str, temperature=None, seed=None, choice=0) -> str:
    which = answers.variant(temperature, seed, choice)
    return answers.ramble(answers.answer_for(CONFIG, prompt, which), temperature, seed, choice)


def test_the_seeds_joke_survives_the_sdk_defaults():
    for temperature in (None, 0, 0.7, 1):
        assert _say("Tell me a joke", temperature) == JOKE
    assert _say("Tell me a joke about bicycles", 0.7) == JOKE


def test_temperature_seed_n_and_prompt_change_the_answer():
    hot = {_say("Tell me a joke", t) for t in (1.1, 1.2, 1.3, 1.5, 1.7, 1.9, 2.0)}
    assert len(hot) >= 3
    assert any("Incidentally" in a or "reminds me" in a or "moon" in a or "kettle" in a
               or "Purple" in a for a in hot)  # past 1.4 the answer rambles
    seeded = {_say("Tell me a joke", 1, seed) for seed in range(8)}
    assert len(seeded) >= 3
    assert _say("Tell me a joke", 1, 5) == _say("Tell me a joke", 1, 5)
    choices = {_say("Tell me a joke", None, None, i) for i in range(6)}
    assert len(choices) >= 3 and _say("Tell me a joke", None, None, 0) == JOKE
    assert {_say("Tell me a joke", 0, None, i) for i in range(4)} == {JOKE}
    assert "cats" in _say("Tell me a joke about cats")
    assert _say("What is a vector database?") != _say("How do I bake bread?")
    assert "vector database" in _say("What is a vector database?")
