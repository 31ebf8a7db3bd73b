"""One source of code, two languages of prose: the messages of a lesson and their translations.

A lesson's messages are its markdown cells and the comments of its code cells (not the
``parameters`` cell, which every edition keeps as it is). Each lives in a YAML file per lesson,
``translations/<language>/<lesson>.yaml``, keyed by the nbformat cell id::

    cells:
      1c56055f:
        hash: 3f2a9c0d41e2      # sha256 of the English text translated (first 12 hex digits)
        en: |                   # that English text, for the translator to read
          # 00 · Setting up your environment
        es: |
          # 00 · Preparar el entorno
      78a4362b:                 # a code cell: its comments, in order
        hash: 9b1c44e0aa17
        en: ['# --- Configuration form (one cell) ...']
        es: ['# --- Formulario de configuración (una celda) ...']

As gettext's msgmerge does, ``sync`` marks a translation whose English changed ``fuzzy`` (with
``previous_en``) and moves translations of vanished cells to ``obsolete``; ``problems`` reports
all of it, naming lesson and cell.
"""

from __future__ import annotations

import copy
import hashlib
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
TRANSLATIONS = ROOT / "translations"
LESSON_GLOB = "[0-9][0-9]_*.ipynb"
# English documents a lesson links to, and their translations (paths from the repository root).
# Cells another tool writes in every edition (tools/lesson_links.py: prev/next links).
GENERATED_TAGS = frozenset({"lesson-links"})
DOCUMENTS = {"es": {"docs/instructor_guide.md": "docs/es/guia_del_instructor.md",
                    "README.md": "README.es.md"}}


@dataclass(frozen=True)
class Message:
    """A translatable part of one cell: a markdown cell's text, or a code cell's comments."""

    cell_id: str
    kind: str  # "markdown" | "comments"
    en: str | list[str]

    @property
    def hash(self) -> str:
        return text_hash(self.en)


def text_hash(en: str | list[str]) -> str:
    text = en if isinstance(en, str) else "\n".join(en)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def is_parameters(cell: nbformat.NotebookNode) -> bool:
    return "parameters" in cell.metadata.get("tags", [])


def is_generated(cell: nbformat.NotebookNode) -> bool:
    return not GENERATED_TAGS.isdisjoint(cell.metadata.get("tags", []))


# --- code comments --------------------------------------------------------------------------

# Comments that tools read (ruff's noqa, type checkers, formatters) are code, not prose.
_DIRECTIVE = re.compile(r"#\s*(noqa|type:|pragma|fmt:|ruff:)", re.I)

def comment_spans(code: str) -> list[tuple[int, int, str]]:
    """(line index, column, text) of every comment, in order; [] if the code does not parse."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError):
        return []
    return [(t.start[0] - 1, t.start[1], t.string) for t in tokens if t.type == tokenize.COMMENT]


def prose_comments(code: str) -> list[tuple[int, int, str]]:
    """The comments a translator translates: all but tool directives such as ``# noqa``."""
    return [span for span in comment_spans(code) if not _DIRECTIVE.match(span[2])]


def replace_comments(code: str, comments: list[str]) -> str:
    """The same code with its prose comments replaced, in order, by ``comments``."""
    lines = code.split("\n")
    for (row, col, _), new in zip(prose_comments(code), comments, strict=True):
        lines[row] = lines[row][:col] + new
    return "\n".join(lines)


def without_comments(code: str) -> str:
    """The code with comments (and the spaces before them) removed: what must match."""
    lines = code.split("\n")
    for row, col, _ in comment_spans(code):
        lines[row] = lines[row][:col].rstrip()
    return "\n".join(lines)


def messages(nb: nbformat.NotebookNode) -> list[Message]:
    found = []
    for cell in nb.cells:
        if is_generated(cell):
            continue
        if cell.cell_type == "markdown":
            found.append(Message(cell.id, "markdown", cell.source))
        elif cell.cell_type == "code" and not is_parameters(cell):
            comments = [text for _, _, text in prose_comments(cell.source)]
            if comments:
                found.append(Message(cell.id, "comments", comments))
    return found


# --- translation files ------------------------------------------------------------------------

def translation_path(lesson: str, language: str, root: Path = TRANSLATIONS) -> Path:
    return root / language / f"{lesson}.yaml"


def load(path: Path) -> dict:
    if not path.is_file():
        return {"cells": {}, "obsolete": {}}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {"cells": data.get("cells") or {}, "obsolete": data.get("obsolete") or {}}


class _Dumper(yaml.SafeDumper):
    """Multi-line text as literal blocks, so markdown reads (and diffs) as it is."""


def _str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _str)


def save(path: Path, lesson: str, data: dict) -> None:
    header = (f"# Translation of notebooks/{lesson}.ipynb, one entry per cell id.\n"
              "# Write `es`; keep `hash` and `en` (tools/translate.py sync updates them).\n")
    body = {"lesson": lesson, "cells": data["cells"]}
    if data.get("obsolete"):
        body["obsolete"] = data["obsolete"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + yaml.dump(body, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                                       width=100), encoding="utf-8")


