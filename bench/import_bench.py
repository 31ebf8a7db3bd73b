"""How much does ``import azure_llm_helpers`` cost? Budget: 0.15 s over a bare interpreter.

    python -m azure_llm_helpers.course python bench/import_bench.py [--runs N]

Each figure is the median wall time of N fresh interpreters (``python -c ...``), the cases
taking turns; the bare interpreter's start-up is measured the same way and subtracted.
Also lists which heavy libraries the import loaded (none: they load on first use).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

BUDGET_S = 0.15
ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("openai", "langchain_openai", "langchain_core", "azure", "jwt", "dotenv", "httpx",
         "httpx2", "tiktoken", "starlette", "uvicorn", "pydantic")
CASES = {
    "bare interpreter": "pass",
    "import azure_llm_helpers": "import azure_llm_helpers",
    "… and load_settings": "from azure_llm_helpers import load_settings",
    "import openai (for scale)": "import openai",
}


def timed(cases: dict[str, str], runs: int) -> dict[str, float]:
    """Median seconds per case; cases alternate within each round so drift hits all alike."""
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, code in cases.items():
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
            samples[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in samples.items()}


def heavy_modules_loaded() -> list[str]:
    code = ("import sys, azure_llm_helpers; "
            f"print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))")
    out = subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT,
                         capture_output=True, text=True).stdout
    return out.split()


def importtime_self_report() -> float:
    """Seconds Python's own -X importtime attributes to the package (cumulative)."""
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", "import azure_llm_helpers"],
                         check=True, cwd=ROOT, capture_output=True, text=True).stderr
    for line in err.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 3 and parts[2] == "azure_llm_helpers":
            return int(parts[1]) / 1e6
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    timed(CASES, 1)  # warm the file cache
    figures = timed(CASES, args.runs)
    bare = figures["bare interpreter"]
    print(f"median of {args.runs} fresh interpreters ({sys.executable})")
    for name, seconds in figures.items():
        extra = "" if name == "bare interpreter" else f"   (+{seconds - bare:.3f} s)"
        print(f"  {name:<28} {seconds:.3f} s{extra}")
    cost = figures["import azure_llm_helpers"] - bare
    print(f"python -X importtime, azure_llm_helpers cumulative: {importtime_self_report():.4f} s")
    heavy = heavy_modules_loaded()
    print(f"heavy libraries loaded by the import: {', '.join(heavy) or 'none'}")
    verdict = "within" if cost <= BUDGET_S else "OVER"
    print(f"import cost {cost:.3f} s: {verdict} the {BUDGET_S:.2f} s budget")
    return 0 if cost <= BUDGET_S and not heavy else 1


if __name__ == "__main__":
    sys.exit(main())
