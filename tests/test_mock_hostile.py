"""Malformed and hostile requests: each gets Azure's 4xx shape, none a 5xx, and the mock
keeps serving."""

from __future__ import annotations

import socket

import httpx
import pytest

from azure_llm_helpers._constants import LATEST_GA_API_VERSION

from . import loopback

C, CH, E = ("/openai/deployments/gpt-35-turbo-instruct-prod/completions",
            "/openai/deployments/gpt-4o-mini-chat/chat/completions",
            "/openai/deployments/text-embedding-ada-002-prod/embeddings")
V = f"?api-version={LATEST_GA_API_VERSION}"
M = [{"role": "user", "content": "hi"}]

# (id, method, path+query, body (dict -> JSON, bytes -> raw), extra headers, status)
CASES = [
    ("no api-version", "POST", CH, {"messages": M}, {}, 404),
    ("empty api-version", "POST", CH + "?api-version=", {"messages": M}, {}, 400),
    ("unknown api-version", "POST", CH + "?api-version=2099-01-01", {"messages": M}, {}, 400),
    ("api-version injection", "POST", CH + "?api-version=%00%27%22", {"messages": M}, {}, 400),
    ("no key", "POST", CH + V, {"messages": M}, {"api-key": None}, 401),
    ("wrong key", "POST", CH + V, {"messages": M}, {"api-key": "x" * 32}, 401),
    ("empty key", "POST", CH + V, {"messages": M}, {"api-key": ""}, 401),
    ("garbage bearer", "POST", CH + V, {"messages": M},
     {"api-key": None, "authorization": "Bearer not.a.jwt"}, 401),
    ("basic auth", "POST", CH + V, {"messages": M},
     {"api-key": None, "authorization": "Basic Zm9vOmJhcg=="}, 401),
    ("unknown deployment", "POST", "/openai/deployments/nope/chat/completions" + V,
     {"messages": M}, {}, 404),
    ("traversal deployment", "POST", "/openai/deployments/..%2F..%2Fetc/completions" + V,
     {"prompt": "x"}, {}, 404),
    ("huge deployment name", "POST", "/openai/deployments/" + "a" * 5000 + "/completions" + V,
     {"prompt": "x"}, {}, 404),
    ("empty deployment", "POST", "/openai/deployments//completions" + V, {"prompt": "x"}, {},
     404),
    ("unknown operation", "POST", "/openai/deployments/gpt-4o-mini-chat/images/generations" + V,
     {}, {}, 404),
    ("GET on completions", "GET", C + V, None, {}, 404),
    ("DELETE on chat", "DELETE", CH + V, None, {}, 404),
    ("POST on models", "POST", "/openai/models" + V, {}, {}, 404),
    ("double /openai", "POST", "/openai/openai/deployments/gpt-4o-mini-chat/chat/completions"
     + V, {"messages": M}, {}, 404),
    ("root", "GET", "/", None, {}, 404),
    ("unknown top path", "GET", "/admin" + V, None, {}, 404),
    ("chat on completions deployment", "POST",
     "/openai/deployments/gpt-35-turbo-instruct-prod/chat/completions" + V, {"messages": M},
     {}, 400),
    ("embeddings on chat", "POST", "/openai/deployments/gpt-4o-mini-chat/embeddings" + V,
     {"input": "x"}, {}, 400),
    ("empty body", "POST", CH + V, b"", {}, 400),
    ("truncated JSON", "POST", CH + V, b'{"messages": [', {}, 400),
    ("not JSON", "POST", CH + V, b"messages=hi", {}, 400),
    ("invalid UTF-8", "POST", CH + V, b'{"messages": "\xff\xfe"}', {}, 400),
    ("JSON array body", "POST", CH + V, b"[1, 2]", {}, 400),
    ("JSON string body", "POST", CH + V, b'"hello"', {}, 400),
    ("JSON null body", "POST", CH + V, b"null", {}, 400),
    ("deeply nested JSON", "POST", CH + V, b"[" * 100_000 + b"]" * 100_000, {}, 400),
    ("NaN literal", "POST", CH + V, b'{"messages": [], "temperature": NaN}', {}, 400),
    ("missing messages", "POST", CH + V, {}, {}, 400),
    ("messages null", "POST", CH + V, {"messages": None}, {}, 400),
    ("messages a string", "POST", CH + V, {"messages": "hi"}, {}, 400),
    ("messages empty", "POST", CH + V, {"messages": []}, {}, 400),
    ("message not an object", "POST", CH + V, {"messages": ["hi"]}, {}, 400),
    ("message without role", "POST", CH + V, {"messages": [{"content": "hi"}]}, {}, 400),
    ("unknown role", "POST", CH + V, {"messages": [{"role": "bot", "content": "hi"}]}, {}, 400),
    ("role a number", "POST", CH + V, {"messages": [{"role": 3, "content": "hi"}]}, {}, 400),
    ("user content null", "POST", CH + V, {"messages": [{"role": "user", "content": None}]},
     {}, 400),
    ("content a number", "POST", CH + V, {"messages": [{"role": "user", "content": 42}]}, {},
     400),
    ("bad content part", "POST", CH + V,
     {"messages": [{"role": "user", "content": [{"type": "audio"}]}]}, {}, 400),
    ("tool message without id", "POST", CH + V,
     {"messages": [{"role": "tool", "content": "x"}]}, {}, 400),
    ("max_tokens string", "POST", CH + V, {"messages": M, "max_tokens": "ten"}, {}, 400),
    ("max_tokens negative", "POST", CH + V, {"messages": M, "max_tokens": -1}, {}, 400),
    ("max_tokens float", "POST", CH + V, {"messages": M, "max_tokens": 1.5}, {}, 400),
    ("max_tokens bool", "POST", CH + V, {"messages": M, "max_tokens": True}, {}, 400),
    ("max_tokens huge", "POST", CH + V, {"messages": M, "max_tokens": 10**30}, {}, 400),
    ("max_completion_tokens zero", "POST", CH + V, {"messages": M, "max_completion_tokens": 0},
     {}, 400),
    ("n zero", "POST", CH + V, {"messages": M, "n": 0}, {}, 400),
    ("n too big", "POST", CH + V, {"messages": M, "n": 10_000}, {}, 400),
    ("temperature too high", "POST", CH + V, {"messages": M, "temperature": 3}, {}, 400),
    ("temperature string", "POST", CH + V, {"messages": M, "temperature": "hot"}, {}, 400),
    ("top_p negative", "POST", CH + V, {"messages": M, "top_p": -0.1}, {}, 400),
    ("presence_penalty", "POST", CH + V, {"messages": M, "presence_penalty": 9}, {}, 400),
    ("stop too many", "POST", CH + V, {"messages": M, "stop": ["a", "b", "c", "d", "e"]}, {},
     400),
    ("stop a number", "POST", CH + V, {"messages": M, "stop": 5}, {}, 400),
    ("stream a string", "POST", CH + V, {"messages": M, "stream": "yes"}, {}, 400),
    ("stream_options without stream", "POST", CH + V,
     {"messages": M, "stream_options": {"include_usage": True}}, {}, 400),
    ("logprobs int on chat", "POST", CH + V, {"messages": M, "logprobs": 3}, {}, 400),
    ("top_logprobs without logprobs", "POST", CH + V, {"messages": M, "top_logprobs": 2}, {},
     400),
    ("response_format unknown", "POST", CH + V,
     {"messages": M, "response_format": {"type": "xml"}}, {}, 400),
    ("json_schema without schema", "POST", CH + V,
     {"messages": M, "response_format": {"type": "json_schema"}}, {}, 400),
    ("tools not a list", "POST", CH + V, {"messages": M, "tools": {"a": 1}}, {}, 400),
    ("tool without function", "POST", CH + V, {"messages": M, "tools": [{"type": "function"}]},
     {}, 400),
    ("tool_choice unknown tool", "POST", CH + V,
     {"messages": M, "tools": [{"type": "function", "function": {"name": "a"}}],
      "tool_choice": {"type": "function", "function": {"name": "b"}}}, {}, 400),
    ("tool_choice without tools", "POST", CH + V, {"messages": M, "tool_choice": "required"},
     {}, 400),
    ("user a number", "POST", CH + V, {"messages": M, "user": 7}, {}, 400),
    ("prompt missing", "POST", C + V, {"max_tokens": 5}, {}, 400),
    ("prompt a number", "POST", C + V, {"prompt": 5}, {}, 400),
    ("prompt empty list", "POST", C + V, {"prompt": []}, {}, 400),
    ("prompt list of objects", "POST", C + V, {"prompt": [{"a": 1}]}, {}, 400),
    ("prompt negative token", "POST", C + V, {"prompt": [-5]}, {}, 400),
    ("completions logprobs 9", "POST", C + V, {"prompt": "x", "logprobs": 9}, {}, 400),
    ("best_of below n", "POST", C + V, {"prompt": "x", "n": 3, "best_of": 2}, {}, 400),
    ("prompt beyond context", "POST", C + V, {"prompt": "x", "max_tokens": 5000}, {}, 400),
    ("input missing", "POST", E + V, {}, {}, 400),
    ("input empty string", "POST", E + V, {"input": ""}, {}, 400),
    ("input empty list", "POST", E + V, {"input": []}, {}, 400),
    ("input too many", "POST", E + V, {"input": ["a"] * 2049}, {}, 400),
    ("input nested empty", "POST", E + V, {"input": [[]]}, {}, 400),
    ("input object", "POST", E + V, {"input": {"text": "a"}}, {}, 400),
    ("encoding_format unknown", "POST", E + V, {"input": "a", "encoding_format": "int8"}, {},
     400),
    ("dimensions on ada", "POST", E + V, {"input": "a", "dimensions": 10}, {}, 400),
    ("dimensions zero", "POST", E + V, {"input": "a", "dimensions": 0}, {}, 400),
    ("input beyond context", "POST", E + V, {"input": "word " * 9000}, {}, 400),
    ("fault header garbage", "POST", CH + V, {"messages": M}, {"x-mock-fault": "explode=1"},
     400),
    ("fault header bad status", "POST", CH + V, {"messages": M}, {"x-mock-fault": "status=418"},
     400),
    ("fault header bad rate", "POST", CH + V, {"messages": M},
     {"x-mock-fault": "error_rate=2"}, 400),
    ("body too large", "POST", CH + V, b"x" * (9 * 1024 * 1024), {}, 413),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_hostile_request_gets_an_azure_4xx(mock, case):
    _, method, path, body, extra, status = case
    response = loopback.send(mock, method, path, body, extra,
                             lambda b: httpx.Request("POST", "/", json=b).content, timeout=30)
    assert response.status_code == status, response.text[:300]
    payload = response.json()
    if "error" in payload:
        assert isinstance(payload["error"]["message"], str) and payload["error"]["message"]
    else:  # Azure's unwrapped 401 shape
        assert payload["statusCode"] == 401 and payload["message"]
    assert mock.config.api_key not in response.text
    assert "Traceback" not in response.text



def test_raw_protocol_garbage_does_not_stop_the_server(mock):
    for garbage in (b"\x00\x01\x02 nonsense\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                    b"POST /openai/models HTTP/1.1\r\nContent-Length: 99999\r\n\r\nabc"):
        with socket.create_connection((mock.host, mock.port), timeout=2) as sock:
            sock.sendall(garbage)
            sock.shutdown(socket.SHUT_WR)
            try:
                reply = sock.recv(200)
            except OSError:
                reply = b""
            assert not reply.startswith(b"HTTP/1.1 5")
    ok = loopback.client().post(f"{mock.url}openai/deployments/gpt-4o-mini-chat/chat/completions",
                                params={"api-version": LATEST_GA_API_VERSION}, json={"messages": M},
                                headers={"api-key": mock.config.api_key})
    assert ok.status_code == 200
