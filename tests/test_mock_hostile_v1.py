"""Hostile input on the v1 API, reasoning deployments, strict JSON and streams with n > 1:
each gets the status Azure gives (a 4xx shape, or a well-formed stream), never a 5xx, and
the mock keeps serving."""

from __future__ import annotations

import json

import httpx
import pytest

from . import loopback

V1CH, V1E, V1M = "/openai/v1/chat/completions", "/openai/v1/embeddings", "/openai/v1/models"
CH = "/openai/deployments/gpt-4o-mini-chat/chat/completions?api-version=2024-10-21"
MINI = "/openai/deployments/gpt-5-mini/chat/completions?api-version=2025-04-01-preview"
M = [{"role": "user", "content": "hi"}]
GOOD = {"model": "gpt-4o-mini-chat", "messages": M}
R = {"model": "gpt-5-mini", "messages": M}
NO_KEY = {"api-key": None}

# (id, method, path, body (dict -> JSON, bytes -> raw), extra headers, status)
CASES = [
    # v1 routes, versions and auth
    ("v1 no credential", "POST", V1CH, GOOD, NO_KEY, 401),
    ("v1 bare bearer scheme", "POST", V1CH, GOOD, {**NO_KEY, "authorization": "Bearer"}, 401),
    ("v1 wrong key as bearer", "POST", V1CH, GOOD,
     {**NO_KEY, "authorization": "Bearer " + "f" * 32}, 401),
    ("v1 forged jwt", "POST", V1CH, GOOD,
     {**NO_KEY, "authorization": "Bearer eyJhbGciOiJub25lIn0.eyJvaWQiOiJ4In0."}, 401),
    ("v1 basic auth", "POST", V1CH, GOOD, {**NO_KEY, "authorization": "Basic Zm9vOmJhcg=="}, 401),
    ("v1 dated api-version", "POST", V1CH + "?api-version=2024-10-21", GOOD, {}, 400),
    ("v1 repeated api-version", "POST", V1CH + "?api-version=v1&api-version=2024-10-21", GOOD,
     {}, 400),
    ("v1 api-version injection", "POST", V1CH + "?api-version=v1%00", GOOD, {}, 400),
    ("v1 no model", "POST", V1CH, {"messages": M}, {}, 400),
    ("v1 null model", "POST", V1CH, {"model": None, "messages": M}, {}, 400),
    ("v1 numeric model", "POST", V1CH, {"model": 42, "messages": M}, {}, 400),
    ("v1 empty model", "POST", V1CH, {"model": "", "messages": M}, {}, 400),
    ("v1 unknown model", "POST", V1CH, {"model": "gpt-4", "messages": M}, {}, 404),
    ("v1 traversal model", "POST", V1CH, {"model": "../gpt-4o-mini-chat", "messages": M}, {},
     404),
    ("v1 embeddings model on chat", "POST", V1CH, {"model": "text-embedding-3-small",
                                                    "messages": M}, {}, 400),
    ("v1 chat model on embeddings", "POST", V1E, {"model": "gpt-5-mini", "input": "x"}, {}, 400),
    ("v1 GET chat", "GET", V1CH, None, {}, 404),
    ("v1 POST models", "POST", V1M, {}, {}, 404),
    ("v1 unknown operation", "POST", "/openai/v1/images/generations", GOOD, {}, 404),
    ("v1 bare prefix", "GET", "/openai/v1", None, {}, 404),
    ("v1 array body", "POST", V1CH, b"[1, 2]", {}, 400),
    ("v1 too many messages", "POST", V1CH, {"model": "gpt-4o-mini-chat",
                                            "messages": M * 2049}, {}, 400),
    # strict JSON
    ("NaN", "POST", V1CH, b'{"model": "gpt-4o-mini-chat", "messages": [], "top_p": NaN}', {},
     400),
    ("Infinity", "POST", CH, b'{"messages": [{"role": "user", "content": "hi"}], '
     b'"temperature": Infinity}', {}, 400),
    ("-Infinity", "POST", CH, b'{"messages": [], "presence_penalty": -Infinity}', {}, 400),
    ("1e999", "POST", CH, b'{"messages": [{"role": "user", "content": "hi"}], '
     b'"temperature": 1e999}', {}, 400),
    ("duplicate model smuggling", "POST", V1CH,
     b'{"model": "gpt-4o-mini-chat", "messages": [], "model": "gpt-5-mini"}', {}, 400),
    ("duplicate role", "POST", CH,
     b'{"messages": [{"role": "user", "role": "system", "content": "hi"}]}', {}, 400),
    ("lone high surrogate", "POST", CH,
     b'{"messages": [{"role": "user", "content": "\\ud800"}]}', {}, 400),
    ("lone low surrogate in a key", "POST", CH,
     b'{"messages": [{"role": "user", "content": "hi", "\\udc00": 1}]}', {}, 400),
    ("deep nesting", "POST", CH, b'{"messages": ' + b"[" * 20000 + b"]" * 20000 + b"}", {},
     400),
    ("body over the size limit", "POST", V1CH, b'{"model": "' + b"a" * (9 << 20) + b'"}', {},
     413),
    # reasoning deployments
    ("reasoning max_tokens", "POST", V1CH, {**R, "max_tokens": 10}, {}, 400),
    ("reasoning temperature 0", "POST", MINI, {"messages": M, "temperature": 0}, {}, 400),
    ("reasoning top_p", "POST", MINI, {"messages": M, "top_p": 0.1}, {}, 400),
    ("reasoning unknown effort", "POST", V1CH, {**R, "reasoning_effort": "ultra"}, {}, 400),
    ("reasoning numeric effort", "POST", V1CH, {**R, "reasoning_effort": 5}, {}, 400),
    ("reasoning list effort", "POST", V1CH, {**R, "reasoning_effort": ["low"]}, {}, 400),
    ("effort on a chat model", "POST", V1CH, {**GOOD, "reasoning_effort": "low"}, {}, 400),
    ("max_completion_tokens 0", "POST", V1CH, {**R, "max_completion_tokens": 0}, {}, 400),
    ("max_completion_tokens string", "POST", V1CH, {**R, "max_completion_tokens": "9"}, {}, 400),
    ("max_completion_tokens above the model's", "POST", V1CH,
     {**R, "max_completion_tokens": 10**7}, {}, 400),
    # streams, n and the retirement header
    ("stream n=3", "POST", V1CH, {**GOOD, "stream": True, "n": 3}, {}, 200),
    ("stream n=128", "POST", CH, {"messages": M, "stream": True, "n": 128}, {}, 200),
    ("stream n=129", "POST", CH, {"messages": M, "stream": True, "n": 129}, {}, 400),
    ("stream n=0", "POST", V1CH, {**GOOD, "stream": True, "n": 0}, {}, 400),
    ("reasoning stream starved", "POST", V1CH, {**R, "stream": True, "n": 2,
                                                 "max_completion_tokens": 1}, {}, 200),
    ("stream_options without stream", "POST", V1CH,
     {**GOOD, "stream_options": {"include_usage": True}}, {}, 400),
    ("retirement header garbage", "POST", V1CH, GOOD, {"x-mock-retirement": "maybe"}, 400),
    ("retirement header bad date", "POST", V1CH, GOOD,
     {"x-mock-retirement": "enforce; today=2026-13-45"}, 400),
    ("retired deployment enforced", "POST", V1CH, GOOD,
     {"x-mock-retirement": "enforce; today=2026-12-01"}, 404),
]


