"""The Spanish edition runs as the English one does, and prints the same: its code is the same.

nbval replays every committed Spanish lesson in a kernel started in notebooks/es/ (pyproject's
testpaths take in notebooks/es/) and compares its outputs; test_translation proves each
lesson's code identical to the English one (comments aside), whose other auth mode
test_lessons runs. What only a Spanish run can show is what the kernel's folder changes: the
widgets' labels. So the lessons with widgets run here once more, with their widget state kept.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import nbformat
import pytest

from .secret_scan import secrets_in_outputs

ROOT = Path(__file__).resolve().parent.parent
EDITION = ROOT / "notebooks" / "es"
LESSONS = sorted(EDITION.glob("[0-9][0-9]_*.ipynb"))


def with_widgets(folder: Path) -> list[Path]:
    return [p for p in sorted(folder.glob("[0-9][0-9]_*.ipynb"))
            if "ipywidgets" in p.read_text(encoding="utf-8")]


WIDGET_LESSONS = with_widgets(EDITION)


def test_every_translated_lesson_with_widgets_runs_here():
    english = [p.name for p in with_widgets(EDITION.parent) if (EDITION / p.name).is_file()]
    assert english and [p.name for p in WIDGET_LESSONS] == english


@pytest.mark.notebooks
@pytest.mark.parametrize("lesson", WIDGET_LESSONS, ids=[p.stem for p in WIDGET_LESSONS])
def test_spanish_lesson_runs_against_the_mock(lesson: Path, executed_lessons):
    run = executed_lessons.get(lesson)
    assert run.errors() == []
    assert secrets_in_outputs(run.path) == []
    text = run.path.read_text(encoding="utf-8")
    assert run.key not in text
    assert "widgets" in run.read().metadata, "the widget state is saved"
    labels = re.findall(r"\"description\": \"([^\"]+)\"", text)
    assert "Implementación" in labels, "the widgets label themselves in Spanish"


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_committed_spanish_lesson_is_executed_and_secret_free(lesson: Path):
    nb = nbformat.read(lesson, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "commit outputs with `make notebooks`"
    assert "papermill" not in nb.metadata, "run `make notebooks`, not papermill by hand"
    assert secrets_in_outputs(lesson) == []


def _sanitizers() -> list[tuple[re.Pattern, str]]:
    config = configparser.ConfigParser(interpolation=None)
    config.read(ROOT / "tests" / "nbval_sanitize.cfg")
    return [(re.compile(config[s]["regex"]), config[s]["replace"]) for s in config.sections()]


def printed(path: Path) -> dict[str, str]:
    """Each code cell's printed text (streams joined: their chunking varies; errors), as nbval
    sanitizes it."""
    subs = _sanitizers()
    found = {}
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        text = "".join(o.get("text", "") or o.get("evalue", "") for o in cell.outputs
                       if o.output_type in ("stream", "error"))
        for pattern, replace in subs:
            text = pattern.sub(replace, text)
        found[cell.id] = text
    return found


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_the_editions_print_the_same(lesson: Path):
    english, spanish = printed(EDITION.parent / lesson.name), printed(lesson)
    differ = [cell for cell in english if english[cell] != spanish.get(cell)]
    assert differ == [], f"{lesson.stem}: cells printing differently {differ}"
