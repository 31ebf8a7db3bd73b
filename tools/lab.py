"""Start the mock Azure OpenAI endpoint, then JupyterLab on the course, pointed at it.

    python tools/lab.py [--port 8888] [extra jupyter-lab arguments]

Learners' kernels inherit the environment, so every lesson finds the mock already running.
Ctrl-C stops both.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from azure_llm_helpers.mock import MockServer

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    with MockServer() as mock:
        env = {**os.environ, **mock.env}
        print(f"Azure OpenAI mock running at {mock.url}; starting JupyterLab...", flush=True)
        command = [sys.executable, "-m", "jupyter", "lab", str(ROOT / "notebooks"), *argv]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        try:
            return subprocess.call(command, env=env, cwd=ROOT)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
