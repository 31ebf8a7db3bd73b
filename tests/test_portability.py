"""No code path may assume POSIX: the course runs on Windows laptops too.

Scanned: every Python file under azure_llm_helpers/, tools/ and bench/ (and hub/). What is
refused: a hard-coded venv layout (``bin/``: ``sysconfig`` knows it is ``Scripts\\`` on
Windows), a hard-coded temp dir (``/tmp``: ``tempfile.gettempdir()``), ``:`` as the PATH
separator (``os.pathsep``), and signals Windows lacks (SIGKILL, SIGHUP, ...).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("azure_llm_helpers", "tools", "bench", "hub")

RULES = {
    "hard-coded venv layout (use sysconfig / azure_llm_helpers.course.layout)":
        re.compile(r"""(?:["'/\\]|^)bin[/\\]|[/\\]bin["']"""),
    "hard-coded temp dir (use tempfile.gettempdir())": re.compile(r"""["'`]/tmp\b"""),
    "':' as the PATH separator (use os.pathsep)":
        re.compile(r""":\$\{?PATH\b|["']:["']\s*\.join|\.split\(\s*["']:["']\s*\)\s*#?.*PATH"""
                   r"""|PATH.*\.split\(\s*["']:["']"""),
    "a POSIX-only signal (Windows has SIGINT, SIGTERM, SIGBREAK, SIGABRT only)":
        re.compile(r"\bSIG(?:KILL|HUP|USR1|USR2|QUIT|CHLD|ALRM|PIPE|STOP|CONT|TSTP|WINCH)\b"
                   r"|\bos\.killpg\b|\bos\.kill\(\s*[^,]+,\s*9\s*\)"),
}


def offences(text: str) -> list[tuple[int, str, str]]:
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        for rule, pattern in RULES.items():
            if pattern.search(line):
                found.append((number, rule, line.strip()))
    return found


def scanned_files() -> list[Path]:
    return sorted(p for top in SCANNED for p in (ROOT / top).rglob("*.py")
                  if "__pycache__" not in p.parts)


def test_the_scan_covers_the_course_code():
    names = {p.relative_to(ROOT).as_posix() for p in scanned_files()}
    assert "azure_llm_helpers/course/layout.py" in names
    assert "tools/run_lessons.py" in names
    assert any(n.startswith("bench/") for n in names)


@pytest.mark.parametrize("path", scanned_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_posix_only_assumption(path: Path):
    found = offences(path.read_text(encoding="utf-8"))
    assert not found, "\n".join(f"{path.name}:{n}: {rule}: {line}" for n, rule, line in found)


@pytest.mark.parametrize("line", [
    'python = venv / "bin/python"',
    "PY = '.venv/bin/python'",
    'subprocess.run([".venv/bin/pip"])',
    'scratch = Path("/tmp") / "x"',
    "out = '/tmp/course.log'",
    'env["PATH"] = f"{shim}:$PATH"',
    'env["PATH"] = ":".join([shim, env["PATH"]])',
    'parts = os.environ["PATH"].split(":")',
    "os.kill(pid, signal.SIGKILL)",
    "signal.signal(signal.SIGHUP, handler)",
    "os.killpg(group, signal.SIGTERM)",
])
def test_the_rules_catch_each_kind_of_offence(line: str):
    assert offences(line), line


@pytest.mark.parametrize("line", [
    'scripts = sysconfig.get_path("scripts", "venv")',
    'az_dir = Path(__file__).with_name("bin")',
    'host, port = netloc.rsplit(":", 1)',
    'env["PATH"] = os.pathsep.join([shim, env["PATH"]])',
    "signal.signal(signal.SIGTERM, handler)",
    'url = f"http://127.0.0.1:{port}/tmpfile"',
])
def test_the_rules_leave_portable_code_alone(line: str):
    assert not offences(line), line
