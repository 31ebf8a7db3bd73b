"""The paced ruler: the mock loaded the way a learner's kernel or a lesson run loads it.

An httpx client sends one request at a time per connection (1 or 16 connections,
``max_tokens`` 20), waits for the whole answer, and sends the next.  Every request then
finds the server idle, so each one pays for waking the event loop: the saturated client in
``mock_bench.py`` never does.  The figure that holds on a shared, noisy machine is the
server's CPU time per request, read from the server process itself.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

PROMPT = "Say hello to the class."
MAX_TOKENS = 20
API_VERSION = "2024-10-21"


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str  # after /openai/
    stream: bool
    kind: str  # which deployment: "chat", "completions" or "responses"

    def body(self, deployment: str) -> dict:
        if self.name.startswith("responses"):
            body: dict = {"model": deployment, "input": PROMPT, "max_output_tokens": MAX_TOKENS}
        elif self.kind == "completions":
            body = {"prompt": PROMPT, "max_tokens": MAX_TOKENS}
        else:
            body = {"messages": [{"role": "user", "content": PROMPT}], "max_tokens": MAX_TOKENS}
            if self.path.startswith("v1/"):
                body["model"] = deployment
        return {**body, "stream": True} if self.stream else body

    def url(self, base: str, deployment: str) -> str:
        if self.path.startswith("v1/"):
            return f"{base}openai/{self.path}"
        return f"{base}openai/deployments/{deployment}/{self.path}?api-version={API_VERSION}"


SCENARIOS = [
    Scenario("chat", "chat/completions", False, "chat"),
    Scenario("chat-stream", "chat/completions", True, "chat"),
    Scenario("completions", "completions", False, "completions"),
    Scenario("completions-stream", "completions", True, "completions"),
    Scenario("v1-chat", "v1/chat/completions", False, "chat"),
    Scenario("responses", "v1/responses", False, "responses"),
    Scenario("responses-stream", "v1/responses", True, "responses"),
]


async def _one(client: httpx.AsyncClient, url: str, body: dict, stream: bool) -> tuple[bool, int]:
    """(answered in full, SSE data lines); a dropped connection counts as an error."""
    try:
        if not stream:
            response = await client.post(url, json=body)
            return response.status_code == 200, 0
        lines = 0
        async with client.stream("POST", url, json=body) as response:
            async for line in response.aiter_lines():
                lines += line.startswith("data:")
        return response.status_code == 200, lines
    except httpx.TransportError:
        return False, 0


async def _cell(url: str, key: str, body: dict, stream: bool, concurrency: int, requests: int,
                seconds: float, server_cpu: Callable[[], float]) -> dict:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers={"api-key": key}, limits=limits, timeout=60,
                                 trust_env=False) as client:
        for _ in range(10):  # connections open, caches warm: not measured
            await _one(client, url, body, stream)
        latencies: list[float] = []
        failed, chunks, issued = 0, 0, 0
        deadline = time.perf_counter() + seconds

        async def connection() -> None:
            nonlocal failed, chunks, issued
            while issued < requests and time.perf_counter() < deadline:
                issued += 1
                started = time.perf_counter()
                ok, lines = await _one(client, url, body, stream)
                latencies.append(time.perf_counter() - started)
                failed += not ok
                chunks += lines

        cpu0, t0 = server_cpu(), time.perf_counter()
        await asyncio.gather(*(connection() for _ in range(concurrency)))
        elapsed, cpu = time.perf_counter() - t0, server_cpu() - cpu0
    n = len(latencies)
    return {"n": n, "rps": n / elapsed, "p50": statistics.median(latencies) * 1000,
            "cpu_ms": cpu / n * 1000, "errors": failed, "chunks": chunks / n if stream else 0}


def served(base: str, key: str, scenario: Scenario, deployment: str) -> bool:
    """Whether this mock answers the scenario at all (older mocks lack the v1 routes)."""
    response = httpx.post(scenario.url(base, deployment), json=scenario.body(deployment),
                          headers={"api-key": key}, timeout=30, trust_env=False)
    return response.status_code == 200


def run(base: str, key: str, scenario: Scenario, deployment: str, concurrency: int,
        requests: int, seconds: float, server_cpu: Callable[[], float]) -> dict:
    """One cell: ``requests`` requests (or ``seconds``, whichever ends first)."""
    return asyncio.run(_cell(scenario.url(base, deployment), key, scenario.body(deployment),
                             scenario.stream, concurrency, requests, seconds, server_cpu))
