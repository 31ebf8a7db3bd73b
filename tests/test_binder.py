"""Binder (repo2docker): what it reads agrees with pyproject.toml, and `start` runs the mock."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from azure_llm_helpers.course.layout import ROOT, scripts_dir

# repo2docker reads a binder/ or .binder/ folder *instead of* the root's files: there must be
# none, or environment.yml and start would be silently ignored.
ROOT_ONLY = ("binder", ".binder")


def pip_section() -> list[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    return next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))


def test_repo2docker_reads_the_root_files():
    for folder in ROOT_ONLY:
        assert not (ROOT / folder).exists(), f"{folder}/ would hide environment.yml and start"
    assert (ROOT / "environment.yml").is_file()


def test_environment_yml_installs_the_course_with_extras_pyproject_defines():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    editable = [e for e in pip_section() if e.startswith("-e")]
    assert len(editable) == 1, editable
    match = re.fullmatch(r"-e \.(?:\[([\w,\s-]+)\])?", editable[0])
    assert match, f"{editable[0]!r}: expected -e . or -e .[extras]"
    extras = {e.strip() for e in (match.group(1) or "").split(",") if e.strip()}
    assert extras <= set(project.get("optional-dependencies", {})), extras
    py = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    assert f"python>={project['requires-python'].removeprefix('>=')}" in py


def test_start_is_executable_and_ends_by_running_the_server():
    start = ROOT / "start"
    assert os.access(start, os.X_OK)
    text = start.read_text()
    assert text.startswith("#!/bin/bash") and text.rstrip().endswith('exec "$@"')
    assert "python -m azure_llm_helpers.mock" in text


def test_the_readme_badge_opens_a_lesson_that_exists():
    readme = (ROOT / "README.md").read_text()
    badge = re.search(r"\(https://mybinder\.org/v2/[^)]*urlpath=lab/tree/([^)&\s]+)\)", readme)
    assert badge, "README has no Binder badge"
    assert (ROOT / badge.group(1)).is_file(), badge.group(1)


@pytest.mark.skipif(shutil.which("bash") is None, reason="repo2docker's start is a bash script")
def test_start_leaves_a_running_mock_for_the_server_it_execs():
    env = {**os.environ, "PATH": f"{scripts_dir(Path(sys.prefix))}{os.pathsep}{os.environ['PATH']}"}
    for name in ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_MOCK_URL"):
        env.pop(name, None)
    probe = ("from azure_llm_helpers import load_settings, check_connection; "
             "print(check_connection(load_settings()).ok)")
    child = subprocess.Popen(["bash", str(ROOT / "start"), sys.executable, "-c", probe], cwd=ROOT,
                             env=env, stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, _ = child.communicate(timeout=120)
    finally:
        with contextlib.suppress(ProcessLookupError):  # the mock start left in the background
            os.killpg(child.pid, signal.SIGTERM)
    assert child.returncode == 0 and out.strip() == "True", out
