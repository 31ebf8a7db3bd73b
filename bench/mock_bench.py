"""Benchmark the mock on loopback with two rulers; prints markdown tables.

    python -m azure_llm_helpers.course python bench/mock_bench.py [--seconds 3] \
        [--paced-requests 400]

The server runs as its real CLI in a subprocess, its log on (to a temporary file); its CPU
time comes from /proc/<pid>/stat, its RSS from /proc/<pid>/status.

- Saturated: a minimal keep-alive HTTP/1.1 client on asyncio streams that always has the
  next request waiting, so the client costs little CPU and the server never idles.
- Paced (``paced.py``): an httpx client, one request at a time per connection, against the
  CLI's default configuration: how kernels and lesson runs use the mock.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import paced

ROOT = Path(__file__).resolve().parents[1]
TICK = os.sysconf("SC_CLK_TCK")
DEPLOYMENTS = """
[[deployments]]
name = "chat"
model = "gpt-4o-mini"
version = "2024-07-18"
kind = "chat"
{limits}

[[deployments]]
name = "instruct"
model = "gpt-35-turbo-instruct"
version = "0914"
kind = "completions"
{limits}
"""
NO_LIMITS = ""
LIMITS = "requests_per_minute = 100000000\ntokens_per_minute = 1000000000"
# Budgets on the paced ruler (server CPU per request), and for scale a well-known
# FastAPI-based Azure OpenAI simulator measured with the same ruler on this machine.
PACED_BUDGET_MS = {False: 0.5, True: 0.8}
ANCHOR = "1.7–2.1 ms per request, 4.1–4.9 ms per stream"


class Server:
    """The CLI with the bench's deployments (``limits`` their rate limits), or with its
    default configuration (``limits=None``)."""

    def __init__(self, limits: str | None) -> None:
        self.config: Path | None = None
        args = []
        if limits is not None:
            self.config = Path(tempfile.mkstemp(suffix=".toml")[1])
            self.config.write_text(DEPLOYMENTS.format(limits=limits))
            args = ["--config", str(self.config)]
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - the log stays on, as a user runs it
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "azure_llm_helpers.mock", "--port", "0", *args],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=self.log, text=True)
        env = {}
        # Export lines, then the az-shim comment: the CLI prints them all at once.
        for line in self.proc.stdout:
            if line.startswith("# "):
                break
            match = re.fullmatch(r"export (\w+)=(.*)\n", line)
            if match:
                env[match[1]] = match[2].strip("'")
        else:
            raise SystemExit("the mock exited early")
        self.env = env
        self.port = int(env["AZURE_OPENAI_ENDPOINT"].rstrip("/").rsplit(":", 1)[1])
        self.key = env["AZURE_OPENAI_API_KEY"]

    def cpu(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    def rss_mib(self) -> tuple[float, float]:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        get = lambda k: int(re.search(rf"{k}:\s+(\d+)", status)[1]) / 1024  # noqa: E731
        return get("VmRSS"), get("VmHWM")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.log.close()
        if self.config is not None:
            self.config.unlink()


def request_bytes(server: Server, kind: str, stream: bool, i: int = 0) -> bytes:
    if kind == "chat":
        path = "/openai/deployments/chat/chat/completions?api-version=2024-10-21"
        body = {"messages": [{"role": "user", "content": f"Tell me a joke ({i % 7})"}],
                "max_tokens": 14}
    elif kind == "v1-chat":  # the v1 API: no api-version, the deployment in "model"
        path = "/openai/v1/chat/completions"
        body = {"model": "chat", "max_tokens": 14,
                "messages": [{"role": "user", "content": f"Tell me a joke ({i % 7})"}]}
    elif kind == "responses":  # the v1 route; 16 is the smallest max_output_tokens allowed
        path = "/openai/v1/responses"
        body = {"model": "chat", "input": f"Tell me a joke ({i % 7})",
                "max_output_tokens": 16}
    else:
        path = "/openai/deployments/instruct/completions?api-version=2024-10-21"
        body = {"prompt": f"Tell me a joke ({i % 7})", "max_tokens": 14}
    if stream:
        body["stream"] = True
    data = json.dumps(body).encode()
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\napi-key: {server.key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
            ).encode() + data


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    headers = head.lower()
    if b"transfer-encoding: chunked" in headers:
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n"))[:-2], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                return status, body
            body += chunk[:-2]
    length = int(re.search(rb"content-length: (\d+)", headers)[1])
    return status, await reader.readexactly(length)


async def client(server: Server, kind: str, stream: bool, deadline: float, count: int | None,
                 latencies: list[float], errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    i = 0
    while (count is None and time.perf_counter() < deadline) or (count is not None and i < count):
        started = time.perf_counter()
        writer.write(request_bytes(server, kind, stream, i))
        status, body = await read_response(reader)
        latencies.append(time.perf_counter() - started)
        end = b"}\n\n" if kind == "responses" else b"data: [DONE]\n\n"
        if status != 200 or (stream and not body.endswith(end)):
            errors.append(status)
        i += 1
    writer.close()


async def run_load(server: Server, kind: str, stream: bool, concurrency: int,
                   seconds: float = 0, per_client: int | None = None) -> dict:
    latencies: list[float] = []
    errors: list[int] = []
    cpu0, t0 = server.cpu(), time.perf_counter()
    deadline = t0 + seconds
    await asyncio.gather(*(client(server, kind, stream, deadline, per_client, latencies, errors)
                           for _ in range(concurrency)))
    elapsed, cpu = time.perf_counter() - t0, server.cpu() - cpu0
    latencies.sort()
    return {"n": len(latencies), "rps": len(latencies) / elapsed,
            "p50": statistics.median(latencies) * 1000,
            "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
            "cpu_ms": cpu / len(latencies) * 1000, "errors": len(errors)}


def first_answer() -> tuple[float, float, float]:
    """Seconds from process start (default config) to the first complete chat answer, to
    the export lines, and the server's CPU seconds up to that answer."""
    started = time.perf_counter()
    server = Server(None)
    exported = time.perf_counter() - started
    chat = paced.SCENARIOS[0]
    deployment = server.env["AZURE_OPENAI_CHAT_DEPLOYMENT"]
    body = json.dumps(chat.body(deployment)).encode()
    path = chat.url("/", deployment)

    async def one() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\napi-key: {server.key}\r\n"
                     f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                     .encode() + body)
        status, _ = await read_response(reader)
        assert status == 200, status
        writer.close()

    asyncio.run(one())
    total = time.perf_counter() - started
    cpu = server.cpu()
    server.stop()
    return total, exported, cpu


