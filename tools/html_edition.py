"""Build the readable HTML edition of the executed course: an index, lessons, prev/next links.

    python tools/html_edition.py [--executed build/executed] [--out build/html]

Widgets render from the state saved in each executed notebook, with the
@jupyter-widgets/html-manager bundle fetched from the npm registry at build time (``npm
pack``, pinned and checked against its sha512) and copied next to the pages: viewing the
edition needs no network at all.
"""

from __future__ import annotations

import argparse
import base64
import functools
import hashlib
import html
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import nbformat
from lesson_links import LINKS_TAG, lesson_title  # tools/ is on sys.path as a script

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).resolve().parent / "html_template"
VENDOR = ROOT / "build" / "vendor"

# The widget manager for ipywidgets 8.1 (widget state format 2), pinned by npm's integrity.
HTML_MANAGER = "@jupyter-widgets/html-manager@1.0.15"
HTML_MANAGER_INTEGRITY = (
    "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA=="
)
STATIC = "_static"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
_LESSON_LINK = re.compile(r'href="(\d\d_[^"/#?]+)\.ipynb(#[^"]*)?"')
# The editions: the English one at the top of the edition, each translation in its folder, and
# the words of the pages' own chrome in each. Every page links to its counterpart.
EDITIONS = {
    "en": {"folder": "", "name": "English", "purpose": "Purpose", "all": "All lessons",
           "title": "Azure OpenAI from Python: the course", "heading": "Azure OpenAI from Python",
           "intro": "Every lesson, executed against the local mock of Azure OpenAI, "
                    "with its outputs."},
    "es": {"folder": "es", "name": "Español", "purpose": "Objetivo", "all": "Todas las lecciones",
           "title": "Azure OpenAI desde Python: el curso", "heading": "Azure OpenAI desde Python",
           "intro": "Todas las lecciones, ejecutadas contra el simulador local de Azure OpenAI, "
                    "con sus salidas."},
}


class EditionError(RuntimeError):
    """The HTML edition cannot be built; the message says what to do."""


