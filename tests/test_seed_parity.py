"""The seed page's commands (LangChain's Azure OpenAI integration page) stay in the lessons.

Learners search for exactly these lines; each must be in a code cell of the committed lessons,
executed, without an error, and the two outputs the seed page shows must be there too.
(``%pip install -U langchain-openai`` is the one command left to the README's make targets.)
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

# (what the seed page does, the lesson it lives in, a pattern for its line)
SEED_COMMANDS = [
    ("set the api version", "00", r'os\.environ\["OPENAI_API_VERSION"\]\s*='),
    ("set the endpoint", "00", r'os\.environ\["AZURE_OPENAI_ENDPOINT"\]\s*='),
    ("set the key", "00", r'os\.environ\["AZURE_OPENAI_API_KEY"\]\s*='),
    ("Azure AD: the api type", "01", r'os\.environ\["OPENAI_API_TYPE"\]\s*=\s*"azure_ad"'),
    ("Azure AD: the token as the key", "01", r'os\.environ\["OPENAI_API_KEY"\]\s*=\s*\w'),
    ("a token from DefaultAzureCredential", "01", r"DefaultAzureCredential\(\)"),
    ("the Cognitive Services scope", "01", r'"https://cognitiveservices\.azure\.com/\.default"'),
    ("get_token", "01", r"\.get_token\("),
    ("managed identity, then the CLI", "01",
     r"ChainedTokenCredential\(ManagedIdentityCredential\(\), AzureCliCredential\(\)\)"),
    ("a token provider", "01", r"azure_ad_token_provider="),
    ("openai's AzureOpenAI with an api version", "02", r"openai\.AzureOpenAI\(api_version="),
    ("a completion on a deployment", "02",
     r'client\.completions\.create\(model=\w+, prompt="Test prompt"\)'),
    ("LangChain's AzureOpenAI", "03", r"from langchain_openai import AzureOpenAI\b"),
    ("on a deployment", "03", r"AzureOpenAI\(deployment_name="),
    ("the joke", "03", r'llm\.invoke\("Tell me a joke"\)'),
    ("print the model", "03", r"^print\(llm\)$"),
]
# (lesson, pattern of the cell, what its output shows on the seed page)
SEED_OUTPUTS = [
    ("03", r'llm\.invoke\("Tell me a joke"\)', "two-tired"),
    ("03", r"^print\(llm\)$", "Params: {'deployment_name'"),
]


def lesson(prefix: str) -> nbformat.NotebookNode:
    path = next(NOTEBOOKS.glob(f"{prefix}_*.ipynb"))
    return nbformat.read(path, as_version=4)


def cells_matching(prefix: str, pattern: str) -> list:
    regex = re.compile(pattern, re.MULTILINE)
    return [c for c in lesson(prefix).cells if c.cell_type == "code" and regex.search(c.source)]


def output_text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        parts.append(out.get("text", "") if out.output_type == "stream"
                     else str(out.get("data", {}).get("text/plain", "")))
    return "".join(parts)


@pytest.mark.parametrize(("what", "prefix", "pattern"), SEED_COMMANDS,
                         ids=[c[0] for c in SEED_COMMANDS])
def test_seed_command_is_in_an_executed_code_cell(what: str, prefix: str, pattern: str):
    cells = cells_matching(prefix, pattern)
    assert cells, f"lesson {prefix} lost the seed page's line for: {what}"
    ran = [c for c in cells if c.execution_count
           and not any(o.output_type == "error" for o in c.get("outputs", []))]
    assert ran, f"the seed line for {what!r} is in lesson {prefix} but not executed cleanly"


@pytest.mark.parametrize(("prefix", "pattern", "shown"), SEED_OUTPUTS,
                         ids=[o[2][:12] for o in SEED_OUTPUTS])
def test_seed_outputs_are_shown(prefix: str, pattern: str, shown: str):
    cells = cells_matching(prefix, pattern)
    assert any(shown in output_text(c) for c in cells), f"lesson {prefix} no longer shows {shown!r}"


LOOPBACK_URL = re.compile(r"(127\.0\.0\.1|localhost|\[::1\]):\d{2,5}")


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")),
                         ids=lambda p: p.stem)
def test_committed_outputs_hold_no_mock_endpoint(path: Path):
    """A mock URL copied from an output into .env breaks the next live run (its port is gone)."""
    nb = nbformat.read(path, as_version=4)
    shown = [output_text(c) for c in nb.cells if c.cell_type == "code"]
    shown.append(str(nb.metadata.get("widgets", "")))
    leaks = [m.group(0) for text in shown for m in LOOPBACK_URL.finditer(text)]
    assert not leaks, f"{path.name} shows the mock's endpoint: {leaks[:3]}"
