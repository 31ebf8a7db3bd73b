"""The package stays cheap to import and its public API is what __all__ says."""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys

import pytest

import azure_llm_helpers
from azure_llm_helpers import Secret

HEAVY = {"openai", "langchain_openai", "langchain_core", "azure", "jwt", "dotenv", "httpx",
         "httpx2", "tiktoken", "starlette", "uvicorn", "pydantic"}


def test_import_loads_no_heavy_library():
    code = "import sys, azure_llm_helpers; print(' '.join(sorted(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                            text=True).stdout.split()
    assert not {name.split(".")[0] for name in loaded} & HEAVY


def test_every_public_name_resolves_and_is_documented():
    assert sorted(azure_llm_helpers.__all__) == sorted(azure_llm_helpers._EXPORTS)
    for name in azure_llm_helpers.__all__:
        value = getattr(azure_llm_helpers, name)
        if callable(value):
            assert value.__doc__, f"{name} has no docstring"
    assert set(azure_llm_helpers.__all__) <= set(dir(azure_llm_helpers))
    with pytest.raises(AttributeError):
        azure_llm_helpers.no_such_name  # noqa: B018


def test_the_mock_subpackage_still_imports():
    from azure_llm_helpers.mock import MockServer

    assert MockServer


def test_a_secret_copies_but_never_pickles_or_prints():
    secret = Secret("0123456789abcdef0123456789abcdef")
    assert copy.deepcopy(secret) is secret
    assert "0123" not in f"{secret} {secret!r} {secret!s} {[secret]}"
    with pytest.raises(TypeError):
        pickle.dumps(secret)


@pytest.mark.parametrize("module", ["config", "auth", "clients", "diagnose", "_secret"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"azure_llm_helpers.{module}"))
    assert result.failed == 0