def paced_cells(requests: int, seconds: float) -> tuple[list[tuple], float]:
    """Every paced scenario the mock serves at 1 and 16 connections, and the RSS after."""
    server = Server(None)
    base = server.env["AZURE_OPENAI_ENDPOINT"]
    deployments = {kind: server.env.get(f"AZURE_OPENAI_{kind.upper()}_DEPLOYMENT")
                   or server.env["AZURE_OPENAI_CHAT_DEPLOYMENT"]
                   for kind in ("chat", "completions", "responses")}
    rows = []
    for scenario in paced.SCENARIOS:
        deployment = deployments[scenario.kind]
        if not paced.served(base, server.key, scenario, deployment):
            rows.append((scenario, None, None))
            continue
        for concurrency in (1, 16):
            rows.append((scenario, concurrency, paced.run(
                base, server.key, scenario, deployment, concurrency, requests, seconds,
                server.cpu)))
    rss, _ = server.rss_mib()
    server.stop()
    return rows, rss


def print_paced(rows: list[tuple], rss: float) -> None:
    print("| scenario | connections | req/s | p50 ms | chunks | server CPU ms/req | budget "
          "| errors |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for scenario, concurrency, r in rows:
        if r is None:
            print(f"| {scenario.name} | - | not served by this mock | | | | | |")
            continue
        budget = PACED_BUDGET_MS[scenario.stream]
        verdict = "ok" if r["cpu_ms"] <= budget else "OVER"
        chunks = f"{r['chunks']:.0f}" if scenario.stream else "-"
        print(f"| {scenario.name} | {concurrency} | {r['rps']:.0f} | {r['p50']:.2f} | {chunks} "
              f"| {r['cpu_ms']:.3f} | ≤ {budget} ms {verdict} | {r['errors']} |")
    print(f"\nRSS after the paced runs: {rss:.1f} MiB (budget 60 MiB). For scale, the anchor "
          f"(a FastAPI simulator) on this ruler: {ANCHOR}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="length of each saturated cell")
    parser.add_argument("--paced-requests", type=int, default=400,
                        help="requests per paced cell (the default config's 6000/min limits "
                             "must not refuse any)")
    parser.add_argument("--paced-seconds", type=float, default=10.0,
                        help="time cap per paced cell")
    args = parser.parse_args()
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs\n")

    starts = [first_answer() for _ in range(3)]
    rows = []
    cpu_by_limits = {}
    for label, limits in (("off", NO_LIMITS), ("on", LIMITS)):
        server = Server(limits)
        asyncio.run(run_load(server, "chat", False, 4, 0.5))  # warm-up (loads the tokenizer)
        for kind in ("chat", "v1-chat", "completions", "responses"):
            for stream in (False, True):
                for concurrency in (1, 16):
                    result = asyncio.run(run_load(server, kind, stream, concurrency,
                                                  args.seconds))
                    rows.append((label, kind, stream, concurrency, result))
                    cpu_by_limits.setdefault(label, []).append(result["cpu_ms"])
        rss, hwm = server.rss_mib()
        server.stop()

    paced_rows, paced_rss = paced_cells(args.paced_requests, args.paced_seconds)

    server = Server(LIMITS)
    workshop = asyncio.run(run_load(server, "chat", False, 100, per_client=20))
    workshop_stream = asyncio.run(run_load(server, "chat", True, 100, per_client=20))
    server.stop()

    print("### Paced: one request at a time per connection, default config\n")
    print_paced(paced_rows, paced_rss)
    print("\n### Saturated: the next request always waiting\n")
    print("| rate limits | operation | stream | concurrency | req/s | p50 ms | p99 ms "
          "| server CPU ms/req | errors |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, kind, stream, concurrency, r in rows:
        print(f"| {label} | {kind} | {'yes' if stream else 'no'} | {concurrency} | "
              f"{r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f} | {r['cpu_ms']:.3f} | "
              f"{r['errors']} |")
    off, on = (statistics.mean(cpu_by_limits[k]) for k in ("off", "on"))
    print()
    print("| measure | value |")
    print("| --- | --- |")
    print(f"| process start to export lines (best of 3) | {min(s[1] for s in starts):.3f} s |")
    print(f"| process start to first answer, default config (best / worst of 3; budget 0.4 s) | "
          f"{min(s[0] for s in starts):.3f} s / {max(s[0] for s in starts):.3f} s |")
    print(f"| server CPU to the first answer (least / most of 3, 10 ms ticks) | "
          f"{min(s[2] for s in starts):.2f} s / {max(s[2] for s in starts):.2f} s |")
    print(f"| RSS after the runs (peak) | {rss:.1f} MiB ({hwm:.1f} MiB) |")
    print(f"| rate limiting CPU overhead | {(on / off - 1) * 100:+.1f}% |")
    for name, w in (("workshop load, 100 clients x 20 chat requests", workshop),
                    ("workshop load, 100 clients x 20 chat streams", workshop_stream)):
        print(f"| {name} | {w['n']} requests, {w['errors']} errors, {w['rps']:.0f} req/s, "
              f"p99 {w['p99']:.1f} ms |")


if __name__ == "__main__":
    main()