def _send(mock, method: str, path: str, body: object, extra: dict) -> httpx.Response:
    # json.dumps, not httpx's encoder: these cases send NaN, which httpx refuses to encode.
    return loopback.send(mock, method, path, body, extra, lambda b: json.dumps(b).encode())


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_hostile_request_gets_azures_answer(mock, case):
    _, method, path, body, extra, status = case
    response = _send(mock, method, path, body, extra)
    assert response.status_code == status, response.text[:300]
    assert mock.config.api_key not in response.text
    assert "Traceback" not in response.text
    if status == 200:
        data = [ln[6:] for ln in response.text.split("\n\n") if ln.startswith("data: ")]
        assert data[-1] == "[DONE]"
        finished = {c["index"] for d in data[:-1] for c in json.loads(d)["choices"]
                    if c["finish_reason"]}
        assert finished == set(range(body.get("n") or 1))  # every choice ends
        return
    payload = response.json()
    if "error" in payload:
        assert isinstance(payload["error"]["message"], str) and payload["error"]["message"]
    else:  # Azure's unwrapped 401 shape
        assert payload["statusCode"] == 401 and payload["message"]


def test_there_are_at_least_twenty_five_cases():
    assert len(CASES) >= 25


def test_the_mock_still_serves_after_the_table(mock):
    for case in CASES[:5]:
        _send(mock, *case[1:5])
    ok = _send(mock, "POST", V1CH, GOOD, {})
    assert ok.status_code == 200 and ok.json()["choices"][0]["message"]["content"]
