"""Seconds per lesson under ``make run``, beside the floor every lesson pays.

    python bench/lessons_bench.py [--repeat N]

The floor is a fresh kernel that only imports what the lessons import and finds the mock:
a lesson can never be faster than that. Each lesson's time comes from ``make run``'s own
runner (``tools/run_lessons.py``); the best of ``--repeat`` runs is kept, to leave out
a busy moment on the machine. Prints a table and writes ``build/bench/lessons.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import run_lessons  # noqa: E402  (make run's own runner)

BUDGET_SECONDS = 30.0  # the whole course (eight lessons), headless, warm environment
FLOOR_SOURCE = """\
import ipywidgets, openai, langchain_openai, azure.identity
from azure_llm_helpers.mock import ensure_mock
ensure_mock()
"""


def floor_seconds() -> float:
    """A kernel start, the lessons' imports and finding the mock: what every lesson pays.

    As under ``make run``, one mock serves the run and the kernel finds it in its environment.
    """
    from azure_llm_helpers.mock import MockServer

    with tempfile.TemporaryDirectory() as tmp, MockServer() as mock:
        os.environ.update(mock.env)
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_SOURCE)])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        source, output = Path(tmp) / "floor.ipynb", Path(tmp) / "out.ipynb"
        nbformat.write(nb, source)
        start = time.perf_counter()
        run_lessons.execute(source, output, {})  # as make run executes a lesson
        return time.perf_counter() - start


def lesson_seconds() -> dict[str, float]:
    """Run the course as ``make run`` does (without the HTML edition): seconds per lesson."""
    runs = run_lessons.run_lessons()
    failed = [r.name for r in runs if r.status != "ok"]
    if failed or not runs:
        raise SystemExit(f"the lessons did not all run: {', '.join(failed) or 'none found'}")
    return {r.name: r.seconds for r in runs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs to take the best of")
    args = parser.parse_args(argv)

    floor = min(floor_seconds() for _ in range(args.repeat))
    best: dict[str, float] = {}
    for _ in range(args.repeat):
        for name, seconds in lesson_seconds().items():
            best[name] = min(seconds, best.get(name, seconds))
    # The budget is the English course's; make run executes the Spanish edition beside it.
    total = sum(seconds for name, seconds in best.items() if "/" not in name)

    print(f"{'lesson':<28} {'seconds':>8} {'over floor':>11}")
    for name, seconds in best.items():
        print(f"{name:<28} {seconds:8.1f} {seconds - floor:11.1f}")
    print(f"{'floor (kernel + imports)':<28} {floor:8.1f}")
    print(f"{'total, English lessons':<28} {total:8.1f}   budget {BUDGET_SECONDS:.0f} s")

    out = ROOT / "build" / "bench" / "lessons.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "floor_seconds": round(floor, 2),
        "lessons_seconds": {k: round(v, 2) for k, v in best.items()},
        "total_seconds": round(total, 2), "budget_seconds": BUDGET_SECONDS,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten: {out.relative_to(ROOT)}")
    return 0 if total <= BUDGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
