"""``doctor``: a pre-flight go/no-go table for one laptop, each no-go with its fix.

The checks that need the course's packages run inside the venv (``checks.py``, as a
child process speaking JSON); the ones about the machine itself run here, with the
standard library only, so a laptop without a venv still gets a table rather than a
traceback. Exit status 0 is "go", 1 is at least one "no-go".
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import asdict, dataclass

from .install import minimum_python
from .layout import ROOT, Venv

DEFAULT_PORT = 8888  # JupyterLab's


@dataclass(frozen=True)
class Row:
    check: str
    ok: bool
    detail: str
    fix: str = ""


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("doctor", help="pre-flight checks for this laptop (go/no-go)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"the port JupyterLab will use (default {DEFAULT_PORT})")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")


def python_row(version: tuple[int, int, int] | None = None) -> Row:
    version = version or sys.version_info[:3]
    need = minimum_python()
    shown = ".".join(map(str, version))
    if tuple(version[:2]) >= need:
        return Row("python", True, f"Python {shown} ({sys.executable})")
    return Row("python", False, f"Python {shown} is too old",
               f"install Python {need[0]}.{need[1]} or newer (python.org, or your package "
               "manager) and run the course's commands with it")


def venv_row(env: Venv) -> Row:
    if not env.exists():
        return Row("venv", False, f"no course venv at {env.path}",
                   "run `make lab` once (Windows: `py -m azure_llm_helpers.course install`)")
    if not env.stamp.is_file():
        return Row("venv", False, f"{env.path} exists but the course was never fully installed",
                   "run `python -m azure_llm_helpers.course install` (or `make lab`)")
    return Row("venv", True, str(env.python))


def inner_rows(env: Venv, port: int) -> list[Row]:
    """The checks ``checks.py`` runs with the venv's interpreter."""
    command = [str(env.python), "-m", "azure_llm_helpers.course.checks", "--port", str(port)]
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [_unusable(env, str(exc))]
    try:
        return [Row(**row) for row in json.loads(done.stdout)]
    except (ValueError, TypeError):
        return [_unusable(env, (done.stderr.strip().splitlines() or ["no output"])[-1])]


def _unusable(env: Venv, why: str) -> Row:
    return Row("venv checks", False, f"the venv's Python could not run them: {why}",
               f"delete {env.path.name} and run `make lab` again")


def rows_for(env: Venv, port: int) -> list[Row]:
    rows = [python_row(), venv_row(env)]
    if rows[1].ok:
        rows += inner_rows(env, port)
    return rows


def render(rows: list[Row]) -> str:
    width = max(len(r.check) for r in rows)
    lines = [f"{'check':<{width}}  {'':5}  detail", f"{'-' * width}  -----  ------"]
    for r in rows:
        lines.append(f"{r.check:<{width}}  {'go' if r.ok else 'NO-GO':5}  {r.detail}")
        if not r.ok and r.fix:
            lines.append(f"{'':<{width}}         fix: {r.fix}")
    verdict = "GO: this laptop is ready" if all(r.ok for r in rows) else \
        f"NO-GO: {sum(not r.ok for r in rows)} check(s) to fix (see fix: lines above)"
    return "\n".join([*lines, "", verdict])


def main(env: Venv, args: argparse.Namespace) -> int:
    rows = rows_for(env, args.port)
    if args.json:
        print(json.dumps([asdict(r) for r in rows], indent=1))
    else:
        print(render(rows))
    return 0 if all(r.ok for r in rows) else 1
