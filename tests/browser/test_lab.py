"""The lessons whose widgets matter, opened and run in JupyterLab in headless Chromium.

What only a browser shows is JupyterLab, the widgets and the notebook front end at work:
headless runs (nbval, test_lessons) already prove every lesson's code. So the lessons with a
widget driver run here (00's configuration form, 03's playground; test_lab_spanish adds the
Spanish playground), on one JupyterLab server, one browser and one page for the session
(JupyterLab loads once; each lesson opens through File > Open from Path...).

Per lesson: open it in a fresh workspace, Run All, wait for the kernel to go idle, save,
assert no unexpected error output, drive its widgets and keep a screenshot in
build/screenshots/. A notebook with a failing cell shows that the same steps can fail.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

from . import lab_page, widget_drivers
from .conftest import ROOT

pytestmark = pytest.mark.browser  # one worker runs both JupyterLab files (conftest.py)

LESSONS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")
                 if p.name[:2] in widget_drivers.DRIVERS)


@pytest.mark.parametrize("notebook", LESSONS, ids=[Path(n).stem for n in LESSONS])
def test_lesson_runs_in_jupyterlab(page, lab, screenshots: Path, notebook: str):
    stem = Path(notebook).stem
    try:
        lab_page.open_lesson(page, lab, notebook)
        lab_page.run_all(page)
        saved = lab_page.save_when_run(page, lab.notebooks / notebook)

        assert lab_page.unexpected_errors(saved) == []
        assert lab_page.unexecuted(saved) == [], "Run All stopped early"

        drive: Callable = widget_drivers.DRIVERS[stem[:2]]
        drive(page, lab, screenshots / stem)
    except Exception:
        # What the learner would have seen when it went wrong, for the CI log's reader.
        page.screenshot(path=str(screenshots / f"FAILED-{stem}.png"))
        raise
    lab_page.screenshot(page, screenshots / f"{stem}.png")


def test_a_widget_driver_for_every_lesson_with_widgets():
    with_widgets = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")
                          if "ipywidgets" in p.read_text(encoding="utf-8"))
    assert with_widgets and with_widgets == LESSONS


def test_a_failing_cell_fails_the_run(page, lab):
    """The shared server and browser still see an error and the cells it left unrun."""
    notebook = "failing.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("print('before')"),
        nbformat.v4.new_code_cell("1 / 0"),
        nbformat.v4.new_code_cell("print('never')"),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}}), lab.notebooks / notebook)
    try:
        lab_page.open_lesson(page, lab, notebook)
        lab_page.run_all(page)
        saved = lab_page.save(page, lab.notebooks / notebook)
    finally:
        (lab.notebooks / notebook).unlink(missing_ok=True)
    assert lab_page.unexpected_errors(saved) == ["cell 1: ZeroDivisionError: division by zero"]
    assert lab_page.unexecuted(saved) == [2]
