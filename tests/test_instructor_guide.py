"""The instructor guide's agendas add up to the lessons' own time estimates.

Each lesson says "**Time:** about N minutes" at its top. In each agenda a lesson's row gives
the minutes taught and, optionally, what is cut to read at home with its minutes in
parentheses: taught + cut must be the lesson's estimate. Every lesson present appears once
in each agenda, start times follow from the minutes, and the totals are the agenda's hours.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "instructor_guide.md"
AGENDAS = {"Two hours": 120, "Three hours": 180}


def lesson_estimates() -> dict[str, int]:
    found = {}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        text = "\n".join(c.source for c in nbformat.read(path, 4).cells[:3])
        match = re.search(r"\*\*Time:\*\* about (\d+) minutes", text)
        assert match, f"{path.name} states no '**Time:** about N minutes'"
        found[path.stem] = int(match.group(1))
    return found


def agenda_rows(title: str) -> list[dict[str, str]]:
    text = GUIDE.read_text(encoding="utf-8")
    section = re.search(rf"^### {title}\n(.*?)(?=^#|\Z)", text, re.M | re.S)
    assert section, f"the guide has no '### {title}' agenda"
    lines = [line for line in section.group(1).splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    return [dict(zip(header, (cell.strip() for cell in line.strip("|").split("|")), strict=True))
            for line in lines[2:]]


def cut_minutes(row: dict[str, str]) -> int:
    cut = next((v for k, v in row.items() if k.startswith("cut")), "")
    match = re.search(r"\((\d+)\)$", cut)
    assert bool(match) == bool(cut), f"cut {cut!r}: end it with its minutes, e.g. '(5)'"
    return int(match.group(1)) if match else 0


@pytest.mark.parametrize("title", AGENDAS)
def test_each_agenda_matches_the_lessons_estimates(title: str):
    estimates = lesson_estimates()
    rows = agenda_rows(title)
    taught: dict[str, int] = {}
    for row in rows:
        name = row["lesson or break"].strip("`")
        if name in estimates:
            assert name not in taught, f"{name} appears twice in '{title}'"
            taught[name] = int(row["minutes"])
            assert taught[name] + cut_minutes(row) == estimates[name], (
                f"'{title}': {name} teaches {taught[name]} min and cuts {cut_minutes(row)}, "
                f"but the lesson says {estimates[name]}")
        else:
            assert re.fullmatch(r"welcome|break|wrap-up", name), f"unknown row {name!r}"
    assert set(taught) == set(estimates), f"'{title}' lacks {set(estimates) - set(taught)}"


@pytest.mark.parametrize(("title", "total"), AGENDAS.items())
def test_each_agenda_keeps_time(title: str, total: int):
    clock = 0
    for row in agenda_rows(title):
        hours, minutes = row["start"].split(":")
        assert int(hours) * 60 + int(minutes) == clock, f"'{title}': {row} starts at {clock}"
        clock += int(row["minutes"])
    assert clock == total


def test_the_guide_reads_every_lesson_present():
    assert len(lesson_estimates()) >= 5
    assert sum(lesson_estimates().values()) > 120  # why the two-hour agenda needs cuts
