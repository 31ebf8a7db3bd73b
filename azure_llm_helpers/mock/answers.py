"""Deterministic answers: canned ones from the config, else a readable fallback.

The same request always gets the same answer, but what a real model's sampling would
change changes here too (``variant``): ``temperature`` (0 always gives the most likely
answer, above 1 other answers and, past 1.4, rambling), ``seed`` (another draw, the same
for the same seed) and each of ``n`` choices.  Variant 0 is the canned answer itself, so
"Tell me a joke" still gets the seed's joke at the SDKs' default settings.

Fallback texts come from a ``Phrasebook`` per language (``PHRASEBOOKS``); a module that
adds a language registers its own phrasebook there.

Also what a model would send back in structured modes: JSON for ``response_format``
and tool (function) calls, derived from the schema and the prompt alone.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from .config import MockConfig


@dataclass(frozen=True)
class Phrasebook:
    """The words of fallback answers in one language."""

    openers: tuple[str, ...]  # each has a {topic} slot
    bodies: tuple[str, ...]
    tangents: tuple[str, ...]  # what a high temperature adds
    jokes: tuple[str, ...]  # each has a {topic} slot: "Tell me a joke about X"
    no_topic: str = "your request"


ENGLISH = Phrasebook(
    openers=(
        'Here is a short answer to "{topic}".',
        'Good question: "{topic}".',
        'Let\'s look at "{topic}".',
        'You asked: "{topic}".',
    ),
    bodies=(
        "The key idea is to start small, check the result, and build from there.",
        "A concrete example usually makes the difference clearer than a definition.",
        "It helps to state the goal first and then the constraints that matter.",
        "Most of the time the simplest approach is also the easiest one to maintain.",
        "Try it on a tiny input first; the behaviour on edge cases tells you the most.",
        "Keep the request specific, and the answer will be specific too.",
        "If something is unclear, a narrower follow-up question gets a sharper reply.",
        "Write down what you expect before you run it, then compare.",
    ),
    tangents=(
        "Incidentally, lighthouses were once lit with whale oil.",
        "Which reminds me: octopuses have three hearts.",
        "Also, the moon drifts away from Earth by about four centimetres a year.",
        "Somewhere, a kettle is boiling for no reason at all.",
        "Purple, they say, tastes of Tuesdays.",
    ),
    jokes=(
        "Why did the {topic} sit at the back of the class? It wanted to be a little "
        "outstanding!",
        "I tried to explain {topic} to my cat. Now it ignores me with more confidence.",
        "What do you call {topic} that tells jokes? A pun-dit!",
        "My doctor told me to stop thinking about {topic}. I said: that's a lot to process.",
    ),
)
PHRASEBOOKS: dict[str, Phrasebook] = {"en": ENGLISH}

_STOPWORDS = frozenset({
    "get", "set", "list", "make", "create", "fetch", "find", "run", "call", "tool",
    "function", "the", "and", "for", "with", "from",
})
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9']*")
_PROPER = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_QUOTED = re.compile(r"[\"']([^\"']{1,80})[\"']")
_JOKE_ABOUT = re.compile(r"\bjokes?\s+(?:about|on)\s+([^.?!\n]{1,40})", re.IGNORECASE)


def _h(*parts: object) -> bytes:
    return hashlib.blake2b("\0".join(map(str, parts)).encode("utf-8", "replace"),
                           digest_size=8).digest()


def variant(temperature: object, seed: object, choice: int) -> int:
    """Which of the possible answers a sampled reply would be (0 = the most likely one).

    ``temperature`` near 0 is greedy decoding: always 0.  With no seed, the first choice
    at the default temperature (1) or below is 0 too, so lessons see the canned answer.
    Anything else draws from the seed, the choice index and the temperature."""
    t = 1.0 if not isinstance(temperature, int | float) else float(temperature)
    if t <= 0.2:
        return 0
    if seed is None and choice == 0 and t <= 1.0:
        return 0
    return _h(seed, choice, round(t, 1))[0] % 7


def ramble(text: str, temperature: object, seed: object, choice: int,
           language: str = "en") -> str:
    """Past temperature 1.4 a model drifts off topic; past 1.8 it barely holds together."""
    if not isinstance(temperature, int | float) or temperature <= 1.4:
        return text
    book = PHRASEBOOKS.get(language, ENGLISH)
    h = _h("ramble", seed, choice, round(float(temperature), 1))
    text = f"{text} {book.tangents[h[0] % len(book.tangents)]}"
    if temperature > 1.8:
        words = book.tangents[h[1] % len(book.tangents)].split()
        words = words[h[2] % len(words):] + words[: h[2] % len(words)]
        text = f"{text} {' '.join(words).lower()}"
    return text


def answer_for(config: MockConfig, prompt: str, which: int = 0, language: str = "en") -> str:
    """The answer to ``prompt``; ``which`` picks a variant (see ``variant``)."""
    book = PHRASEBOOKS.get(language, ENGLISH)
    for canned in config.answers:
        if canned.pattern.search(prompt):
            topical = _topical_joke(prompt, canned.answer, which, book)
            if topical:
                return topical
            options = (canned.answer, *canned.alternatives)
            if which == 0 or len(options) > 1:
                return options[which % len(options)]
            return fallback(prompt, which, language)
    return fallback(prompt, which, language)


def _topical_joke(prompt: str, canned: str, which: int, book: Phrasebook) -> str | None:
    """"A joke about X" gets a joke about X unless the canned one already is."""
    found = _JOKE_ABOUT.search(prompt)
    if not found:
        return None
    topic = found.group(1).strip().rstrip(".")
    stems = {w.lower().rstrip("s") for w in _WORD.findall(topic)}
    if which == 0 and any(stem and stem in canned.lower() for stem in stems):
        return None
    return book.jokes[(_h(topic)[0] + which) % len(book.jokes)].format(topic=topic)


def topic_of(prompt: str, language: str = "en") -> str:
    """A few words of the prompt's last line, to make the fallback read as a reply."""
    line = next((ln for ln in reversed(prompt.strip().splitlines()) if ln.strip()), "")
    words = line.split()
    topic = " ".join(words[:12]) + (" ..." if len(words) > 12 else "")
    return topic.replace('"', "'") or PHRASEBOOKS.get(language, ENGLISH).no_topic


