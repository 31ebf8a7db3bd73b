"""A newcomer's first command: ``git clone`` to the first executed lesson. Budget: 40 s.

    python bench/first_command_bench.py

Clones this repository into a temporary folder and runs what the README's first screen
says, ``make run`` (lesson 00 only, no HTML edition, so the figure is "the first executed
lesson"), through the same entry point ``make`` calls. The package caches (uv's, pip's) are
this machine's own, so this is the warm-cache figure; the venv is always new. Prints the
install's and the lesson's share beside the total.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_S = 40.0
# The interpreter the newcomer has: outside any venv (make's python3), not the bench's venv.
PYTHON = getattr(sys, "_base_executable", sys.executable)
COMMAND = [PYTHON, "-m", "azure_llm_helpers.course", "run", "00", "--no-html"]


def main() -> int:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    with tempfile.TemporaryDirectory(prefix="first-command-") as tmp:
        clone = Path(tmp) / "course"
        started = time.perf_counter()
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        cloned = time.perf_counter() - started
        # A newcomer's shell: no venv of ours active.
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "COURSE_VENV")}
        run = subprocess.run(COMMAND, cwd=clone, env=env, capture_output=True, text=True)
        total = time.perf_counter() - started
    if run.returncode != 0:
        print(run.stdout, run.stderr, sep="\n")
        return 1
    install = re.search(r"installed into \S+ with (\w+) \((\d+) s\)", run.stdout + run.stderr)
    lesson = re.search(r"00_environment_setup\s+ok\s+([\d.]+)", run.stdout)
    print(f"load average {load:.1f} on {os.cpu_count()} CPUs\n")
    print("| step | seconds |\n| --- | --- |")
    print(f"| git clone | {cloned:.1f} |")
    if install:
        print(f"| venv and install ({install[1]}) | {install[2]} |")
    if lesson:
        print(f"| lesson 00 itself (each edition, side by side) | {lesson[1]} |")
    verdict = "ok" if total <= BUDGET_S else "OVER"
    print(f"| **clone to first executed lesson** | **{total:.1f}** (budget {BUDGET_S:.0f} s: "
          f"{verdict}) |")
    return 0 if total <= BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
