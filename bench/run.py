"""Every performance figure the README quotes, one script after another.

    python bench/run.py        # or: make bench

Each script prints its own table; run them one at a time on a quiet machine.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SCRIPTS = ["mock_bench.py", "import_bench.py", "lessons_bench.py", "recording_bench.py",
           "room_bench.py", "first_command_bench.py", "suite_bench.py"]


def main() -> int:
    failed = []
    for script in SCRIPTS:
        print(f"\n## {script}\n", flush=True)
        if subprocess.call([sys.executable, str(BENCH / script)]) != 0:
            failed.append(script)
    if failed:
        print(f"\nover budget or failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
