"""A repeated request gets the bytes it got the first time, and every check that depends on
more than its body still runs (answer_cache.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from azure_llm_helpers.mock import MockServer
from azure_llm_helpers.mock.answer_cache import AnswerCache
from azure_llm_helpers.mock.outcome import Outcome

V = {"api-version": "2024-10-21"}
JOKE = b'{"messages":[{"role":"user","content":"Tell me a joke"}],"max_tokens":20}'
# The same request with its keys in another order and other spacing: other bytes.
JOKE_REORDERED = b'{"max_tokens": 20, "messages": [{"content": "Tell me a joke", "role": "user"}]}'


@pytest.fixture
def client(mock: MockServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=mock.url, headers={"api-key": mock.config.api_key},
                      timeout=30) as client:
        yield client


def _chat(mock: MockServer) -> str:
    return f"openai/deployments/{mock.env['AZURE_OPENAI_CHAT_DEPLOYMENT']}/chat/completions"


def _post(client: httpx.Client, url: str, body: bytes, **kwargs: object) -> httpx.Response:
    headers = {"content-type": "application/json", **kwargs.pop("headers", {})}
    return client.post(url, content=body, headers=headers, **kwargs)


@pytest.mark.parametrize("body", [JOKE, JOKE[:-1] + b',"stream":true}',
                                  JOKE[:-1] + b',"n":2,"temperature":1.9,"seed":4}'])
def test_a_repeated_body_gets_the_bytes_a_fresh_server_plans(client: httpx.Client,
                                                             mock: MockServer, body: bytes):
    first = _post(client, _chat(mock), body, params=V)
    again = _post(client, _chat(mock), body, params=V)
    with MockServer() as fresh, httpx.Client(base_url=fresh.url, timeout=30) as other:
        planned = _post(other, _chat(fresh), body, params=V,
                        headers={"api-key": fresh.config.api_key})
    assert first.status_code == again.status_code == planned.status_code == 200
    assert first.content == again.content == planned.content
    assert first.headers["x-request-id"] != again.headers["x-request-id"]


def test_the_same_request_in_other_bytes_is_planned_to_the_same_answer(client: httpx.Client,
                                                                       mock: MockServer):
    answers = {_post(client, _chat(mock), body, params=V).content
               for body in (JOKE, JOKE_REORDERED, JOKE, JOKE_REORDERED)}
    assert len(answers) == 1


def test_a_repeated_body_is_still_checked_for_access_faults_and_retirement(
        client: httpx.Client, mock: MockServer):
    assert _post(client, _chat(mock), JOKE, params=V).status_code == 200
    wrong_key = _post(client, _chat(mock), JOKE, params=V, headers={"api-key": "0" * 32})
    assert wrong_key.status_code == 401
    fault = _post(client, _chat(mock), JOKE, params=V,
                  headers={"x-mock-fault": "status=503; fail_first=1"})
    assert fault.status_code == 503
    v1 = {"model": mock.env["AZURE_OPENAI_CHAT_DEPLOYMENT"],
          "messages": [{"role": "user", "content": "hi"}]}
    assert client.post("openai/v1/chat/completions", json=v1).status_code == 200
    retired = client.post("openai/v1/chat/completions", json=v1,
                          headers={"x-mock-retirement": "enforce; today=2026-12-01"})
    assert retired.status_code == 404


def test_a_repeated_body_still_counts_against_the_rate_limit(tmp_path: Path):
    config = tmp_path / "mock.toml"
    config.write_text('[[deployments]]\nname = "chat"\nmodel = "gpt-4o-mini"\n'
                      'version = "2024-07-18"\nkind = "chat"\nrequests_per_minute = 2\n')
    with MockServer(config_file=config) as mock, httpx.Client(
            base_url=mock.url, headers={"api-key": mock.config.api_key}, timeout=30) as client:
        url = "openai/deployments/chat/chat/completions"
        statuses = [_post(client, url, JOKE, params=V).status_code for _ in range(3)]
        refused = _post(client, url, JOKE, params=V)
    assert statuses == [200, 200, 429]
    assert refused.status_code == 429 and refused.headers.get("retry-after")


def test_a_deleted_response_asked_for_again_is_stored_again(client: httpx.Client,
                                                            mock: MockServer):
    body = {"model": mock.env["AZURE_OPENAI_RESPONSES_DEPLOYMENT"], "input": "Store me"}
    first = client.post("openai/v1/responses", json=body).json()
    assert client.delete(f"openai/v1/responses/{first['id']}").status_code == 200
    assert client.get(f"openai/v1/responses/{first['id']}").status_code == 404
    again = client.post("openai/v1/responses", json=body).json()
    assert again == first
    assert client.get(f"openai/v1/responses/{first['id']}").json()["id"] == first["id"]


def test_a_response_that_continues_a_stored_one_is_not_kept(client: httpx.Client,
                                                            mock: MockServer):
    model = mock.env["AZURE_OPENAI_RESPONSES_DEPLOYMENT"]
    first = client.post("openai/v1/responses", json={"model": model, "input": "One"}).json()
    follow = {"model": model, "input": "Two", "previous_response_id": first["id"]}
    assert client.post("openai/v1/responses", json=follow).status_code == 200
    client.delete(f"openai/v1/responses/{first['id']}")
    missing = client.post("openai/v1/responses", json=follow)
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "previous_response_not_found"


def _outcome(size: int) -> Outcome:
    return Outcome({"text": "x" * size}, 1, 2)


def test_the_cache_keeps_small_answers_up_to_its_total_oldest_dropped_first():
    cache = AnswerCache(max_bytes=1000, max_answer=600)  # about 370 bytes an answer here
    for name in ("a", "b", "c"):
        cache.remember(("chat", "d", name.encode()), "d", _outcome(100))
    assert cache.get(("chat", "d", b"a")) is None  # dropped to make room for "c"
    assert cache.get(("chat", "d", b"c")).outcome.encoded == b'{"text":"' + b"x" * 100 + b'"}'
    big = cache.remember(("chat", "d", b"big"), "d", _outcome(500))
    assert big.encoded is not None and cache.get(("chat", "d", b"big")) is None