def merge(data: dict, nb: nbformat.NotebookNode, language: str) -> list[str]:
    """Bring a lesson's translations in line with its English notebook, as msgmerge does.

    New messages get an empty translation; a translation whose English changed is kept,
    marked ``fuzzy`` with the English it translated as ``previous_en``; translations of
    vanished cells move to ``obsolete``. Returns what changed, one line per cell.
    """
    old, cells, changes = data["cells"], {}, []
    for message in messages(nb):
        entry = old.get(message.cell_id)
        if entry is None or entry.get("kind", message.kind) != message.kind:
            entry = {"kind": message.kind, "hash": message.hash, "en": message.en,
                     language: "" if message.kind == "markdown" else [""] * len(message.en)}
            changes.append(f"{message.cell_id}: new, to translate")
        elif entry.get("hash") != message.hash:
            entry = {"kind": message.kind, "hash": message.hash, "en": message.en,
                     "fuzzy": True, "previous_en": entry.get("en"),
                     language: entry.get(language)}
            changes.append(f"{message.cell_id}: English changed, marked fuzzy")
        cells[message.cell_id] = {"kind": message.kind, **entry}
    for cell_id, entry in old.items():
        if cell_id not in cells:
            data["obsolete"][cell_id] = entry
            changes.append(f"{cell_id}: cell gone, translation moved to obsolete")
    data["cells"] = cells
    return changes


# --- building an edition ------------------------------------------------------------------------

_LINK = re.compile(r"\]\(([^)\s]+)\)")


def localize_links(markdown: str, language: str, lessons_there: set[str]) -> str:
    """Links as seen from notebooks/<language>/: lessons of that edition, translated documents.

    The one place that knows the edition's folder; a lesson not (yet) in the edition keeps
    pointing at the English one.
    """
    def target(match: re.Match) -> str:
        link = match.group(1)
        if "://" in link or link.startswith(("#", "/", "mailto:")):
            return match.group(0)
        path, sep, anchor = link.partition("#")
        if "/" not in path and path.endswith(".ipynb"):
            new = path if path in lessons_there else f"../{path}"
        elif path.startswith("../"):
            from_root = path[3:]
            new = "../../" + DOCUMENTS.get(language, {}).get(from_root, from_root)
        else:
            new = f"../{path}"
        return f"]({new}{sep}{anchor})"

    return _LINK.sub(target, markdown)


def translated(entry: dict | None, language: str) -> str | list[str] | None:
    """An entry's usable translation (possibly stale: the check says so), or None."""
    if not entry:
        return None
    text = entry.get(language)
    if isinstance(text, list):
        return text if text and all(t.strip() for t in text) else None
    return text if isinstance(text, str) and text.strip() else None


def build_edition(nb: nbformat.NotebookNode, data: dict, language: str, lesson: str,
                  lessons_there: set[str]) -> nbformat.NotebookNode:
    """The lesson in ``language``: English code, translated prose and comments.

    Untranslated messages stay English (the lesson still runs; the check reports them).
    """
    out = copy.deepcopy(nb)
    for cell in out.cells:
        text = translated(data["cells"].get(cell.id), language)
        if is_generated(cell):
            continue
        if cell.cell_type == "markdown":
            cell.source = localize_links(text or cell.source, language, lessons_there)
        elif (cell.cell_type == "code" and not is_parameters(cell) and text is not None
              and len(text) == len(prose_comments(cell.source))):
            cell.source = replace_comments(cell.source, text)
    out.metadata["translation"] = {
        "language": language, "source": f"notebooks/{lesson}.ipynb",
        "messages": f"translations/{language}/{lesson}.yaml"}
    return out


# --- the drift check ------------------------------------------------------------------------------

def message_problems(nb: nbformat.NotebookNode, data: dict, language: str) -> list[str]:
    """What is wrong with one lesson's translations, one line per cell (without the lesson)."""
    found, ids = [], set()
    for message in messages(nb):
        ids.add(message.cell_id)
        entry = data["cells"].get(message.cell_id)
        text = translated(entry, language)
        where = f"cell {message.cell_id} ({message.kind})"
        if text is None:
            found.append(f"{where}: no translation")
        elif entry.get("hash") != message.hash:
            found.append(f"{where}: the English changed since it was translated; run "
                         "`python tools/translate.py sync`, then update the translation")
        elif entry.get("fuzzy"):
            found.append(f"{where}: marked fuzzy; update `{language}` to the new `en`, then "
                         "delete `fuzzy` and `previous_en`")
        elif message.kind == "comments" and len(text) != len(message.en):
            found.append(f"{where}: {len(message.en)} comments in English, {len(text)} translated")
        elif message.kind == "markdown" and text.strip() == message.en.strip():
            found.append(f"{where}: the translation is a copy of the English")
    gone = [i for i in data["cells"] if i not in ids] + list(data["obsolete"])
    found += [f"cell {i}: a translation for a cell that is gone; delete it (or reuse its text)"
              for i in gone]
    return found


def edition_problems(nb: nbformat.NotebookNode, edition: nbformat.NotebookNode | None,
                     expected: nbformat.NotebookNode) -> list[str]:
    """Where a built edition differs from the English code or from its translation file."""
    if edition is None:
        return ["no notebook in this language; run `python tools/translate.py build`"]
    if [(c.id, c.cell_type) for c in edition.cells] != [(c.id, c.cell_type) for c in nb.cells]:
        return ["its cells are not the English cells (ids, order, types); run "
                "`python tools/translate.py build`"]
    found = []
    for english, there, wanted in zip(nb.cells, edition.cells, expected.cells, strict=True):
        if english.cell_type == "code":
            same = (english.source == there.source if is_parameters(english)
                    else without_comments(english.source) == without_comments(there.source))
            if not same:
                found.append(f"cell {english.id}: the code differs between the editions")
                continue
        if there.source != wanted.source and not is_generated(english):
            found.append(f"cell {english.id}: out of date with its translation file; run "
                         "`python tools/translate.py build`")
    return found
