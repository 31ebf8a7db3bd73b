"""A room of 30 on one shared mock, with one learner in a tight retry loop.

    python -m azure_llm_helpers.course python bench/room_bench.py [--learners 30] [--seconds 20]

The mock runs exactly as the hub runs it (``azure_llm_helpers.course.room serve``, a key
per seat). Each learner is a keep-alive client with their own key sending lesson 03's calls
(completions and chat ``invoke``, a stream, a two-prompt ``batch``, a chain, embeddings)
back to back, as fast as a kernel could. Three phases: one learner alone (unloaded, on a
mock without the per-learner limit: one learner looping lesson 03 is itself a loop the
room's limit stops), the room, and the room plus a noisy learner who retries at once,
ignoring ``Retry-After``. The room phases run with the room's per-learner limit
(``--learner-rpm``, default the room's); an honest learner's 429 counts as an error.
Prints the learners' p50/p99 latency and errors for each phase; the goal is zero errors and
the room's p99 with the noisy learner within 2x of the unloaded run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx

from azure_llm_helpers._constants import EnvironmentVariables as E
from azure_llm_helpers.course.room import DEFAULT_LEARNER_RPM, Room

JOKE = "Tell me a joke"


def lesson_03_calls(env: dict[str, str]) -> list[tuple[str, dict]]:
    """(path, body) of each request lesson 03 makes, in its order."""
    instruct, chat = env[E.AZURE_OPENAI_COMPLETIONS_DEPLOYMENT], env[E.AZURE_OPENAI_CHAT_DEPLOYMENT]
    embed = env[E.AZURE_OPENAI_EMBEDDINGS_DEPLOYMENT]
    completions = f"/openai/deployments/{instruct}/completions"
    chats = f"/openai/deployments/{chat}/chat/completions"
    embeddings = f"/openai/deployments/{embed}/embeddings"
    ask = {"messages": [{"role": "user", "content": JOKE}]}
    return [
        (completions, {"prompt": JOKE, "max_tokens": 256}),
        (chats, ask),
        (chats, {"messages": [{"role": "system", "content": "You are terse."},
                              {"role": "user", "content": JOKE}]}),
        (chats, {**ask, "stream": True}),
        (completions, {"prompt": [JOKE, "Say hello"], "max_tokens": 256}),
        (chats, ask),
        (chats, {"messages": [{"role": "user", "content": "Tell me a joke about bicycles"}]}),
        (embeddings, {"input": JOKE}),
        (embeddings, {"input": [JOKE, "The invoice is overdue"]}),
    ]


async def learner(url: str, key: str, version: str, calls: list, until: float,
                  latencies: list[float], errors: list[str]) -> None:
    async with httpx.AsyncClient(base_url=url, headers={"api-key": key}, timeout=30,
                                 params={"api-version": version}) as client:
        while time.perf_counter() < until:
            for path, body in calls:
                start = time.perf_counter()
                try:
                    response = await client.post(path, json=body)
                    await response.aread()
                except httpx.HTTPError as exc:
                    errors.append(type(exc).__name__)
                    continue
                latencies.append(time.perf_counter() - start)
                if response.status_code != 200:
                    errors.append(str(response.status_code))


async def noisy(url: str, key: str, version: str, path: str, until: float,
                counts: dict[int, int]) -> None:
    """Retries at once, whatever the answer: the loop a learner writes by mistake."""
    async with httpx.AsyncClient(base_url=url, headers={"api-key": key}, timeout=30,
                                 params={"api-version": version}) as client:
        while time.perf_counter() < until:
            response = await client.post(path, json={"messages": [
                {"role": "user", "content": JOKE}]})
            counts[response.status_code] = counts.get(response.status_code, 0) + 1


async def _group(env: dict[str, str], keys: list[str], noisy_key: str | None,
                 until: float) -> tuple[list[float], list[str], dict[int, int]]:
    url, version = env[E.AZURE_OPENAI_ENDPOINT], env[E.OPENAI_API_VERSION]
    calls = lesson_03_calls(env)
    latencies: list[float] = []
    errors: list[str] = []
    counts: dict[int, int] = {}
    tasks = [learner(url, key, version, calls, until, latencies, errors) for key in keys]
    if noisy_key:
        tasks.append(noisy(url, noisy_key, version, calls[1][0], until, counts))
    await asyncio.gather(*tasks)
    return latencies, errors, counts


def _run_group(env: dict[str, str], keys: list[str], noisy_key: str | None,
               until_wall: float) -> tuple[list[float], list[str], dict[int, int]]:
    until = time.perf_counter() + (until_wall - time.time())
    return asyncio.run(_group(env, keys, noisy_key, until))


def phase(env: dict[str, str], keys: list[str], seconds: float, noisy_key: str | None,
          processes: int) -> dict:
    """Learners split over client processes (so the clients' own CPU is not one loop's), the
    noisy learner in a process of their own: as a kernel each."""
    groups = [keys[i::processes] for i in range(min(processes, len(keys)))]
    jobs = [(g, None) for g in groups] + ([([], noisy_key)] if noisy_key else [])
    until = time.time() + seconds + 1.0  # the same wall-clock end for every process
    with ProcessPoolExecutor(len(jobs)) as pool:
        done = list(pool.map(_run_group, [env] * len(jobs), *zip(*jobs, strict=True),
                             [until] * len(jobs)))
    ordered = sorted(lat for latencies, _, _ in done for lat in latencies)
    counts: dict[int, int] = {}
    for _, _, noisy_counts in done:
        for status, n in noisy_counts.items():
            counts[status] = counts.get(status, 0) + n
    return {"requests": len(ordered), "errors": sum(len(e) for _, e, _ in done),
            "p50": statistics.median(ordered) * 1000,
            "p99": ordered[max(int(len(ordered) * 0.99) - 1, 0)] * 1000, "noisy": counts}


def start_room_mock(room: Room) -> tuple[subprocess.Popen, dict[str, str]]:
    room.env_file.unlink(missing_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "azure_llm_helpers.course.room", "serve", "--room-dir",
         str(room.directory), "--size", str(room.size), "--learner-rpm", str(room.learner_rpm)],
        stderr=subprocess.DEVNULL)  # its log line per request is not what is measured
    for _ in range(300):
        env = room.mock_env()
        if env:
            return process, env
        time.sleep(0.1)
    process.kill()
    raise SystemExit("the room's mock did not start")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--client-processes", type=int, default=2,
                        help="processes the learners are spread over (default 2)")
    parser.add_argument("--learner-rpm", type=int, default=DEFAULT_LEARNER_RPM,
                        help=f"the room's per-learner limit (default {DEFAULT_LEARNER_RPM})")
    args = parser.parse_args(argv)
    n, seconds, procs = args.learners, args.seconds, args.client_processes
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        for rpm, phases in ((0, ["alone"]), (args.learner_rpm, ["room", "noisy"])):
            room = Room(Path(scratch), size=n + 1, learner_rpm=rpm)
            process, env = start_room_mock(room)
            try:
                keys = list(room.keys().values())
                learners, loud = keys[:n], keys[n]
                for name in phases:
                    if name == "alone":
                        results["one learner alone (unloaded)"] = phase(
                            env, learners[:1], seconds, None, 1)
                    else:
                        results[f"{n} learners" + (" + 1 in a tight retry loop"
                                                   if name == "noisy" else "")] = phase(
                            env, learners, seconds, loud if name == "noisy" else None, procs)
            finally:
                process.terminate()
                process.wait(10)
    report(results, args, os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan"))
    room, noisy_room = list(results.values())[1:]
    return 0 if noisy_room["errors"] == 0 and noisy_room["p99"] <= 2 * room["p99"] else 1


def report(results: dict, args: argparse.Namespace, load: float) -> None:
    print(f"Room load: lesson 03's calls back to back for {args.seconds:.0f} s per phase, "
          f"{args.learner_rpm} requests a minute per learner (load average {load:.1f})\n")
    print("| phase | learners' requests | errors | p50 ms | p99 ms | noisy learner |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, r in results.items():
        loud = ", ".join(f"{n} × {s}" for s, n in sorted(r["noisy"].items())) or "—"
        print(f"| {name} | {r['requests']} | {r['errors']} | {r['p50']:.1f} | {r['p99']:.1f} "
              f"| {loud} |")
    print("\n" + json.dumps({k: {**v, "noisy": {str(s): n for s, n in v["noisy"].items()}}
                             for k, v in results.items()}))


if __name__ == "__main__":
    sys.exit(main())
