"""Azure's content-filter annotations, and the configurable triggers that make them fire.

Azure's default policy annotates every category and *blocks* at medium and high severity;
a ``low`` trigger therefore only shows up in the annotations, as it would on Azure.
"""

from __future__ import annotations

from .config import FilterTrigger

SAFE = {"filtered": False, "severity": "safe"}
CHOICE_SAFE = {"hate": SAFE, "self_harm": SAFE, "sexual": SAFE, "violence": SAFE}
PROMPT_SAFE = {**CHOICE_SAFE, "jailbreak": {"filtered": False, "detected": False}}


def _annotate(base: dict, hits: list[FilterTrigger]) -> tuple[dict, bool]:
    if not hits:
        return base, False
    result = dict(base)
    blocked = False
    for hit in hits:
        filtered = hit.severity != "low"
        blocked = blocked or filtered
        result[hit.category] = {"filtered": filtered, "severity": hit.severity}
    return result, blocked


def prompt_results(triggers: tuple[FilterTrigger, ...], text: str) -> tuple[dict, bool]:
    """The prompt's ``content_filter_results`` and whether the request is rejected."""
    hits = [t for t in triggers if t.stage == "prompt" and t.pattern.search(text)]
    return _annotate(PROMPT_SAFE, hits)


def completion_results(triggers: tuple[FilterTrigger, ...], prompt: str,
                       answer: str) -> tuple[dict, bool]:
    """A choice's ``content_filter_results`` and whether the output is cut off."""
    hits = [t for t in triggers if t.stage == "completion"
            and (t.pattern.search(prompt) or t.pattern.search(answer))]
    return _annotate(CHOICE_SAFE, hits)
