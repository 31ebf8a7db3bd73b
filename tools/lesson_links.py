"""Write each lesson's previous/next links from the lesson order, so nobody edits them by hand.

    python tools/lesson_links.py           # rewrite the links cell of every lesson that needs it
    python tools/lesson_links.py --check   # only report stale links; exit 1 if there are any

A course is a folder of ``NN_name.ipynb`` lessons, in file-name order: ``notebooks/`` and
each language edition under it (``notebooks/es/``...). A lesson's title is its first heading
(``# NN · Title``). Its links live in its last cell, a Markdown cell tagged ``lesson-links``:
the tool adds that cell when it is missing and rewrites it when the order or a title changed.
``tools/run_lessons.py --commit-outputs`` runs it before executing the lessons.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
LINKS_TAG = "lesson-links"
LESSON_GLOB = "[0-9][0-9]_*.ipynb"
# The words of the links cell, by edition folder name; the top folder is English.
LABELS = {
    "en": {"previous": "Previous", "next": "Next"},
    "es": {"previous": "Anterior", "next": "Siguiente"},
}


@dataclass(frozen=True)
class Lesson:
    path: Path
    title: str


def editions(root: Path = NOTEBOOKS) -> list[Path]:
    """Every folder holding lessons: the course itself and its language editions."""
    return [folder for folder in (root, *sorted(p for p in root.iterdir() if p.is_dir()))
            if any(folder.glob(LESSON_GLOB))]


def lessons_in(folder: Path) -> list[Lesson]:
    return [Lesson(path, lesson_title(nbformat.read(path, as_version=4), path.stem))
            for path in sorted(folder.glob(LESSON_GLOB))]


def lesson_title(nb: nbformat.NotebookNode, fallback: str) -> str:
    """The lesson's first Markdown heading without its ``#`` (``fallback`` if it has none)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def links_text(previous: Lesson | None, following: Lesson | None, language: str) -> str:
    """The Markdown of a links cell: ``**Previous:** [title](file) · **Next:** [title](file)``."""
    words = LABELS.get(language, LABELS["en"])
    parts = [f"**{words[key]}:** [{lesson.title}]({lesson.path.name})"
             for key, lesson in (("previous", previous), ("next", following)) if lesson]
    return " · ".join(parts)


def wanted_links(folder: Path, root: Path = NOTEBOOKS) -> dict[Path, str]:
    """Each lesson of one edition folder and the links cell it should end with."""
    language = "en" if folder == root else folder.name
    found = lessons_in(folder)
    return {lesson.path: links_text(found[i - 1] if i else None,
                                    found[i + 1] if i + 1 < len(found) else None, language)
            for i, lesson in enumerate(found)}


def links_cell(nb: nbformat.NotebookNode) -> nbformat.NotebookNode | None:
    cells = [c for c in nb.cells if LINKS_TAG in c.metadata.get("tags", [])]
    return cells[-1] if cells else None


def is_current(nb: nbformat.NotebookNode, text: str) -> bool:
    cell = links_cell(nb)
    if not text:  # a course of one lesson links nowhere
        return cell is None
    return cell is not None and cell is nb.cells[-1] and cell.source == text


def write_links(nb: nbformat.NotebookNode, text: str) -> None:
    """Make the notebook end with exactly one links cell holding ``text`` (none if empty)."""
    nb.cells = [c for c in nb.cells if LINKS_TAG not in c.metadata.get("tags", [])]
    if text:
        cell = nbformat.v4.new_markdown_cell(text, metadata={"tags": [LINKS_TAG]})
        cell.id = LINKS_TAG  # a fixed id: rewriting the cell leaves no diff but its text
        nb.cells.append(cell)


def stale(root: Path = NOTEBOOKS) -> list[Path]:
    """The lessons whose links cell is missing, misplaced or out of date."""
    return [path for folder in editions(root)
            for path, text in wanted_links(folder, root).items()
            if not is_current(nbformat.read(path, as_version=4), text)]


def update(root: Path = NOTEBOOKS, only: Path | None = None) -> list[Path]:
    """Rewrite the links of every stale lesson (of the edition folder ``only``, if given);
    return the lessons changed."""
    changed = []
    for folder in [only] if only else editions(root):
        for path, text in wanted_links(folder, root).items():
            nb = nbformat.read(path, as_version=4)
            if not is_current(nb, text):
                write_links(nb, text)
                nbformat.write(nb, path)
                changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="report lessons with stale links instead of rewriting them")
    parser.add_argument("--root", type=Path, default=NOTEBOOKS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    found = stale(args.root) if args.check else update(args.root)
    for path in found:
        verb = "stale links:" if args.check else "links written:"
        print(f"{verb} {path.relative_to(args.root.parent)}")
    if args.check and found:
        print("run `python tools/lesson_links.py` to rewrite them", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
