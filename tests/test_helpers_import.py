"""The package stays cheap to import and its public API is what __all__ says."""

from __future__ import annotations

import copy
import inspect
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest

import azure_llm_helpers
from azure_llm_helpers import Secret

ROOT = Path(__file__).resolve().parent.parent

HEAVY = {"openai", "langchain_openai", "langchain_core", "azure", "jwt", "dotenv", "httpx",
         "httpx2", "tiktoken", "starlette", "uvicorn", "pydantic"}


def test_import_loads_no_heavy_library():
    code = "import sys, azure_llm_helpers; print(' '.join(sorted(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                            text=True).stdout.split()
    assert not {name.split(".")[0] for name in loaded} & HEAVY


def test_every_public_name_resolves_and_is_documented():
    for name in azure_llm_helpers.__all__:
        value = getattr(azure_llm_helpers, name)
        if callable(value):
            assert value.__doc__, f"{name} has no docstring"
    assert set(azure_llm_helpers.__all__) <= set(dir(azure_llm_helpers))
    with pytest.raises(AttributeError):
        azure_llm_helpers.no_such_name  # noqa: B018


def test_each_public_class_and_function_is_declared_with_the_module_defining_it():
    # Declared under a module that only re-imports it, a name would load the wrong module.
    for module, names in azure_llm_helpers._EXPORTS.items():
        for name in names:
            value = getattr(azure_llm_helpers, name)
            if inspect.isclass(value) or inspect.isfunction(value):
                assert value.__module__ == f"azure_llm_helpers.{module}", name


def test_private_modules_are_marked_and_public_ones_are_what_lessons_import():
    package = Path(azure_llm_helpers.__file__).parent
    modules = {p.stem for p in package.glob("*.py") if p.stem != "__init__"}
    modules |= {p.parent.name for p in package.glob("*/__init__.py")}
    public = {m for m in modules if not m.startswith("_")}
    lessons = " ".join(p.read_text(encoding="utf-8") for p in ROOT.glob("notebooks/**/*.ipynb"))
    imported = set(re.findall(r"azure_llm_helpers\.(\w+)", lessons))
    # course: the commands behind make (python -m azure_llm_helpers.course), not imported
    assert public == {"auth", "course", "exercises", "lesson", "lesson_language", "mock"}
    assert imported and imported <= public, imported - public


def test_a_secret_copies_but_never_pickles_or_prints():
    secret = Secret("0123456789abcdef0123456789abcdef")
    assert copy.deepcopy(secret) is secret
    assert "0123" not in f"{secret} {secret!r} {secret!s} {[secret]}"
    with pytest.raises(TypeError):
        pickle.dumps(secret)


@pytest.mark.parametrize("module", ["_config", "_checks", "auth", "_clients", "_diagnose",
                                    "_secret", "exercises"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"azure_llm_helpers.{module}"))
    assert result.failed == 0
