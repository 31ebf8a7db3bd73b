"""Every lesson executes headless with papermill against the mock, in a fresh kernel, in each
auth mode but its default one.

nbval (pyproject's testpaths, --nbval) already executes every committed lesson in its default
parameters (mode='mock', auth='key') and compares each output with the committed one, which
test_committed_lesson_is_valid_executed_and_secret_free scans for secrets: a papermill run in
those parameters would prove nothing more. The other auth mode has no committed outputs, so it
runs here, once per session (tests/executed_lessons.py, shared with whoever else reads it).
"""

from __future__ import annotations

import ast
import json
import os
import sys
from pathlib import Path

import nbformat
import pytest

from .secret_scan import secrets_in_outputs

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
sys.path.insert(0, str(ROOT / "tools"))
import lesson_links  # noqa: E402

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
    """(lesson, auth) for every auth mode a lesson takes but its default one."""
    cases = []
    for lesson in LESSONS:
        params = parameters_of(lesson)
        if "auth" in params:
            cases += [pytest.param(lesson, auth, id=f"{lesson.stem}-{auth}")
                      for auth in AUTH_MODES if auth != params["auth"]]
    return cases


def test_there_are_lessons():
    assert LESSONS, "no lessons found in notebooks/"


@pytest.mark.notebooks
@pytest.mark.parametrize(("lesson", "auth"), runs())
def test_lesson_runs_against_the_mock(lesson: Path, auth: str, executed_lessons):
    run = executed_lessons.get(lesson, auth)
    nbformat.validate(run.read())
    assert run.errors() == []  # a checked solution that fails raises, so exercises pass too
    assert secrets_in_outputs(run.path) == []
    assert run.key not in run.path.read_text(encoding="utf-8")


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


# --- How every lesson is built (the checklist, checked) -----------------------------

def _cells(lesson: Path) -> list[dict]:
    return json.loads(lesson.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_opens_with_title_purpose_goals_time_and_prerequisites(lesson: Path):
    first = _cells(lesson)[0]
    text = _source(first)
    assert first["cell_type"] == "markdown"
    assert text.startswith(f"# {lesson.stem[:2]} · "), "title: '# NN · Title'"
    for part in ("**Purpose:**", "**You will learn**", "**Time:**", "**Prerequisites:**"):
        assert part in text, f"the opening cell lacks {part}"


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_ends_with_a_recap_then_its_links(lesson: Path):
    cells = _cells(lesson)
    assert "## Recap" in _source(cells[-2])
    assert lesson_links.LINKS_TAG in cells[-1]["metadata"].get("tags", [])


def test_every_lessons_links_follow_the_lesson_order():
    assert lesson_links.stale() == [], "run `python tools/lesson_links.py`"
    following = _source(_cells(LESSONS[0])[-1])
    assert f"({LESSONS[1].name})" in following and "Previous" not in following


def test_links_go_stale_when_a_lesson_is_added_and_the_tool_rewrites_them(tmp_path: Path):
    course = tmp_path / "notebooks"
    spanish = course / "es"
    spanish.mkdir(parents=True)
    for folder, names in ((course, ("00_a", "01_b")), (spanish, ("00_a", "01_b"))):
        for name in names:
            nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# {name}")])
            nbformat.write(nb, folder / f"{name}.ipynb")
    assert len(lesson_links.stale(course)) == 4  # no links cell yet
    lesson_links.update(course)
    assert lesson_links.stale(course) == []
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 02 · c")]),
                   course / "02_c.ipynb")
    assert lesson_links.stale(course) == [course / "01_b.ipynb", course / "02_c.ipynb"]
    lesson_links.update(course)
    middle = nbformat.read(course / "01_b.ipynb", as_version=4).cells[-1].source
    assert middle == ("**Previous:** [00_a](00_a.ipynb) · **Next:** [02 · c](02_c.ipynb)")
    spanish_links = nbformat.read(spanish / "00_a.ipynb", as_version=4).cells[-1].source
    assert spanish_links == "**Siguiente:** [01_b](01_b.ipynb)"  # its own order and words


def test_nbval_kernels_talk_over_unix_sockets_not_tcp_ports():
    from nbval.kernel import RunningKernel

    kernel = RunningKernel("python3", cwd=str(NOTEBOOKS))
    try:
        expected = "tcp" if os.name == "nt" else "ipc"
        assert kernel.km.transport == expected
        assert kernel.km.connection_file and Path(kernel.km.connection_file).is_file()
    finally:
        kernel.stop()


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_one_parameters_cell_of_literals_and_no_secrets(lesson: Path):
    cells = [c for c in _cells(lesson) if "parameters" in c["metadata"].get("tags", [])]
    assert len(cells) == 1
    tree = ast.parse(_source(cells[0]))
    for node in tree.body:
        assert isinstance(node, ast.Assign), f"only assignments, not {ast.dump(node)[:60]}"
        ast.literal_eval(node.value)  # raises if not a literal
        name = node.targets[0].id
        assert not any(s in name for s in ("key", "token", "secret", "password")), name
    params = parameters_of(lesson)
    assert params.get("mode") == "mock"
    assert params.get("auth", "key") in AUTH_MODES


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_exercise_has_a_collapsed_checked_solution(lesson: Path):
    cells = _cells(lesson)
    for i, cell in enumerate(cells):
        tags = cell["metadata"].get("tags", [])
        if "solution" in tags:
            assert cell["metadata"].get("jupyter", {}).get("source_hidden") is True
            assert "strict=True" in _source(cell) or "assert " in _source(cell), \
                "a solution must be checked, so a headless run proves it"
            attempt = _source(cells[i - 1])
            assert "..." in attempt, "the learner's cell before a solution starts at `...`"


# --- The exercise checker ---------------------------------------------------------------

def test_checker_says_not_attempted_wrong_and_right(capsys):
    from azure_llm_helpers.exercises import NotAttempted, check

    def is_three(x):
        if x is None:
            raise NotAttempted("the function returns None")
        return None if x == 3 else f"{x} is not three"

    check(..., is_three)
    check(None, is_three)
    check(4, is_three)
    check(3, is_three)
    check("3", lambda a: 1 / 0)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Not attempted yet: replace `...`")
    assert lines[1] == "Not attempted yet: the function returns None"
    assert lines[2] == "Not yet: 4 is not three"
    assert lines[3] == "Correct!"
    assert lines[4] == "Not yet: your answer raised ZeroDivisionError: division by zero"


def test_checker_in_strict_mode_fails_a_wrong_or_missing_solution():
    from azure_llm_helpers.exercises import check

    with pytest.raises(AssertionError, match="not three"):
        check(4, lambda x: None if x == 3 else "not three", strict=True)
    with pytest.raises(AssertionError, match="replace"):
        check(..., lambda x: None, strict=True)


def test_secret_scan_ignores_widget_ids_but_not_a_key_beside_them(tmp_path: Path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    widget = nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {
            "model_id": "6ee2e82d87264ce2a33de42b09b053a8", "version_major": 2,
            "version_minor": 0},
        "text/plain": "VBox()"})
    nb.cells[0].outputs = [widget]
    path = tmp_path / "widget.ipynb"
    nbformat.write(nb, path)
    assert secrets_in_outputs(path) == []
    widget["data"]["text/plain"] = "VBox() 0123456789abcdef0123456789abcdef"
    nbformat.write(nb, path)
    assert secrets_in_outputs(path) != []
