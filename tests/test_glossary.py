"""Spanish prose uses the glossary's Spanish terms: no English term of its left column slips in.

English may appear only where it is not prose: code (spans and blocks), link targets, and
italics, which Spanish typography reserves for foreign words (a quoted output, a gloss such as
«notificaciones (*claims*)», a role's English name).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "es" / "glosario.md"

_FENCED = re.compile(r"```.*?```", re.S)
_CODE = re.compile(r"`[^`\n]*`")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_URL = re.compile(r"https?://\S+")
_BOLD = re.compile(r"\*\*")
_ITALIC = re.compile(r"\*[^*\n]+\*")


def english_terms(glossary: Path = GLOSSARY) -> list[str]:
    rows = [line for line in glossary.read_text(encoding="utf-8").splitlines()
            if line.startswith("| ")]
    terms = [row.split("|")[1].strip() for row in rows[1:]]  # rows[0] is the header
    return [t for t in terms if t and not set(t) <= {"-"}]


def prose(markdown: str) -> str:
    """The words a reader reads as Spanish: no code, link targets, URLs or italics."""
    for pattern in (_FENCED, _CODE, _LINK_TARGET, _URL):
        markdown = pattern.sub(" ", markdown)
    return _ITALIC.sub(" ", _BOLD.sub("", markdown))


def untranslated(text: str, terms: list[str]) -> list[str]:
    words = prose(text)
    return [t for t in terms if re.search(rf"\b{re.escape(t)}s?\b", words, re.I)]


def spanish_texts() -> list:
    texts = [pytest.param(p.read_text(encoding="utf-8"), id=p.name)
             for p in [ROOT / "README.es.md", *sorted((ROOT / "docs" / "es").glob("*.md"))]
             if p != GLOSSARY]
    for lesson in sorted((ROOT / "notebooks" / "es").glob("[0-9][0-9]_*.ipynb")):
        cells = nbformat.read(lesson, as_version=4).cells
        text = "\n\n".join(c.source for c in cells if c.cell_type == "markdown")
        texts.append(pytest.param(text, id=lesson.stem))
    return texts


def test_the_glossary_has_microsoft_learns_terms():
    text = GLOSSARY.read_text(encoding="utf-8")
    for english, spanish in [("deployment", "implementación"),
                             ("managed identity", "identidad administrada"),
                             ("API key", "clave de API"),
                             ("Microsoft Entra ID", "Id. de Microsoft Entra"),
                             ("role assignment", "asignación de roles")]:
        assert f"| {english} | {spanish} |" in text
    assert "Azure Active Directory" in text


def test_the_check_finds_an_english_term_in_prose_but_not_in_code_or_italics():
    terms = english_terms()
    assert untranslated("Cree una deployment nueva.", terms) == ["deployment"]
    assert untranslated("El **endpoint** del recurso.", terms) == ["endpoint"]
    assert untranslated("Use `deployment_name` y las notificaciones (*claims*).", terms) == []
    assert untranslated("```bash\naz deployment list\n```", terms) == []


@pytest.mark.parametrize("text", spanish_texts())
def test_spanish_prose_uses_the_glossary(text: str):
    assert untranslated(text, english_terms()) == []
