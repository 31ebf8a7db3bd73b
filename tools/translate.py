"""The course in other languages: one source of code (the English notebooks), prose translated.

    python tools/translate.py sync    # translations/es/*.yaml in line with the English lessons
    python tools/translate.py build   # notebooks/es/*.ipynb from the English code + translations
    python tools/translate.py check   # drift: every problem, naming lesson and cell (exit 1)

A translator runs ``sync``, fills in every empty ``es`` (and every ``fuzzy`` one) in
translations/es/, runs ``build`` and then ``make notebooks`` to execute the edition.
``--language`` picks another language than Spanish; translations/README.md explains the format.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lesson_links  # noqa: E402
from translation import (  # noqa: E402  (tools/ is not a package)
    LESSON_GLOB,
    NOTEBOOKS,
    ROOT,
    TRANSLATIONS,
    build_edition,
    edition_problems,
    load,
    merge,
    message_problems,
    save,
    translation_path,
    without_comments,
)

LANGUAGES = ("es",)


def english_lessons(notebooks: Path = NOTEBOOKS) -> dict[str, Path]:
    return {p.stem: p for p in sorted(notebooks.glob(LESSON_GLOB))}


def edition_dir(language: str, notebooks: Path = NOTEBOOKS) -> Path:
    return notebooks / language


def pending(language: str, translations: Path = TRANSLATIONS) -> dict[str, str]:
    """Lessons whose translation is under way, from ``translations/<language>/PENDING``.

    One line per lesson: its name, then why (``05_v1_api  # new lesson; translated next``).
    The edition leaves them out until they are done; a test fails once one is complete but
    still listed, so the list cannot outlive its reason.
    """
    path = translations / language / "PENDING"
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    entries = (line.partition("#") for line in lines if line.strip())
    return {name.strip(): why.strip() for name, _, why in entries if name.strip()}


def translated_lessons(language: str, notebooks: Path = NOTEBOOKS,
                       translations: Path = TRANSLATIONS) -> list[str]:
    """The lessons the edition has: those with a translation file, unless pending."""
    waiting = pending(language, translations)
    return [name for name in english_lessons(notebooks)
            if translation_path(name, language, translations).is_file() and name not in waiting]


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def sync(language: str, notebooks: Path = NOTEBOOKS, translations: Path = TRANSLATIONS) -> int:
    for lesson, path in english_lessons(notebooks).items():
        target = translation_path(lesson, language, translations)
        data = load(target)
        changes = merge(data, nbformat.read(path, as_version=4), language)
        if changes:
            save(target, lesson, data)
            print(f"{_shown(target)}:", *changes, sep="\n    ")
    return 0


def _keep_outputs(built: nbformat.NotebookNode, previous: nbformat.NotebookNode) -> bool:
    """Reuse the edition's executed outputs when only prose changed (same cells, same code)."""
    pairs = list(zip(built.cells, previous.cells, strict=False))
    if len(built.cells) != len(previous.cells) or any(a.id != b.id for a, b in pairs):
        return False
    for new, old in pairs:
        if new.cell_type == "code":
            if without_comments(new.source) != without_comments(old.source):
                return False
            new.outputs, new.execution_count = old.outputs, old.execution_count
    if "widgets" in previous.metadata:
        built.metadata["widgets"] = previous.metadata["widgets"]
    return True


def build(language: str, notebooks: Path = NOTEBOOKS, translations: Path = TRANSLATIONS
          ) -> list[Path]:
    """Write the edition's notebooks; return those whose code must be executed again."""
    folder = edition_dir(language, notebooks)
    folder.mkdir(exist_ok=True)
    english = english_lessons(notebooks)
    there = set(translated_lessons(language, notebooks, translations))
    stale = []
    for lesson in sorted(there):
        nb = nbformat.read(english[lesson], as_version=4)
        data = load(translation_path(lesson, language, translations))
        built = build_edition(nb, data, language, lesson, {f"{name}.ipynb" for name in there})
        target = folder / f"{lesson}.ipynb"
        previous = nbformat.read(target, as_version=4) if target.is_file() else None
        if previous is None or not _keep_outputs(built, previous):
            stale.append(target)
        nbformat.write(built, target)
    for old in folder.glob(LESSON_GLOB):
        if old.stem not in there:
            old.unlink()
    lesson_links.update(notebooks, only=folder)  # the edition's own links, in its language
    return stale


def problems(language: str, notebooks: Path = NOTEBOOKS, translations: Path = TRANSLATIONS
             ) -> list[str]:
    """Every drift between the English lessons, the translations and the edition."""
    found = []
    english = english_lessons(notebooks)
    there = {f"{name}.ipynb" for name in translated_lessons(language, notebooks, translations)}
    waiting = pending(language, translations)
    found += [f"{name}: listed in PENDING but there is no such lesson" for name in waiting
              if name not in english]
    for lesson, path in english.items():
        if lesson in waiting:
            continue  # reported by `check` and tested apart: see pending()
        source = translation_path(lesson, language, translations)
        if not source.is_file():
            found.append(f"{lesson}: no translation file {_shown(source)}; run "
                         "`python tools/translate.py sync` and translate it")
            continue
        nb, data = nbformat.read(path, as_version=4), load(source)
        target = edition_dir(language, notebooks) / f"{lesson}.ipynb"
        edition = nbformat.read(target, as_version=4) if target.is_file() else None
        expected = build_edition(nb, data, language, lesson, there)
        found += [f"{lesson} {p}" for p in message_problems(nb, data, language)]
        found += [f"{lesson} {p}" for p in edition_problems(nb, edition, expected)]
    for extra in sorted((translations / language).glob("*.yaml")):
        if extra.stem not in english:
            found.append(f"{extra.stem}: a translation file for a lesson that is gone; delete "
                         f"{_shown(extra)}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("sync", "build", "check"))
    parser.add_argument("--language", choices=LANGUAGES, default="es")
    args = parser.parse_args(argv)
    if args.command == "sync":
        return sync(args.language)
    if args.command == "build":
        stale = build(args.language)
        for path in stale:
            print(f"{_shown(path)}: not executed with this code yet; `make notebooks` does it")
        return 0
    found = problems(args.language)
    for name, why in pending(args.language).items():
        print(f"{name}: pending, not in the {args.language} edition yet ({why})")
    print(*found, sep="\n")
    print(f"{len(found)} problem(s) in the {args.language} edition" if found
          else f"The {args.language} edition is in step with the English lessons.")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
