"""``make test``'s wall-clock and CPU time, and its ten slowest tests. Budget: 120 s.

    python bench/suite_bench.py [pytest options]

Runs the suite exactly as ``make test`` does (the course's entry point, two workers,
browser tests included when Chromium is there), adding ``--durations=10``. CPU time is the
whole process tree's (this process's children), the steadier figure on a shared machine.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

try:
    import resource  # POSIX: the children's CPU time
except ImportError:  # Windows
    resource = None

ROOT = Path(__file__).resolve().parent.parent
BUDGET_S = 120.0


def _load() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def main(argv: list[str]) -> int:
    load = _load()
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "azure_llm_helpers.course", "test",
                          "-q", "--durations=10", "-p", "no:cacheprovider", *argv],
                         cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    out = run.stdout
    summary = out.strip().splitlines()[-1] if out.strip() else "(no output)"
    slowest = re.findall(r"^(\d+\.\d+)s (setup|call|teardown)\s+(\S+)", out, re.MULTILINE)
    print(f"load average {load:.1f} at the start, {_load():.1f} at the end, "
          f"on {os.cpu_count()} CPUs\n")
    verdict = "ok" if wall <= BUDGET_S else "OVER"
    cpu = ""
    if resource is not None:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = f", CPU {usage.ru_utime:.0f} s user + {usage.ru_stime:.0f} s system"
    print(f"{summary}\n\nwall {wall:.0f} s (budget {BUDGET_S:.0f} s: {verdict}){cpu}\n")
    print("| seconds | phase | test |\n| --- | --- | --- |")
    for seconds, phase, test in slowest:
        print(f"| {seconds} | {phase} | `{test}` |")
    if run.returncode != 0:
        print(out[-4000:], run.stderr[-2000:], sep="\n")
        return 1
    return 0 if wall <= BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
