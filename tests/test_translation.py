"""The Spanish edition: drift between the English lessons, their translations and notebooks/es/.

The drift check runs on a small course built in a temporary folder (one failure at a time)
and on the real course, which must be in step.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import lesson_links  # noqa: E402
import translate  # noqa: E402
import translation  # noqa: E402

EDITION = ROOT / "notebooks" / "es"


def _lesson() -> nbformat.NotebookNode:
    cells = [
        nbformat.v4.new_markdown_cell("# 00 · Hello\n\nSee [the next lesson](01_next.ipynb)."),
        nbformat.v4.new_code_cell('mode = "mock"  # where to run',
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("x = 1  # one\nprint(x)  # show it"),
        nbformat.v4.new_markdown_cell("Read the [guide](../docs/instructor_guide.md)."),
    ]
    for number, cell in enumerate(cells):
        cell.id = f"cell{number}"
    return nbformat.v4.new_notebook(cells=cells)


SPANISH = {"cell0": "# 00 · Hola\n\nVea [la lección siguiente](01_next.ipynb).",
           "cell2": ["# uno", "# muéstrelo"],
           "cell3": "Lea la [guía](../docs/instructor_guide.md)."}


@pytest.fixture
def course(tmp_path: Path) -> tuple[Path, Path]:
    """A one-lesson course, fully translated and built: (notebooks, translations)."""
    notebooks, translations = tmp_path / "notebooks", tmp_path / "translations"
    notebooks.mkdir()
    nbformat.write(_lesson(), notebooks / "00_hello.ipynb")
    _translate(notebooks, translations, "00_hello")
    return notebooks, translations


def _translate(notebooks: Path, translations: Path, lesson: str) -> None:
    """Sync, fill every message of ``lesson`` with SPANISH, build the edition."""
    translate.sync("es", notebooks, translations)
    path = translation.translation_path(lesson, "es", translations)
    data = translation.load(path)
    for cell_id, text in SPANISH.items():
        data["cells"][cell_id]["es"] = text
    translation.save(path, lesson, data)
    translate.build("es", notebooks, translations)


def _edit(path: Path, cell_id: str, source: str) -> None:
    nb = nbformat.read(path, as_version=4)
    next(c for c in nb.cells if c.id == cell_id).source = source
    nbformat.write(nb, path)


def test_a_translated_course_is_in_step(course):
    assert translate.problems("es", *course) == []
    built = nbformat.read(course[0] / "es" / "00_hello.ipynb", as_version=4)
    assert built.cells[2].source == "x = 1  # uno\nprint(x)  # muéstrelo"
    assert built.cells[1].source == 'mode = "mock"  # where to run', "parameters untouched"
    assert "(../../docs/es/guia_del_instructor.md)" in built.cells[3].source


def test_english_changed_without_the_translation(course):
    notebooks, translations = course
    _edit(notebooks / "00_hello.ipynb", "cell0", "# 00 · Hello there")
    found = translate.problems("es", notebooks, translations)
    assert any(p.startswith("00_hello cell cell0") and "English changed" in p for p in found)


def test_sync_marks_a_changed_message_fuzzy_until_reviewed(course):
    notebooks, translations = course
    _edit(notebooks / "00_hello.ipynb", "cell0", "# 00 · Hello there")
    translate.sync("es", notebooks, translations)
    entry = translation.load(translation.translation_path("00_hello", "es", translations))[
        "cells"]["cell0"]
    assert entry["fuzzy"] is True and entry["previous_en"].startswith("# 00 · Hello\n")
    found = translate.problems("es", notebooks, translations)
    assert any(p.startswith("00_hello cell cell0") and "fuzzy" in p for p in found)


def test_a_cell_without_translation(course):
    notebooks, translations = course
    nb = nbformat.read(notebooks / "00_hello.ipynb", as_version=4)
    new = nbformat.v4.new_markdown_cell("A new paragraph.")
    new.id = "newcell"
    nb.cells.append(new)
    nbformat.write(nb, notebooks / "00_hello.ipynb")
    translate.sync("es", notebooks, translations)
    found = translate.problems("es", notebooks, translations)
    assert "00_hello cell newcell (markdown): no translation" in found


def test_a_lesson_without_translation_file(course):
    notebooks, translations = course
    nbformat.write(_lesson(), notebooks / "01_next.ipynb")
    found = translate.problems("es", notebooks, translations)
    assert any(p.startswith("01_next: no translation file") for p in found)


def test_a_translation_for_a_gone_cell(course):
    notebooks, translations = course
    nb = nbformat.read(notebooks / "00_hello.ipynb", as_version=4)
    nb.cells = [c for c in nb.cells if c.id != "cell3"]
    nbformat.write(nb, notebooks / "00_hello.ipynb")
    found = translate.problems("es", notebooks, translations)
    assert any(p.startswith("00_hello cell cell3: a translation for a cell that is gone")
               for p in found)
    translate.sync("es", notebooks, translations)  # msgmerge-like: kept, as obsolete
    data = translation.load(translation.translation_path("00_hello", "es", translations))
    assert "cell3" in data["obsolete"] and "cell3" not in data["cells"]
    assert any("cell3: a translation for a cell that is gone" in p
               for p in translate.problems("es", notebooks, translations))


def test_editions_differing_in_code(course):
    notebooks, translations = course
    _edit(notebooks / "es" / "00_hello.ipynb", "cell2", "x = 2  # uno\nprint(x)  # muéstrelo")
    found = translate.problems("es", notebooks, translations)
    assert "00_hello cell cell2: the code differs between the editions" in found


def test_a_comment_is_prose_but_the_parameters_cell_is_code(course):
    notebooks, translations = course
    _edit(notebooks / "es" / "00_hello.ipynb", "cell1", 'mode = "mock"  # dónde ejecutar')
    found = translate.problems("es", notebooks, translations)
    assert "00_hello cell cell1: the code differs between the editions" in found


def test_an_edition_out_of_date_with_its_translation(course):
    notebooks, translations = course
    _edit(notebooks / "es" / "00_hello.ipynb", "cell0", "# 00 · Hola, editado a mano")
    found = translate.problems("es", notebooks, translations)
    assert any(p.startswith("00_hello cell cell0: out of date") for p in found)


def test_an_untranslated_copy_is_no_translation(course):
    notebooks, translations = course
    path = translation.translation_path("00_hello", "es", translations)
    data = translation.load(path)
    data["cells"]["cell3"]["es"] = data["cells"]["cell3"]["en"]
    translation.save(path, "00_hello", data)
    found = translate.problems("es", notebooks, translations)
    assert any("cell3 (markdown): the translation is a copy" in p for p in found)


def test_build_keeps_the_executed_outputs_when_only_prose_changed(course):
    notebooks, translations = course
    target = notebooks / "es" / "00_hello.ipynb"
    nb = nbformat.read(target, as_version=4)
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    nbformat.write(nb, target)
    path = translation.translation_path("00_hello", "es", translations)
    data = translation.load(path)
    data["cells"]["cell3"]["es"] = "Lea la [guía del instructor](../docs/instructor_guide.md)."
    translation.save(path, "00_hello", data)
    assert translate.build("es", notebooks, translations) == []
    assert nbformat.read(target, as_version=4).cells[2].outputs[0].text == "1\n"


def test_comments_are_replaced_in_place_and_ignored_for_identity():
    code = 'x = "# not a comment"  # a comment\n# alone\ny = 2'
    assert [t for _, _, t in translation.comment_spans(code)] == ["# a comment", "# alone"]
    spanish = translation.replace_comments(code, ["# un comentario", "# solo"])
    assert spanish == 'x = "# not a comment"  # un comentario\n# solo\ny = 2'
    assert translation.without_comments(spanish) == translation.without_comments(code)


def test_tool_directives_are_code_not_prose():
    code = "import os  # noqa: F401 (for you)\nx = 1  # one"
    assert [t for _, _, t in translation.prose_comments(code)] == ["# one"]
    assert translation.replace_comments(code, ["# uno"]) == (
        "import os  # noqa: F401 (for you)\nx = 1  # uno")


def test_links_point_into_the_edition():
    text = ("[a](01_next.ipynb) [b](05_new.ipynb#top) [c](../docs/instructor_guide.md) "
            "[d](https://learn.microsoft.com) [e](../README.md)")
    assert translation.localize_links(text, "es", {"01_next.ipynb"}) == (
        "[a](01_next.ipynb) [b](../05_new.ipynb#top) [c](../../docs/es/guia_del_instructor.md) "
        "[d](https://learn.microsoft.com) [e](../../README.es.md)")


def test_a_pending_lesson_stays_out_of_the_edition_until_translated(course):
    notebooks, translations = course
    nbformat.write(_lesson(), notebooks / "01_next.ipynb")
    (translations / "es" / "PENDING").write_text("01_next  # new; being translated\n")
    translate.sync("es", notebooks, translations)
    translate.build("es", notebooks, translations)
    assert translate.pending("es", translations) == {"01_next": "new; being translated"}
    assert not (notebooks / "es" / "01_next.ipynb").exists()
    assert translate.problems("es", notebooks, translations) == []
    (translations / "es" / "PENDING").write_text("02_gone\n")
    assert translate.problems("es", notebooks, translations)[0].startswith("02_gone: listed")


def test_build_writes_the_editions_links_in_its_own_language(course):
    notebooks, translations = course
    nbformat.write(_lesson(), notebooks / "01_next.ipynb")
    lesson_links.update(notebooks)  # the English lessons link to each other
    _translate(notebooks, translations, "01_next")
    first = nbformat.read(notebooks / "es" / "00_hello.ipynb", as_version=4)
    assert first.cells[-1].source == "**Siguiente:** [00 · Hola](01_next.ipynb)"
    assert lesson_links.stale(notebooks) == []


# --- the real course ------------------------------------------------------------------------

def test_the_spanish_edition_is_in_step_with_the_english_lessons():
    problems = translate.problems("es")
    assert problems == [], "\n".join(problems)


def test_no_pending_lesson_is_already_translated():
    """PENDING cannot outlive its reason: a complete translation must leave the list.

    One test over the whole list (often empty, or absent), so that nothing pending is no skip.
    """
    done = []
    for lesson in sorted(translate.pending("es")):
        nb = nbformat.read(ROOT / "notebooks" / f"{lesson}.ipynb", as_version=4)
        data = translation.load(translation.translation_path(lesson, "es"))
        if not translation.message_problems(nb, data, "es"):
            done.append(lesson)
    assert done == [], f"{done} translated: remove them from translations/es/PENDING and run build"


def _pairs() -> list:
    return [pytest.param(path, id=path.stem) for path in sorted(EDITION.glob("[0-9][0-9]_*.ipynb"))]


@pytest.mark.parametrize("spanish", _pairs())
def test_every_spanish_markdown_cell_differs_from_its_english_source(spanish: Path):
    english = nbformat.read(spanish.parent.parent / spanish.name, as_version=4)
    source = {c.id: c.source for c in english.cells}
    same = [c.id for c in nbformat.read(spanish, as_version=4).cells
            if c.cell_type == "markdown" and not translation.is_generated(c)
            and c.source.strip() == source.get(c.id, "").strip()]
    assert same == [], f"{spanish.stem}: untranslated markdown cells {same}"

