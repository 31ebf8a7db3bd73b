"""What each install brings, and the two ways of installing the course not drifting apart.

``pip install azure-llm-helpers`` is the helpers and their SDKs; ``[mock]`` adds the local
server, ``[course]`` JupyterLab and the lesson runners (and the mock), ``[dev]`` the test
tools too. ``environment.yml`` (conda, Binder) installs what ``[course]`` does.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "azure_llm_helpers"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
SELF = PROJECT["name"]
# conda-forge spells a few packages differently or splits extras into packages.
CONDA_EXTRAS = {"cryptography": "pyjwt[crypto]"}


def _split(requirement: str) -> tuple[str, str]:
    match = re.match(r"\s*([A-Za-z0-9_.\-]+(?:\[[^\]]+\])?)\s*(.*)", requirement)
    assert match, requirement
    name, spec = match.groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def requirements(extra: str | None = None) -> dict[str, str]:
    """name[extras] -> range for the base install plus ``extra``, the extras it names included."""
    found = dict(_split(r) for r in PROJECT["dependencies"])
    todo = [extra] if extra else []
    while todo:
        for requirement in PROJECT["optional-dependencies"][todo.pop()]:
            name, spec = _split(requirement)
            if name.startswith(f"{SELF}["):  # an extra that brings another extra
                todo += name[len(SELF) + 1:-1].split(",")
            else:
                found[name] = spec
    return found


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


def test_environment_yml_names_the_same_packages_and_ranges_as_the_course_extra():
    course = requirements("course")
    conda = environment_requirements()
    for conda_name, pip_name in CONDA_EXTRAS.items():
        if pip_name in course:
            assert conda.pop(conda_name, None) is not None, \
                f"environment.yml lacks {conda_name} (for {pip_name})"
    ranges: dict[str, str] = {}
    for name, spec in course.items():
        base = name.split("[")[0]
        assert ranges.setdefault(base, spec) == spec, f"{base} has two ranges in pyproject.toml"
    assert conda == ranges


def test_environment_yml_installs_the_course_itself():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section
    assert "conda-forge" in env["channels"]


def test_each_install_is_a_superset_of_the_one_before():
    base, mock, course, dev = (set(requirements(e)) for e in (None, "mock", "course", "dev"))
    assert base < mock < course < dev
    assert not {"jupyterlab", "papermill", "nbval", "uvicorn", "starlette"} & base
    assert {"pytest", "ruff"} <= dev - course


def _imported_distributions(files: list[Path]) -> dict[str, set[str]]:
    """Third-party module imported -> the installed distributions that provide it."""
    providers = packages_distributions()
    modules: set[str] = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    modules -= set(sys.stdlib_module_names) | {PACKAGE.name}
    return {m: {d.lower() for d in providers.get(m, [])} for m in modules}


def _installable(extra: str | None) -> set[str]:
    names = {name.split("[")[0] for name in requirements(extra)}
    # An extra such as pyjwt[crypto] brings the package conda lists on its own.
    return names | {conda for conda, pip in CONDA_EXTRAS.items() if pip in requirements(extra)}


def test_the_helpers_import_only_the_base_install():
    allowed = _installable(None)
    helpers = [p for p in PACKAGE.glob("*.py")]
    for module, providers in _imported_distributions(helpers).items():
        assert providers & allowed, f"the helpers import {module}, not in the base install"


def test_the_mock_imports_only_the_base_install_and_its_extra():
    allowed = _installable("mock")
    for module, providers in _imported_distributions(list((PACKAGE / "mock").rglob("*.py"))
                                                     ).items():
        assert providers & allowed, f"the mock imports {module}, not in [mock]"


def test_every_package_data_pattern_ships_a_file():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    for pattern in config["package-data"]["azure_llm_helpers"]:
        assert any(p.is_file() for p in PACKAGE.glob(pattern)), f"{pattern} matches no file"


def test_the_mock_without_its_extra_says_which_extra_to_install():
    # uvicorn blocked as if `pip install azure-llm-helpers` had been run without [mock].
    code = ("import sys; sys.modules['uvicorn'] = None\n"
            "import azure_llm_helpers.mock")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert "[mock]" in last and "'uvicorn'" in last, last
