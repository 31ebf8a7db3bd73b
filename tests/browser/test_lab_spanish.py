"""One Spanish lesson in JupyterLab: it runs, and its playground speaks Spanish.

The lesson (notebooks/es/03_langchain.ipynb) runs in a kernel started in notebooks/es/, so
the playground labels itself in Spanish; a prompt typed in Spanish gets the mock's Spanish
answer, the same one the SDK gets.
"""

from __future__ import annotations

import pytest

from azure_llm_helpers.mock.language import detect

from . import lab_page, widget_drivers
from .conftest import ROOT

pytestmark = pytest.mark.browser

LESSON = "es/03_langchain.ipynb"


def test_a_spanish_lesson_runs_and_its_playground_speaks_spanish(page, lab, screenshots):
    assert (ROOT / "notebooks" / LESSON).is_file()
    shot = screenshots / "es-03_langchain"
    try:
        lab_page.open_lesson(page, lab, LESSON)
        lab_page.run_all(page)
        saved = lab_page.save_when_run(page, lab.notebooks / LESSON)
        assert lab_page.unexpected_errors(saved) == []
        assert lab_page.unexecuted(saved) == [], "Run All stopped early"
        widget_drivers.playground(page, lab, shot, language="es")
        answer = page.locator(".widget-output").last.inner_text().strip()
        assert detect(answer) == "es", answer
    except Exception:
        page.screenshot(path=str(screenshots / "FAILED-es-03_langchain.png"))
        raise
    lab_page.screenshot(page, screenshots / "es-03_langchain.png")
