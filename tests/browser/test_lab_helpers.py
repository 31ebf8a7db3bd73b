"""The browser test's own judgement, without a browser: what counts as a failed lesson."""

from __future__ import annotations

from pathlib import Path

import nbformat

from .jupyterlab import copy_lessons
from .lab_page import unexecuted, unexpected_errors


def error_cell(tags: list[str]) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("1/0", execution_count=1, metadata={"tags": tags})
    cell.outputs = [nbformat.v4.new_output("error", ename="ZeroDivisionError",
                                           evalue="division by zero", traceback=[])]
    return cell


def test_errors_count_unless_the_cell_raises_on_purpose():
    nb = nbformat.v4.new_notebook(cells=[error_cell(["raises-exception"]), error_cell([])])
    assert unexpected_errors(nb) == ["cell 1: ZeroDivisionError: division by zero"]


def test_cells_left_unrun_are_reported():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 1", execution_count=1),
        nbformat.v4.new_code_cell("y = 2"),
        nbformat.v4.new_code_cell("   "),  # an empty cell has nothing to run
    ])
    assert unexecuted(nb) == [1]


def test_lessons_are_copied_without_outputs_and_originals_untouched(tmp_path: Path):
    source = tmp_path / "notebooks"
    source.mkdir()
    nb = nbformat.v4.new_notebook(cells=[error_cell([])], metadata={"widgets": {"x": {}}})
    nbformat.write(nb, source / "00_x.ipynb")
    before = (source / "00_x.ipynb").read_bytes()

    copy_lessons(source, tmp_path / "copy")
    copied = nbformat.read(tmp_path / "copy" / "00_x.ipynb", as_version=4)
    assert copied.cells[0].outputs == [] and copied.cells[0].execution_count is None
    assert "widgets" not in copied.metadata
    assert (source / "00_x.ipynb").read_bytes() == before
