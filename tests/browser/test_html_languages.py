"""The HTML edition in both languages: build/html/ and build/html/es/, a switch on every page."""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import html_edition  # noqa: E402


def _lesson(path: Path, title: str, purpose: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(f"# {title}\n\n{purpose}"),
        nbformat.v4.new_code_cell("print('hi')", execution_count=1, outputs=[
            nbformat.v4.new_output("stream", name="stdout", text="hi\n")]),
    ]), path)


def _switches(page: Path) -> dict[str, set[str]]:
    """The language switch links (top and bottom bars), whatever the attribute order."""
    found: dict[str, set[str]] = {}

    class Links(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list) -> None:
            a = dict(attrs)
            if tag == "a" and a.get("class") == "course-language":
                found.setdefault(a["hreflang"], set()).add(a["href"])

    Links().feed(page.read_text(encoding="utf-8"))
    return found


def test_both_editions_link_every_page_to_its_counterpart(tmp_path: Path):
    executed, out = tmp_path / "executed", tmp_path / "html"
    for name in ("00_first", "01_second"):
        _lesson(executed / f"{name}.ipynb", f"{name[:2]} · One", "**Purpose:** learn it.")
        _lesson(executed / "es" / f"{name}.ipynb", f"{name[:2]} · Uno", "**Objetivo:** aprenderlo.")
    html_edition.build(executed, out, widgets=False)
    html_edition.build(executed / "es", out / "es", widgets=False, language="es")

    assert _switches(out / "01_second.html") == {"es": {"es/01_second.html"}}
    assert _switches(out / "es" / "01_second.html") == {"en": {"../01_second.html"}}
    assert _switches(out / "index.html") == {"es": {"es/index.html"}}
    assert _switches(out / "es" / "index.html") == {"en": {"../index.html"}}
    for page in [out / "01_second.html", out / "es" / "01_second.html"]:
        for href in next(iter(_switches(page).values())):
            assert (page.parent / href).is_file(), f"{page.name} links to a missing {href}"

    _lesson(executed / "02_only_english.ipynb", "02 · Three", "**Purpose:** later.")
    html_edition.build(executed, out, widgets=False)
    assert _switches(out / "02_only_english.html") == {"es": {"es/index.html"}}

    spanish_index = (out / "es" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="es">' in spanish_index and "aprenderlo." in spanish_index
    spanish_page = (out / "es" / "00_first.html").read_text(encoding="utf-8")
    assert "Todas las lecciones" in spanish_page and '<html lang="es">' in spanish_page
    assert "All lessons" in (out / "00_first.html").read_text(encoding="utf-8")
