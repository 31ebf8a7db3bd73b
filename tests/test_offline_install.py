"""The USB-stick plan, end to end: a wheelhouse for this platform, then a fresh venv made
with --no-index from it alone, then lesson 00 executed in that venv against the mock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from azure_llm_helpers.course.layout import ROOT, Venv

pytestmark = pytest.mark.room


def course(*args: str, env: dict[str, str], timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "azure_llm_helpers.course", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=timeout)


def test_a_wheelhouse_installs_the_course_offline_and_lesson_00_runs(tmp_path: Path):
    wheels, fresh = tmp_path / "wheelhouse", Venv(tmp_path / "venv")
    env = {**os.environ, "COURSE_WHEELHOUSE": str(wheels)}
    env.pop("COURSE_VENV", None)

    built = course("wheelhouse", "--platform", "here", env=env)
    assert built.returncode == 0, built.stderr
    assert any(wheels.glob("uv-*.whl")) and any(wheels.glob("openai-*.whl"))

    installed = course("--venv", str(fresh.path), "--offline", "install", env=env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    stamp = json.loads(fresh.stamp.read_text())
    assert stamp["installer"] == "uv"  # offline takes the same path as online

    out = tmp_path / "00.ipynb"
    ran = subprocess.run(
        [str(fresh.python), "-m", "papermill", "--cwd", str(ROOT / "notebooks"), "-k", "python3",
         "--no-progress-bar", str(ROOT / "notebooks" / "00_environment_setup.ipynb"), str(out)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert ran.returncode == 0, ran.stderr[-3000:]
    outputs = json.dumps([c.get("outputs", []) for c in nbformat.read(out, 4).cells])
    assert "two-tired" in outputs
