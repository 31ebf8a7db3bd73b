"""The HTML edition, built from lessons executed as `make run` does, read offline in Chromium.

Every request that is not a local file is blocked and recorded: the edition must need no
network at all, and its widgets must render from the saved state.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from .conftest import ROOT, skip_or_fail

sys.path.insert(0, str(ROOT / "tools"))
import html_edition  # noqa: E402

pytestmark = pytest.mark.browser

LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def uses_widgets(lesson: Path) -> bool:
    nb = nbformat.read(lesson, as_version=4)
    return any("ipywidgets" in c.source for c in nb.cells if c.cell_type == "code")


@pytest.fixture(scope="module")
def edition(chromium, executed_lessons, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The edition of the course as `make run` builds it.

    Lessons with widgets come from the session's auth=aad run of them (the runner's own
    papermill call, tests/executed_lessons.py, which test_lessons reads too), which must
    store the widget state; the others use their committed outputs, which the same runner
    produced. No lesson runs for this edition alone.
    """
    tmp = tmp_path_factory.mktemp("edition")
    executed = tmp / "executed"
    executed.mkdir()
    keys = []
    for lesson in LESSONS:
        if uses_widgets(lesson):
            run = executed_lessons.get(lesson, "aad")
            shutil.copy2(run.path, executed / lesson.name)
            keys.append(run.key)
        else:
            shutil.copy2(lesson, executed / lesson.name)
    (tmp / "keys").write_text("\n".join(keys), encoding="utf-8")
    try:
        html_edition.html_manager()
    except html_edition.EditionError as exc:
        skip_or_fail(str(exc))
    html_edition.build(executed, tmp / "html")
    return tmp


@pytest.fixture
def offline(chromium) -> Iterator[tuple[object, list[str]]]:
    """A page that may load local files only; returns it with the list of blocked URLs."""
    blocked: list[str] = []
    errors: list[str] = []

    def only_files(route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page = chromium.new_page()
    page.route("**/*", only_files)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page, blocked
    finally:
        page.close()
    assert errors == [], "JavaScript errors in the HTML edition"


def saved_state(notebook: Path) -> dict:
    nb = nbformat.read(notebook, as_version=4)
    return nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})


def saved_values(state: dict) -> list[str]:
    """What the text boxes and drop-downs held when the lesson was executed."""
    values = []
    for model in state.values():
        name, fields = model.get("model_name"), model["state"]
        if name in ("TextModel", "TextareaModel", "PasswordModel", "ComboboxModel"):
            values.append(fields.get("value", ""))
        elif name == "DropdownModel" and fields.get("index") is not None:
            values.append(fields["_options_labels"][fields["index"]])
    return values


def shown_values(page) -> list[str]:
    return page.evaluate("""() => [
        ...[...document.querySelectorAll('.widget-text input, .widget-textarea textarea')]
            .map(e => e.value),
        ...[...document.querySelectorAll('.widget-dropdown select')]
            .map(s => (s.options[s.selectedIndex]?.text ?? '').replace(/\u00a0/g, ' ')),
    ]""")


def test_executed_lessons_carry_widget_state(edition: Path):
    """Without the state in metadata.widgets, no widget could render in the edition."""
    missing = [p.name for p in LESSONS
               if uses_widgets(p) and not saved_state(edition / "executed" / p.name)]
    assert missing == []


def test_the_key_is_nowhere_in_the_edition(edition: Path):
    """Not in the executed notebooks (widget state included), not in any page."""
    keys = (edition / "keys").read_text(encoding="utf-8").split()
    assert keys, "no lesson ran against a mock"
    files = [*(edition / "executed").glob("*.ipynb"), *(edition / "html").glob("*.html")]
    assert len(files) == 2 * len(LESSONS) + 1
    assert [f.name for f in files if any(k in f.read_text(encoding="utf-8") for k in keys)] == []


def test_index_links_every_lesson_in_order(edition: Path, offline, screenshots: Path):
    page, blocked = offline
    page.goto((edition / "html" / "index.html").as_uri())
    page.screenshot(path=str(screenshots / "html-index.png"))
    hrefs = page.locator(".course-lessons a").evaluate_all("links => links.map(a => a.href)")
    assert [Path(h).name for h in hrefs] == [p.with_suffix(".html").name for p in LESSONS]
    for href in hrefs:
        assert Path(href.removeprefix("file://")).is_file()
    assert blocked == []


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_page_reads_offline(edition: Path, offline, screenshots: Path, lesson: Path):
    page, blocked = offline
    page.goto((edition / "html" / lesson.with_suffix(".html").name).as_uri())
    page.wait_for_load_state("load")

    i = LESSONS.index(lesson)
    nav = page.locator(".course-nav-top")
    prev, nxt = nav.locator("a[rel=prev]"), nav.locator("a[rel=next]")
    assert prev.count() == (1 if i > 0 else 0) and nxt.count() == (1 if i + 1 < len(LESSONS)
                                                                   else 0)
    if i > 0:
        assert prev.get_attribute("href") == LESSONS[i - 1].with_suffix(".html").name
    if i + 1 < len(LESSONS):
        assert nxt.get_attribute("href") == LESSONS[i + 1].with_suffix(".html").name
    assert ".ipynb" not in str(page.locator("a").evaluate_all(
        "links => links.map(a => a.getAttribute('href')).filter(h => /^\\d\\d_/.test(h))"))

    state = saved_state(edition / "executed" / lesson.name)
    if state:
        page.locator(".jupyter-widgets").first.wait_for()
        assert page.locator("text=Error displaying widget").count() == 0
        assert sorted(shown_values(page)) == sorted(saved_values(state)), \
            "the widgets did not render their saved values"
    # The whole page where widgets render (a second or more per long page), else its top.
    page.screenshot(path=str(screenshots / f"html-{lesson.stem}.png"), full_page=bool(state))
    assert blocked == [], "the edition tried to reach the network"
