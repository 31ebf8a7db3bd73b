"""Every lesson executes headless with papermill against the mock, in a fresh kernel.

Lessons that take an ``auth`` parameter run once per auth mode.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import papermill
import pytest

from .secret_scan import secrets_in_outputs

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
AUTH_MODES = ("key", "aad")


def parameters_of(lesson: Path) -> dict[str, object]:
    nb = json.loads(lesson.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    tree = ast.parse("".join(cell["source"]))
    return {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in tree.body if isinstance(node, ast.Assign)
    }


def runs() -> list:
    cases = []
    for lesson in LESSONS:
        params = parameters_of(lesson)
        modes = AUTH_MODES if "auth" in params else (None,)
        for auth in modes:
            extra = {"auth": auth} if auth else {}
            name = lesson.stem + (f"-{auth}" if auth else "")
            cases.append(pytest.param(lesson, extra, id=name))
    return cases


def test_there_are_lessons():
    assert LESSONS, "no lessons found in notebooks/"


@pytest.mark.notebooks
@pytest.mark.parametrize(("lesson", "parameters"), runs())
def test_lesson_runs_against_the_mock(lesson: Path, parameters: dict, tmp_path: Path):
    output = tmp_path / lesson.name
    papermill.execute_notebook(
        str(lesson), str(output), parameters={"mode": "mock", **parameters},
        cwd=str(NOTEBOOKS), kernel_name="python3", progress_bar=False,
    )
    executed = nbformat.read(output, as_version=4)
    nbformat.validate(executed)
    errors = [
        o for c in executed.cells if c.cell_type == "code"
        and "raises-exception" not in c.metadata.get("tags", [])
        for o in c.get("outputs", []) if o.output_type == "error"
    ]
    assert not errors
    assert secrets_in_outputs(output) == []


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_committed_lesson_is_valid_executed_and_secret_free(lesson: Path):
    nb = nbformat.read(lesson, as_version=4)
    nbformat.validate(nb)
    assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "commit outputs with `make notebooks`"
    assert "papermill" not in nb.metadata, "run `make notebooks`, not papermill by hand"
    assert secrets_in_outputs(lesson) == []


def test_secret_scan_finds_a_key_and_a_token(tmp_path: Path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    nb.cells[0].outputs = [nbformat.v4.new_output(
        "stream", name="stdout",
        text="key 0123456789abcdef0123456789abcdef and "
        "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwcyJ9.sig",
    )]
    path = tmp_path / "leaky.ipynb"
    nbformat.write(nb, path)
    found = secrets_in_outputs(path)
    assert any("32 hex" in f for f in found) and any("JWT" in f for f in found)
