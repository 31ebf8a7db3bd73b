"""The instructor guide's agendas add up to the lessons' own time estimates.

Each lesson says "**Time:** about N minutes" at its top. In each agenda a lesson's row gives
the minutes taught and, optionally, what is cut to read at home with its minutes in
parentheses: taught + cut must be the lesson's estimate. Every lesson present appears once
in each agenda, start times follow from the minutes, and the totals are the agenda's hours.
The Spanish guide's agendas follow the same rule, with its own headings and words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent

@dataclass(frozen=True)
class Guide:
    path: Path
    agendas: dict[str, int]  # heading -> minutes
    start: str  # the columns' names
    lesson: str
    minutes: str
    cut: str  # what the cut column's name starts with
    others: str  # the rows that are not lessons


GUIDES = {
    "en": Guide(ROOT / "docs" / "instructor_guide.md", {"Two hours": 120, "Three hours": 180},
                "start", "lesson or break", "minutes", "cut", "welcome|break|wrap-up"),
    "es": Guide(ROOT / "docs" / "es" / "guia_del_instructor.md",
                {"Dos horas": 120, "Tres horas": 180}, "inicio", "lección o descanso",
                "minutos", "recorte", "bienvenida|descanso|cierre"),
}
AGENDAS = [(lang, title, total) for lang, guide in GUIDES.items()
           for title, total in guide.agendas.items()]


def lesson_estimates() -> dict[str, int]:
    found = {}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        text = "\n".join(c.source for c in nbformat.read(path, 4).cells[:3])
        match = re.search(r"\*\*Time:\*\* about (\d+) minutes", text)
        assert match, f"{path.name} states no '**Time:** about N minutes'"
        found[path.stem] = int(match.group(1))
    return found


def agenda_rows(guide: Guide, title: str) -> list[dict[str, str]]:
    text = guide.path.read_text(encoding="utf-8")
    section = re.search(rf"^### {title}\n(.*?)(?=^#|\Z)", text, re.M | re.S)
    assert section, f"the guide has no '### {title}' agenda"
    lines = [line for line in section.group(1).splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    return [dict(zip(header, (cell.strip() for cell in line.strip("|").split("|")), strict=True))
            for line in lines[2:]]


def cut_minutes(guide: Guide, row: dict[str, str]) -> int:
    cut = next((v for k, v in row.items() if k.startswith(guide.cut)), "")
    match = re.search(r"\((\d+)\)$", cut)
    assert bool(match) == bool(cut), f"cut {cut!r}: end it with its minutes, e.g. '(5)'"
    return int(match.group(1)) if match else 0


@pytest.mark.parametrize(("lang", "title", "total"), AGENDAS)
def test_each_agenda_matches_the_lessons_estimates(lang: str, title: str, total: int):
    guide, estimates = GUIDES[lang], lesson_estimates()
    taught: dict[str, int] = {}
    for row in agenda_rows(guide, title):
        name = row[guide.lesson].strip("`")
        if name in estimates:
            assert name not in taught, f"{name} appears twice in '{title}'"
            taught[name] = int(row[guide.minutes])
            cut = cut_minutes(guide, row)
            assert taught[name] + cut == estimates[name], (
                f"'{title}': {name} teaches {taught[name]} min and cuts {cut}, "
                f"but the lesson says {estimates[name]}")
        else:
            assert re.fullmatch(guide.others, name), f"unknown row {name!r}"
    assert set(taught) == set(estimates), f"'{title}' lacks {set(estimates) - set(taught)}"


@pytest.mark.parametrize(("lang", "title", "total"), AGENDAS)
def test_each_agenda_keeps_time(lang: str, title: str, total: int):
    guide, clock = GUIDES[lang], 0
    for row in agenda_rows(guide, title):
        hours, minutes = row[guide.start].split(":")
        assert int(hours) * 60 + int(minutes) == clock, f"'{title}': {row} starts at {clock}"
        clock += int(row[guide.minutes])
    assert clock == total


@pytest.mark.parametrize(("lang", "title", "total"), AGENDAS)
def test_each_agenda_teaches_todays_azure(lang: str, title: str, total: int):
    # Lessons 05-07 are what a learner going live meets at once: never cut whole.
    guide = GUIDES[lang]
    rows = {row[guide.lesson].strip("`"): row for row in agenda_rows(guide, title)}
    for lesson in ("05_v1_api", "06_responses", "07_reasoning_and_lifecycle"):
        if lesson in lesson_estimates():
            assert int(rows[lesson][guide.minutes]) >= 10, f"'{title}' barely teaches {lesson}"


def test_the_guide_reads_every_lesson_present():
    assert len(lesson_estimates()) >= 5
    assert sum(lesson_estimates().values()) > 120  # why the two-hour agenda needs cuts


def lesson_sections(folder: Path) -> dict[str, set[str]]:
    found = {}
    for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        found[path.stem] = {line[3:].strip() for cell in nbformat.read(path, 4).cells
                            if cell.cell_type == "markdown"
                            for line in cell.source.splitlines() if line.startswith("## ")}
    return found


@pytest.mark.parametrize(("lang", "title", "total"), AGENDAS)
def test_each_cut_names_real_sections_of_its_lesson(lang: str, title: str, total: int):
    # The Spanish names are checked against notebooks/es/ for the lessons translated so far.
    guide = GUIDES[lang]
    sections = lesson_sections(ROOT / "notebooks" / ("es" if lang == "es" else ""))
    both = re.compile(r"(Exercises|Ejercicios) 1 (and|y) 2")
    for row in agenda_rows(guide, title):
        lesson = row[guide.lesson].strip("`")
        cut = next((v for k, v in row.items() if k.startswith(guide.cut)), "")
        if lesson not in sections or not cut:
            continue
        for item in re.sub(r" \(\d+\)$", "", cut).split("; "):
            if both.fullmatch(item):
                word = item.split()[0][:-1]  # "Exercise" / "Ejercicio"
                wanted = [f"{word} 1", f"{word} 2"]
            else:
                wanted = [item]
            for name in wanted:
                assert any(s == name or s.startswith(name + ":") for s in sections[lesson]), (
                    f"'{title}': {lesson} has no section {name!r}")
