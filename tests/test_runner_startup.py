"""The lesson runner starts without the optional imports that cost seconds and serve nothing.

``make run`` is the first command on a fresh clone: tools/_quick_imports.py keeps jsonschema
from compiling rfc3987-syntax's grammar and papermill from importing azure-identity for Azure
Blob paths. Checked in a fresh interpreter, as ``make run`` starts one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import json, sys
sys.path.insert(0, "tools")
import run_lessons, nbformat, jsonschema
nb = nbformat.read("notebooks/00_environment_setup.ipynb", 4)
nbformat.validate(nb)
print(json.dumps({"loaded": sorted(m for m in ("rfc3987_syntax", "azure.identity", "lark")
                                   if sys.modules.get(m) is not None),
                  "cells": len(nb.cells)}))
"""


def test_the_runner_skips_the_slow_optional_imports_and_still_validates_notebooks():
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["loaded"] == []
    assert found["cells"] > 5
