"""Reasoning deployments (``kind = "reasoning"`` in the config): which parameters they take,
how many reasoning tokens they spend, and the summary they show when asked.

A deployment is a reasoning one exactly when its config says ``kind = "reasoning"``
(e.g. model gpt-5-mini); every other kind that serves Responses is a plain chat model.
"""

from __future__ import annotations

import base64
import hashlib

from .. import reasoning as rules_of_models
from ..config import Deployment
from . import checks as c

REASONING_KIND = "reasoning"
#: Sampling parameters reasoning models refuse (they answer 400 "Unsupported parameter").
REFUSED_BY_REASONING = ("temperature", "top_p", "top_logprobs")
# Reasoning tokens spent per effort (before a per-request jitter): a plausible scale that
# keeps small max_output_tokens budgets able to run out during reasoning, as they do.
_EFFORT_TOKENS = {"none": 0, "minimal": 12, "low": 64, "medium": 192, "high": 512,
                  "xhigh": 1024}


def is_reasoning(deployment: Deployment) -> bool:
    return deployment.kind == REASONING_KIND


def _rules(deployment: Deployment) -> rules_of_models.Rules:
    """The model's reasoning rules (mock/reasoning.py, shared with chat completions)."""
    return deployment.reasoning_rules or rules_of_models.default_rules(deployment.model)


def efforts_for(deployment: Deployment) -> tuple[str, ...]:
    """The ``reasoning.effort`` values the deployment's model accepts."""
    return _rules(deployment).efforts


def check_parameters(deployment: Deployment, body: dict) -> None:
    """Raise the 400 a model sends for parameters its family does not take."""
    reasoning = body.get("reasoning") or {}
    include = body.get("include") or ()
    if not is_reasoning(deployment):
        for key in ("effort", "summary", "generate_summary"):
            if reasoning.get(key) is not None:
                raise c.invalid(f"Unsupported parameter: 'reasoning.{key}' is not supported "
                                "with this model.", f"reasoning.{key}", "unsupported_parameter")
        if "reasoning.encrypted_content" in include:
            raise c.invalid("Encrypted content is not supported with this model.", "include",
                            "unsupported_parameter")
        return
    if _rules(deployment).sampling_when_none and effort_of(deployment, body) == "none":
        refused: tuple[str, ...] = ()  # gpt-5.1/5.2 at effort "none" are plain chat models
    else:
        refused = REFUSED_BY_REASONING
    for key in refused:
        if body.get(key) is not None:
            raise c.invalid(f"Unsupported parameter: '{key}' is not supported with this "
                            "model.", key, "unsupported_parameter")
    effort = reasoning.get("effort")
    allowed = efforts_for(deployment)
    if effort is not None and effort not in allowed:
        options = ", ".join(f"'{a}'" for a in allowed[:-1]) + f", and '{allowed[-1]}'"
        raise c.invalid(f"Unsupported value: 'reasoning.effort' does not support '{effort}' "
                        f"with this model. Supported values are: {options}.",
                        "reasoning.effort", "unsupported_value")


def effort_of(deployment: Deployment, body: dict) -> str:
    """The requested effort, else the model's default (``none`` for gpt-5.1/5.2)."""
    effort = (body.get("reasoning") or {}).get("effort")
    return effort or _rules(deployment).default


def reasoning_tokens(effort: str, digest: str) -> int:
    base = _EFFORT_TOKENS[effort]
    return base + int(digest[40:42], 16) % 32 if base else 0


def summary_text(topic: str, calls_tool: bool) -> str:
    """The reasoning summary a model shows with ``reasoning.summary`` set."""
    step = ("The request names a function I can call, so I'll call it with arguments taken "
            "from the request." if calls_tool else
            "I'll answer directly and keep it short and concrete.")
    return f"**Working out the answer**\n\nThe user asks: \"{topic}\". {step}"


def encrypted_content(digest: str, effort: str) -> str:
    """An opaque blob standing for the reasoning state (what ``include`` asks for)."""
    raw = hashlib.sha512(f"{digest}:{effort}".encode()).digest() * 3
    return "gAAAAA" + base64.urlsafe_b64encode(raw).decode()
