"""Reasoning models (gpt-5 family, o-series): which parameters they take, and what they
spend on thinking.

A deployment is a reasoning deployment when its config says ``kind = "reasoning"``; its
model picks the rules below (``RULES``), and ``reasoning_efforts`` /
``default_reasoning_effort`` in the deployment's table override them.  Chat completions
and the Responses API share these helpers:

- ``rules_for(deployment)``: the ``Rules`` (or None for an ordinary chat model);
- ``effort(rules, requested, param, model)``: the effort a request runs with, validated;
- ``check_sampling(rules, body, effort)``: Azure's 400 for parameters the model refuses;
- ``thinking_tokens(effort, digest)``: the reasoning tokens a request spends;
- ``summary(prompt, effort)``: a short, deterministic reasoning summary text.

Error texts are the ones Azure passes through from the model service (docs/fidelity.md,
"Reasoning models").
"""

from __future__ import annotations

from dataclasses import dataclass

#: Every effort value the API knows, in the API's own order.
ALL_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh")
# Reasoning tokens spent per effort (before a per-request spread of up to +50 %): the
# ratios follow OpenAI's guidance that each step up spends several times more.
_BUDGET = {"none": 0, "minimal": 0, "low": 64, "medium": 192, "high": 512, "xhigh": 1024}
_SAMPLING = ("temperature", "top_p", "presence_penalty", "frequency_penalty", "logprobs",
             "top_logprobs", "logit_bias")


@dataclass(frozen=True)
class Rules:
    efforts: tuple[str, ...]  # accepted reasoning_effort values for this model
    default: str  # the effort used when a request names none
    # gpt-5.1: with effort "none" it is an ordinary chat model that takes temperature etc.
    sampling_when_none: bool = False


_GPT5 = Rules(("minimal", "low", "medium", "high"), "medium")
_O_SERIES = Rules(("low", "medium", "high"), "medium")
RULES = {
    "gpt-5": _GPT5, "gpt-5-mini": _GPT5, "gpt-5-nano": _GPT5,
    "gpt-5.1": Rules(("none", "low", "medium", "high"), "none", sampling_when_none=True),
    "gpt-5.2": Rules(("none", "low", "medium", "high", "xhigh"), "none",
                     sampling_when_none=True),
    "o1": _O_SERIES, "o3": _O_SERIES, "o3-mini": _O_SERIES, "o4-mini": _O_SERIES,
}


class Refused(ValueError):
    """A parameter the model does not take: ``args`` = (message, param, code)."""


def rules_for(deployment: object) -> Rules | None:
    """The reasoning rules of a deployment (``Deployment.reasoning_rules``, or its model's
    when a ``kind = "reasoning"`` deployment was built without them), else None."""
    rules = getattr(deployment, "reasoning_rules", None)
    if rules is None and getattr(deployment, "kind", "") == "reasoning":
        rules = default_rules(getattr(deployment, "model", ""))
    return rules


def default_rules(model: str) -> Rules:
    return RULES.get(model, _GPT5)


def _listing(values: tuple[str, ...]) -> str:
    quoted = [f"'{v}'" for v in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f", and {quoted[-1]}"


def effort(rules: Rules, requested: object, param: str, model: str) -> str:
    """The effort to run with; ``Refused`` when ``requested`` is not one the model takes."""
    if requested is None:
        return rules.default
    if not isinstance(requested, str):
        got = {bool: "a boolean", int: "an integer", float: "a decimal", list: "an array",
               dict: "an object"}.get(type(requested), "an unknown type")
        raise Refused(f"Invalid type for '{param}': expected a string, but got {got} "
                      "instead.", param, "invalid_type")
    if requested not in ALL_EFFORTS:
        raise Refused(f"Invalid value: '{requested}'. Supported values are: "
                      f"{_listing(ALL_EFFORTS)}.", param, "invalid_value")
    if requested not in rules.efforts:
        raise Refused(f"Unsupported value: '{requested}' is not supported with the '{model}' "
                      f"model. Supported values are: {_listing(rules.efforts)}.", param,
                      "unsupported_value")
    return requested


def _number_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_sampling(rules: Rules, body: dict, chosen: str, max_tokens_param: str) -> None:
    """Refuse what reasoning models do not take; ``max_tokens_param`` is the cap's name
    for this API (``max_tokens`` on chat: it must be ``max_completion_tokens`` instead)."""
    if max_tokens_param and body.get(max_tokens_param) is not None:
        raise Refused(f"Unsupported parameter: '{max_tokens_param}' is not supported with "
                      "this model. Use 'max_completion_tokens' instead.", max_tokens_param,
                      "unsupported_parameter")
    if rules.sampling_when_none and chosen == "none":
        return
    temperature = body.get("temperature")
    if temperature is not None and temperature != 1:
        raise Refused(f"Unsupported value: 'temperature' does not support "
                      f"{_number_text(temperature)} with this model. Only the default (1) "
                      "value is supported.", "temperature", "unsupported_value")
    for name in _SAMPLING[1:]:
        if body.get(name) is not None:
            raise Refused(f"Unsupported parameter: '{name}' is not supported with this "
                          "model.", name, "unsupported_parameter")


def not_a_reasoning_model(param: str) -> Refused:
    """``reasoning_effort`` sent to an ordinary chat deployment."""
    return Refused(f"Unsupported parameter: '{param}' is not supported with this model.",
                   param, "unsupported_parameter")


def thinking_tokens(chosen: str, digest: str) -> int:
    """Deterministic reasoning tokens for one request: the effort's budget plus a spread
    of up to 50 % taken from the request digest (so prompts differ, reruns do not)."""
    base = _BUDGET.get(chosen, 0)
    return base + base * (int(digest[-4:], 16) % 51) // 100


def summary(prompt: str, chosen: str) -> str:
    """A reasoning summary in the style the Responses API returns (bold title, one line)."""
    topic = " ".join(prompt.split()[:10]) or "the request"
    depth = {"minimal": "briefly", "low": "briefly", "medium": "step by step",
             "high": "carefully, checking each step", "xhigh": "exhaustively"}.get(chosen, "")
    return f"**Working out the answer**\n\nConsidering \"{topic}\" {depth}, then answering."
