"""Every lesson, opened and run in JupyterLab in headless Chromium, against the mock.

Per lesson: open it in a fresh workspace, Run All, wait for the kernel to go idle, save,
assert no unexpected error output, drive its widgets (if any) and keep a screenshot in
build/screenshots/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from . import lab_page, widget_drivers
from .conftest import ROOT

pytestmark = pytest.mark.browser

LESSONS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture
def page(chromium, lab) -> Iterator[object]:
    page = chromium.new_page()
    try:
        yield page
    finally:
        page.close()
        lab.shutdown_kernels()


@pytest.mark.parametrize("notebook", LESSONS, ids=[Path(n).stem for n in LESSONS])
def test_lesson_runs_in_jupyterlab(page, lab, screenshots: Path, notebook: str):
    stem = Path(notebook).stem
    try:
        lab_page.open_lesson(page, lab, notebook)
        lab_page.run_all(page)
        saved = lab_page.save(page, lab.notebooks / notebook)

        assert lab_page.unexpected_errors(saved) == []
        assert lab_page.unexecuted(saved) == [], "Run All stopped early"

        drive: Callable | None = widget_drivers.DRIVERS.get(stem[:2])
        if drive is not None:
            drive(page, lab, screenshots / stem)
    except Exception:
        # What the learner would have seen when it went wrong, for the CI log's reader.
        page.screenshot(path=str(screenshots / f"FAILED-{stem}.png"))
        raise
    lab_page.screenshot(page, screenshots / f"{stem}.png")