def _integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def html_manager(cache: Path = VENDOR) -> Path:
    """The folder holding html-manager's ``embed.js`` and its fonts, fetched once with npm."""
    name, version = HTML_MANAGER.rsplit("@", 1)
    target = cache / f"html-manager-{version}"
    if (target / "embed.js").is_file():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    tarball = cache / f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"
    if not tarball.is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise EditionError(f"npm is needed once to fetch {HTML_MANAGER} for the widgets; "
                               "install Node.js (with npm) or build with --no-widgets")
        done = subprocess.run(
            [npm, "pack", HTML_MANAGER, "--pack-destination", str(cache), "--silent"],
            capture_output=True, text=True, check=False)
        if done.returncode != 0 or not tarball.is_file():
            raise EditionError(f"`npm pack {HTML_MANAGER}` failed: "
                               f"{(done.stderr or done.stdout).strip()[-500:]}")
    if _integrity(tarball) != HTML_MANAGER_INTEGRITY:
        tarball.unlink()
        raise EditionError(f"{tarball.name} does not match the pinned integrity; "
                           "deleted it, run again to fetch it afresh")
    staging = target.with_name(f"{target.name}.tmp{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            # embed.js (needs no require.js), the fonts and icons it loads, its licences.
            path = Path(member.name)
            wanted = (path.parts[:2] == ("package", "dist") and len(path.parts) == 3
                      and "amd" not in path.name and not path.name.endswith(".map"))
            if wanted:
                member.name = path.name
                tar.extract(member, staging, filter="data")
    try:
        staging.rename(target)
    except OSError:  # another build (a parallel test worker) unpacked it first
        shutil.rmtree(staging, ignore_errors=True)
        if not (target / "embed.js").is_file():
            raise
    return target


def lesson_purpose(nb: nbformat.NotebookNode, language: str = "en") -> str:
    label = EDITIONS[language]["purpose"]
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(rf"\*\*{label}:\*\*\s*(.+)", cell.source)
            if match:
                return match.group(1).strip()
    return ""


@functools.cache
def _exporter(language: str = "en"):
    from nbconvert import HTMLExporter

    return HTMLExporter(extra_template_basedirs=[str(TEMPLATES)], template_name="course",
                        language_code=language)  # the page's <html lang>


def render_lesson(nb: nbformat.NotebookNode, course: dict[str, object]) -> str:
    body, _ = _exporter(str(course.get("language", "en"))).from_notebook_node(
        nb, resources={"course": course})
    # Links between lessons point at the notebooks; in the edition they point at the pages.
    return _LESSON_LINK.sub(lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"', body)


def switch_links(language: str, page: str, executed: Path | None = None
                 ) -> list[dict[str, str]]:
    """The same page in every other edition, relative to a page of ``language``.

    Given ``executed`` (this edition's executed lessons), a lesson the other edition does not
    have (yet) links to that edition's index instead.
    """
    up = "../" if EDITIONS[language]["folder"] else ""
    top = executed.parent if executed is not None and up else executed
    links = []
    for other, words in EDITIONS.items():
        if other == language:
            continue
        folder = f"{words['folder']}/" if words["folder"] else ""
        there = page
        if top is not None and page != "index.html":
            lesson = (top / folder / page).with_suffix(".ipynb")
            there = page if lesson.is_file() else "index.html"
        links.append({"href": f"{up}{folder}{there}", "label": words["name"], "lang": other})
    return links


def render_index(entries: list[tuple[str, str, str]], language: str = "en") -> str:
    """The table of contents: (href, title, purpose in Markdown) per lesson."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune as markdown

    items = "\n".join(
        f'  <li><a href="{html.escape(href)}">{html.escape(title)}</a>'
        + (f'<div class="purpose">{markdown(purpose).strip()}</div>' if purpose else "")
        + "</li>"
        for href, title, purpose in entries
    )
    words = EDITIONS[language]
    switch = " ".join(
        f'<a class="course-language" hreflang="{link["lang"]}" href="{link["href"]}">'
        f'{link["label"]}</a>' for link in switch_links(language, "index.html"))
    return f"""<!DOCTYPE html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{words["title"]}</title>
<link rel="stylesheet" href="{STATIC}/course.css">
</head>
<body>
<main class="course-index-page">
<nav class="course-languages">{switch}</nav>
<h1>{words["heading"]}</h1>
<p>{words["intro"]}</p>
<ol class="course-lessons">
{items}
</ol>
</main>
</body>
</html>
"""


def build(executed: Path, out: Path, *, widgets: bool = True, language: str = "en") -> list[Path]:
    """Write ``index.html`` and one page per executed lesson into ``out``; return the pages.

    ``language`` names the edition (``EDITIONS``): its words, and the switch to the others.
    """
    notebooks = sorted(executed.glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        raise EditionError(f"no executed lessons in {executed}: run `make run` first")
    lessons = [(p, nbformat.read(p, as_version=4)) for p in notebooks]
    out.mkdir(parents=True, exist_ok=True)
    static = out / STATIC
    static.mkdir(exist_ok=True)
    shutil.copy2(TEMPLATES / "course" / "course.css", static / "course.css")
    if widgets and any(WIDGET_STATE in nb.metadata.get("widgets", {}) for _, nb in lessons):
        shutil.copytree(html_manager(), static / "html-manager", dirs_exist_ok=True)

    links = [{"href": p.with_suffix(".html").name, "title": lesson_title(nb, p.stem)}
             for p, nb in lessons]
    pages = []
    for i, (_, nb) in enumerate(lessons):
        if not widgets:
            nb.metadata.pop("widgets", None)
        # The page's own bars link the lessons; the notebook's links cell would repeat them.
        nb.cells = [c for c in nb.cells if LINKS_TAG not in c.metadata.get("tags", [])]
        course = {"static": STATIC, "index": "index.html", "language": language,
                  "all": EDITIONS[language]["all"],
                  "switch": switch_links(language, links[i]["href"], executed),
                  "prev": links[i - 1] if i > 0 else None,
                  "next": links[i + 1] if i + 1 < len(links) else None}
        page = out / links[i]["href"]
        page.write_text(render_lesson(nb, course), encoding="utf-8")
        pages.append(page)
    entries = [(link["href"], link["title"], lesson_purpose(nb, language))
               for link, (_, nb) in zip(links, lessons, strict=True)]
    (out / "index.html").write_text(render_index(entries, language), encoding="utf-8")
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executed", type=Path, default=ROOT / "build" / "executed")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "html")
    parser.add_argument("--no-widgets", action="store_true",
                        help="leave widgets out (no npm needed)")
    parser.add_argument("--language", choices=list(EDITIONS), default="en",
                        help="the edition's language (the Spanish one: --executed "
                             "build/executed/es --out build/html/es --language es)")
    args = parser.parse_args(argv)
    try:
        pages = build(args.executed, args.out, widgets=not args.no_widgets,
                      language=args.language)
    except EditionError as exc:
        print(f"html_edition: {exc}", file=sys.stderr)
        return 1
    print(f"HTML edition: {len(pages)} lessons in {args.out}/ (open {args.out}/index.html)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
