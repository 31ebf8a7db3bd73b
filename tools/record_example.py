"""Re-make the example recording in recordings/lesson03/ (no subscription needed).

    python tools/record_example.py [DIR]      # DIR defaults to recordings/lesson03

A second mock stands in for the Azure resource: lesson 03 runs live, through the
recording proxy (``tools/run_lessons.py --record``), against it.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import run_lessons  # noqa: E402

from azure_llm_helpers._constants import EnvironmentVariables as Env  # noqa: E402
from azure_llm_helpers.mock import MockServer  # noqa: E402

TARGET = ROOT / "recordings" / "lesson03"


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else TARGET
    for name in list(os.environ):
        if name.startswith(("AZURE_OPENAI_", "OPENAI_", "IDENTITY_")):
            del os.environ[name]
    shutil.rmtree(target, ignore_errors=True)
    with MockServer() as upstream:
        # A learner's live set-up: their own key, the proxy's endpoint (run_lessons sets it).
        os.environ[Env.AZURE_OPENAI_API_KEY] = upstream.config.api_key
        for kind in ("COMPLETIONS", "CHAT", "EMBEDDINGS"):  # and their deployment names
            name = f"AZURE_OPENAI_{kind}_DEPLOYMENT"
            os.environ[name] = upstream.env[name]
        return run_lessons.main(["--record", str(target), "--upstream", upstream.url,
                                 "--no-html", "03"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
