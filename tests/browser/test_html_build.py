"""The HTML edition's build, without a browser: pages, links, no CDN, clear errors.

Also the browser tests' skip policy: skip on a laptop without Chromium, fail on CI.
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from .conftest import ROOT, skip_or_fail

sys.path.insert(0, str(ROOT / "tools"))
import html_edition  # noqa: E402


def lesson(path: Path, title: str, link: str = "") -> None:
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(f"# {title}\n\n**Purpose:** learn *{title}*.{link}"),
        nbformat.v4.new_code_cell("print('hi')", execution_count=1, outputs=[
            nbformat.v4.new_output("stream", name="stdout", text="hi\n")]),
    ])
    nbformat.write(nb, path)


def nav_links(page: Path) -> dict[str, list[str]]:
    """rel=prev/next links (top and bottom bars), whatever the attribute order."""
    found: dict[str, list[str]] = {}

    class Links(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list) -> None:
            a = dict(attrs)
            if tag == "a" and a.get("rel") in ("prev", "next"):
                found.setdefault(a["rel"], []).append(a["href"])

    Links().feed(page.read_text(encoding="utf-8"))
    return found


@pytest.fixture
def executed(tmp_path: Path) -> Path:
    folder = tmp_path / "executed"
    folder.mkdir()
    lesson(folder / "00_first.ipynb", "00 · First", " Next: [01](01_second.ipynb#Top).")
    lesson(folder / "01_second.ipynb", "01 · Second")
    lesson(folder / "02_third.ipynb", "02 · Third")
    return folder


def test_pages_index_and_navigation(executed: Path, tmp_path: Path):
    out = tmp_path / "html"
    pages = html_edition.build(executed, out)
    assert [p.name for p in pages] == ["00_first.html", "01_second.html", "02_third.html"]

    index = (out / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'<li><a href="([^"]+)">', index) == [p.name for p in pages]
    assert "learn <em>01 · Second</em>" in index

    assert nav_links(out / "01_second.html") == {"prev": ["00_first.html", "00_first.html"],
                                                 "next": ["02_third.html", "02_third.html"]}
    assert nav_links(out / "00_first.html") == {"next": ["01_second.html", "01_second.html"]}
    first = (out / "00_first.html").read_text(encoding="utf-8")
    assert 'href="01_second.html#Top"' in first and ".ipynb" not in first
    assert (out / "_static" / "course.css").is_file()


def test_nothing_loads_from_the_network(executed: Path, tmp_path: Path):
    html_edition.build(executed, tmp_path / "html")
    for page in (tmp_path / "html").glob("*.html"):
        text = page.read_text(encoding="utf-8")
        remote = re.findall(r'(?:src|href)="((?:https?:)?//[^"]+)"', text)
        assert remote == [], f"{page.name} loads {remote}"
        assert "require.min.js" not in text and "mathjax" not in text.lower()


def test_no_lessons_is_a_clear_error(tmp_path: Path):
    with pytest.raises(html_edition.EditionError, match="make run"):
        html_edition.build(tmp_path, tmp_path / "html")
    assert html_edition.main(["--executed", str(tmp_path), "--out", str(tmp_path / "o")]) == 1


def test_a_tampered_html_manager_tarball_is_refused(tmp_path: Path):
    name = html_edition.HTML_MANAGER.rsplit("@", 1)
    tarball = tmp_path / f"{name[0].lstrip('@').replace('/', '-')}-{name[1]}.tgz"
    tarball.write_bytes(b"not the real package")
    with pytest.raises(html_edition.EditionError, match="integrity"):
        html_edition.html_manager(tmp_path)
    assert not tarball.exists()


def test_browser_tests_skip_on_a_laptop_and_fail_on_ci(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no chromium"):
        skip_or_fail("no chromium")
    monkeypatch.setenv("REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="REQUIRE_BROWSER=1 but no chromium"):
        skip_or_fail("no chromium")
