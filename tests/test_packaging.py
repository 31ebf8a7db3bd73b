"""The two ways of installing the course must not drift apart."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# conda-forge spells a few packages differently or splits extras into packages.
CONDA_EXTRAS = {"cryptography": "pyjwt[crypto]"}


def _split(requirement: str) -> tuple[str, str]:
    match = re.match(r"\s*([A-Za-z0-9_.\-]+(?:\[[^\]]+\])?)\s*(.*)", requirement)
    assert match, requirement
    name, spec = match.groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def pyproject_requirements() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return dict(_split(r) for r in data["project"]["dependencies"])


def environment_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    found: dict[str, str] = {}
    for dep in env["dependencies"]:
        entries = dep["pip"] if isinstance(dep, dict) else [dep]
        for entry in entries:
            if entry.startswith("-e") or entry.split(">")[0].split("=")[0] in ("python", "pip"):
                continue
            name, spec = _split(entry)
            found[name] = spec
    return found


def test_environment_yml_names_the_same_packages_and_ranges_as_pyproject():
    pyproject = pyproject_requirements()
    conda = environment_requirements()
    for conda_name, pip_name in CONDA_EXTRAS.items():
        assert conda_name in conda, f"environment.yml lacks {conda_name} (for {pip_name})"
        conda.pop(conda_name)
    pyproject = {name.split("[")[0]: spec for name, spec in pyproject.items()}
    assert conda == pyproject


def test_environment_yml_installs_the_course_itself():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section
    assert "conda-forge" in env["channels"]