def fallback(prompt: str, which: int = 0, language: str = "en") -> str:
    book = PHRASEBOOKS.get(language, ENGLISH)
    h = _h(prompt, which) if which else hashlib.blake2b(
        prompt.encode("utf-8", "replace"), digest_size=8).digest()
    first = book.openers[h[0] % len(book.openers)].format(topic=topic_of(prompt, language))
    second = book.bodies[h[1] % len(book.bodies)]
    third = book.bodies[(h[1] + 1 + h[2] % (len(book.bodies) - 1)) % len(book.bodies)]
    return f"{first} {second} {third}"


def request_digest(body: bytes, deployment: str) -> str:
    """A stable digest of a request, from which ids and timestamps are derived."""
    return hashlib.sha256(deployment.encode() + b"\0" + body).hexdigest()


def created_from(digest: str) -> int:
    # A fixed point in 2024 plus up to ~10 days, so `created` looks real and never varies.
    return 1_717_200_000 + int(digest[:8], 16) % 864_000


# --- structured output -------------------------------------------------------------------

def _string_for(key: str, prompt: str) -> str:
    quoted = _QUOTED.search(prompt)
    if quoted:
        return quoted.group(1)
    text = prompt.strip()
    for proper in _PROPER.finditer(text):
        # A capital after a sentence start is just grammar, not a name.
        if proper.start() and text[:proper.start()].rstrip()[-1:] not in ".!?":
            return proper.group()
    return topic_of(prompt) if key not in ("answer", "text", "content") else fallback(prompt)


def instance_of(schema: object, prompt: str, key: str = "", root: object = None,
                depth: int = 0) -> object:
    """A value valid for a (reasonable) JSON schema, filled from the prompt."""
    root = schema if root is None else root
    if not isinstance(schema, dict) or depth > 12:
        return None
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/") and isinstance(root, dict):
        target: object = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        return instance_of(target, prompt, key, root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for combinator in ("anyOf", "oneOf", "allOf"):
        options = schema.get(combinator)
        if isinstance(options, list) and options:
            return instance_of(options[0], prompt, key, root, depth + 1)
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        props = schema.get("properties", {})
        if not isinstance(props, dict):
            return {}
        return {name: instance_of(sub, prompt, name, root, depth + 1)
                for name, sub in props.items()}
    if kind == "array":
        item = instance_of(schema.get("items", {}), prompt, key, root, depth + 1)
        return [item] * max(1, int(schema.get("minItems", 1) or 1))
    if kind in ("integer", "number"):
        found = _NUMBER.search(prompt)
        value = float(found.group()) if found else 1
        lo, hi = schema.get("minimum"), schema.get("maximum")
        if isinstance(lo, int | float):
            value = max(value, lo)
        if isinstance(hi, int | float):
            value = min(value, hi)
        return int(value) if kind == "integer" else value
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    return _string_for(key, prompt)


def json_answer(response_format: dict, prompt: str, text: str) -> str:
    """The message content for ``json_object`` / ``json_schema`` response formats."""
    if response_format.get("type") == "json_schema":
        spec = response_format.get("json_schema") or {}
        return json.dumps(instance_of(spec.get("schema") or {}, prompt))
    return json.dumps({"answer": text})


def pick_tools(tools: list[dict], tool_choice: object, prompt: str,
               parallel: bool) -> list[dict]:
    """Which offered functions the "model" calls: named, required, or mentioned in the prompt."""
    functions = [t["function"] for t in tools]
    if tool_choice == "none" or not functions:
        return []
    if isinstance(tool_choice, dict):
        name = (tool_choice.get("function") or {}).get("name")
        return [f for f in functions if f.get("name") == name][:1]
    words = {w.lower() for w in _WORD.findall(prompt)}
    chosen = []
    for function in functions:
        parts = re.split(r"[_\-\s]+|(?<=[a-z])(?=[A-Z])", function.get("name", ""))
        keys = {p.lower() for p in parts if len(p) >= 4 and p.lower() not in _STOPWORDS}
        if keys & words or any(k.rstrip("s") in words for k in keys):
            chosen.append(function)
    if not chosen and tool_choice == "required":
        chosen = functions[:1]
    return chosen if parallel else chosen[:1]


def tool_arguments(function: dict, prompt: str) -> str:
    return json.dumps(instance_of(function.get("parameters") or {"type": "object"}, prompt))
