"""Each exercise runs right after the lesson's set-up, as a learner who jumps to it would.

For every exercise: a fresh namespace (``%reset -f``), the parameters cell, the cells tagged
``setup``, then the exercise's own cells: its checker, the learner's untouched attempt (which
must say "Not attempted yet", never raise) and the solution (which must be marked correct).
Each lesson's exercises run in one kernel of their own (tests/one_kernel.py), so the two test
workers share the lessons between them.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from .one_kernel import run_each

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def tags(cell) -> list[str]:
    return cell.metadata.get("tags", [])


def exercises(nb) -> list[tuple[list, object, object]]:
    """(checker cells, attempt cell, solution cell) for each solution in the lesson."""
    found = []
    for i, cell in enumerate(nb.cells):
        if "solution" not in tags(cell):
            continue
        attempt = nb.cells[i - 1]
        checkers, j = [], i - 2
        while j >= 0 and "checker" in tags(nb.cells[j]):
            checkers.insert(0, nb.cells[j])
            j -= 1
        found.append((checkers, attempt, cell))
    return found


def standalone_notebook(lesson: Path) -> tuple[nbformat.NotebookNode, list[tuple[int, int]]]:
    nb = nbformat.read(lesson, as_version=4)
    preamble = [c for c in nb.cells if c.cell_type == "code"
                and ({"parameters", "setup"} & set(tags(c)))]
    cells, marks = [], []
    for checkers, attempt, solution in exercises(nb):
        cells.append(nbformat.v4.new_code_cell("%reset -f"))
        cells += [nbformat.v4.new_code_cell(c.source) for c in preamble + checkers]
        marks.append((len(cells), len(cells) + 1))  # indexes of the attempt and the solution
        cells += [nbformat.v4.new_code_cell(attempt.source),
                  nbformat.v4.new_code_cell(solution.source)]
    out = nbformat.v4.new_notebook(cells=cells, metadata=nb.metadata)
    return out, marks


def text_of(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_lesson_has_a_setup_cell_and_exercises(lesson: Path):
    nb = nbformat.read(lesson, as_version=4)
    assert any("setup" in tags(c) for c in nb.cells), "tag the set-up cell 'setup'"
    assert exercises(nb), "each lesson has self-checking exercises"


@pytest.mark.notebooks
@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_each_exercise_runs_right_after_setup(lesson: Path, tmp_path: Path):
    # The standalone notebook's cells as they ran (up to the first error).
    cells = run_each({lesson.stem: standalone_notebook(lesson)[0].cells}, tmp_path)[lesson.stem]
    errors = [o for c in cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, f"{errors[0].ename}: {errors[0].evalue}" if errors else ""
    for attempt, solution in standalone_notebook(lesson)[1]:
        assert text_of(cells[attempt]).startswith("Not attempted yet"), text_of(cells[attempt])
        assert "Correct!" in text_of(cells[solution]), text_of(cells[solution])
