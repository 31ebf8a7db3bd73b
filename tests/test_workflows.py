"""The GitHub workflow calls only commands that exist: entry-point subcommands, make targets."""

from __future__ import annotations

import re
import shlex

import yaml

from azure_llm_helpers.course.__main__ import RUNNERS
from azure_llm_helpers.course.layout import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "course.yml"
ENTRY = "python -m azure_llm_helpers.course"
SUBCOMMANDS = {*RUNNERS, "doctor", "wheelhouse"}


def run_lines() -> list[str]:
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    return [step["run"] for job in jobs.values() for step in job["steps"] if "run" in step]


def make_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([a-z][\w.-]*):", text, flags=re.MULTILINE))


def test_every_run_line_is_an_entry_point_subcommand_or_a_make_target():
    lines = run_lines()
    assert lines, f"{WORKFLOW.relative_to(ROOT)} runs nothing"
    for line in lines:
        words = shlex.split(line)
        if line.startswith(ENTRY):
            assert words[3] in SUBCOMMANDS, line
        else:
            assert words[0] == "make" and words[1] in make_targets(), line


def test_the_lessons_job_covers_the_three_systems_and_the_supported_pythons():
    job = yaml.safe_load(WORKFLOW.read_text())["jobs"]["lessons"]
    matrix = job["strategy"]["matrix"]
    assert {os.split("-")[0] for os in matrix["os"]} == {"ubuntu", "macos", "windows"}
    requires = re.search(r'requires-python = ">=3\.(\d+)"',
                         (ROOT / "pyproject.toml").read_text())
    assert requires, "pyproject.toml names no requires-python"
    assert min(int(v.split(".")[1]) for v in matrix["python"]) == int(requires.group(1))


def test_the_canary_runs_on_a_schedule():
    on = yaml.safe_load(WORKFLOW.read_text())[True]  # YAML 1.1 reads the key `on` as True
    assert on["schedule"], "the canary needs a nightly schedule"
    assert "make canary" in run_lines()

