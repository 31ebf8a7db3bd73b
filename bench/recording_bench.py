"""Record and replay: load time of a large recording, and server CPU per request when
replaying versus generating; prints a markdown table.

    python -m azure_llm_helpers.course python bench/recording_bench.py [--seconds 3]

Everything runs as the real CLI in subprocesses (as ``mock_bench.py``): a generating mock
as the upstream, ``--record`` in front of it while 28 distinct requests (chat and
completions, plain and streamed) pass, then ``--replay`` of that recording against a fresh
generating mock under the same load.  Server CPU comes from /proc/<pid>/stat.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import mock_bench  # noqa: E402  (its load generator and CPU reading)

from azure_llm_helpers.mock.recording import Replayer  # noqa: E402
from azure_llm_helpers.mock.recording.cassette import dump_document  # noqa: E402

LOAD_BUDGET_S = 0.5
KINDS = [("chat", False), ("chat", True), ("completions", False), ("completions", True)]


class Cli(mock_bench.Server):
    """The mock's CLI with extra arguments (``--record``/``--replay``)."""

    def __init__(self, *extra: str, key: str | None = None) -> None:  # noqa: D107
        self.config = Path(tempfile.mkstemp(suffix=".toml")[1])
        self.config.write_text(mock_bench.DEPLOYMENTS.format(limits=mock_bench.LIMITS))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "azure_llm_helpers.mock", "--port", "0",
             "--config", str(self.config), *extra],
            cwd=mock_bench.ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        for line in self.proc.stdout:
            match = re.fullmatch(r"export AZURE_OPENAI_ENDPOINT=(.*)\n", line)
            if match:
                self.port = int(match[1].strip("'").rstrip("/").rsplit(":", 1)[1])
            match = re.fullmatch(r"export AZURE_OPENAI_API_KEY=(.*)\n", line)
            if match:
                self.key = match[1].strip("'")
            if hasattr(self, "port") and (key or hasattr(self, "key")):
                break
        if key:
            self.key = key  # a recording proxy forwards the upstream's key


def record(directory: Path) -> int:
    upstream = Cli()
    proxy = Cli("--record", str(directory), "--upstream", f"http://127.0.0.1:{upstream.port}",
                key=upstream.key)
    try:
        for kind, stream in KINDS:
            asyncio.run(mock_bench.run_load(proxy, kind, stream, 1, per_client=7))
    finally:
        proxy.stop()
        upstream.stop()
    return len(list(directory.glob("*.json")))


def cpu_table(directory: Path, seconds: float) -> list[str]:
    rows = []
    for label, args in (("generate", ()), ("replay", ("--replay", str(directory)))):
        server = Cli(*args)
        try:
            for kind, stream in KINDS:
                for concurrency in (1, 16):
                    asyncio.run(mock_bench.run_load(server, kind, stream, concurrency, 0.3))
                    result = asyncio.run(mock_bench.run_load(server, kind, stream, concurrency,
                                                             seconds))
                    name = f"{kind}{' stream' if stream else ''}, concurrency {concurrency}"
                    rows.append((name, label, result["cpu_ms"], result["errors"]))
        finally:
            server.stop()
    by_name: dict[str, dict[str, tuple[float, int]]] = {}
    for name, label, cpu, errors in rows:
        by_name.setdefault(name, {})[label] = (cpu, errors)
    lines = ["| load | generate: CPU ms/request | replay: CPU ms/request | ratio | errors |",
             "| --- | --- | --- | --- | --- |"]
    for name, cells in by_name.items():
        (gen, gen_err), (rep, rep_err) = cells["generate"], cells["replay"]
        lines.append(f"| {name} | {gen:.3f} | {rep:.3f} | {rep / gen:.2f} | "
                     f"{gen_err + rep_err} |")
    return lines


def thousand(source: Path, target: Path) -> None:
    """1,000 distinct interactions made from the recorded ones (prompts numbered)."""
    docs = [json.loads(p.read_text()) for p in sorted(source.glob("*.json"))]
    for i in range(1000):
        doc = json.loads(json.dumps(docs[i % len(docs)]))
        body = doc["request"]["json"]
        if "messages" in body:
            body["messages"][0]["content"] += f" #{i}"
        else:
            body["prompt"] += f" #{i}"
        (target / f"{i + 1:04d}-POST-bench.json").write_text(dump_document(doc))


def load_seconds(directory: Path, repeat: int = 5) -> tuple[float, float]:
    """Median (wall-clock, CPU) seconds to load: CPU is what a busy shared box distorts less."""
    times = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        Replayer(directory)
        times.append((time.perf_counter() - wall, time.process_time() - cpu))
    return (statistics.median(t[0] for t in times), statistics.median(t[1] for t in times))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per load cell")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        recorded, big = Path(tmp, "recorded"), Path(tmp, "thousand")
        big.mkdir()
        count = record(recorded)
        thousand(recorded, big)
        wall, cpu = load_seconds(big)
        size = sum(p.stat().st_size for p in big.glob("*.json")) / 2**20
        print(f"recorded {count} interactions through --record\n")
        print(f"| measure | result | target |\n| --- | --- | --- |\n"
              f"| load a recording of 1,000 interactions ({size:.1f} MiB) | {wall:.3f} s "
              f"({cpu:.3f} s CPU) | ≤ {LOAD_BUDGET_S} s |\n")
        print("\n".join(cpu_table(recorded, args.seconds)))
    return 0 if wall <= LOAD_BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
