"""The Spanish edition runs as the English one does, and prints the same: its code is the same.

papermill runs every Spanish lesson in a fresh kernel started in notebooks/es/ (as JupyterLab
and nbval start it), per auth mode; nbval replays the committed outputs (pyproject's testpaths
take in notebooks/es/).
"""

from __future__ import annotations

import configparser
import re
import sys
from pathlib import Path

import nbformat
import pytest

from .secret_scan import secrets_in_outputs
from .test_lessons import AUTH_MODES, parameters_of

ROOT = Path(__file__).resolve().parent.parent
EDITION = ROOT / "notebooks" / "es"
sys.path.insert(0, str(ROOT / "tools"))
import run_lessons  # noqa: E402

LESSONS = sorted(EDITION.glob("[0-9][0-9]_*.ipynb"))


def runs() -> list:
    return [pytest.param(lesson, {"auth": auth} if auth else {},
                         id=lesson.stem + (f"-{auth}" if auth else ""))
            for lesson in LESSONS
            for auth in (AUTH_MODES if "auth" in parameters_of(lesson) else (None,))]


@pytest.mark.notebooks
@pytest.mark.parametrize(("lesson", "parameters"), runs())
def test_spanish_lesson_runs_against_the_mock(lesson: Path, parameters: dict, tmp_path: Path):
    output = tmp_path / lesson.name
    run_lessons.execute(lesson, output, {"mode": "mock", **parameters})
    executed = nbformat.read(output, as_version=4)
    errors = [o for c in executed.cells if c.cell_type == "code"
              and "raises-exception" not in c.metadata.get("tags", [])
              for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    assert secrets_in_outputs(output) == []
    labels = re.findall(r"\"description\": \"([^\"]+)\"", output.read_text("utf-8"))
    if "widgets" in executed.metadata:
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
