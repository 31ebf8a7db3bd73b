"""Create the course's venv and install the course into it: ``uv`` when it can, else ``pip``.

Both installers read the same ranges from ``pyproject.toml`` (there is no second list).
``uv`` is used from PATH when the machine has it; otherwise it is installed into the venv
itself (one wheel, from PyPI or the wheelhouse, by the base interpreter's ``pip --python``)
rather than into anyone's base interpreter. The venv is made without pip (seeding it is
the slow part of ``python -m venv``); uv then installs pip beside the course. If uv cannot be
had, or ``COURSE_INSTALLER=pip`` says so, pip (seeded by ``ensurepip``) does it all.
Offline, both read only ``wheelhouse/`` (``--no-index --find-links``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
import venv as stdlib_venv
from collections.abc import Iterable
from pathlib import Path

from .layout import PYPROJECT, ROOT, Venv, wheelhouse_dir

INSTALLER_ENV = "COURSE_INSTALLER"  # auto (default) | uv | pip
INSTALLERS = ("auto", "uv", "pip")


class InstallError(RuntimeError):
    """The install cannot go on; the message says why and what to do."""


def pyproject() -> dict:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))


def minimum_python() -> tuple[int, int]:
    """From ``requires-python = ">=3.11"``."""
    spec = pyproject()["project"]["requires-python"].strip()
    major, minor = spec.removeprefix(">=").split(".")[:2]
    return int(major), int(minor)


def known_extras() -> set[str]:
    return set(pyproject()["project"].get("optional-dependencies", {}))


def requirement_strings(extras: Iterable[str]) -> list[str]:
    """The base dependencies and those of ``extras``, an extra naming the course itself
    (``azure-llm-helpers[mock]``) replaced by what that extra names."""
    project = pyproject()["project"]
    itself = re.compile(rf"{re.escape(project['name'])}\[([^\]]+)\]")
    found, seen, todo = list(project["dependencies"]), set(), list(extras)
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for requirement in project.get("optional-dependencies", {}).get(extra, []):
            nested = itself.fullmatch(requirement.replace(" ", ""))
            if nested:
                todo += nested.group(1).split(",")
            elif requirement not in found:
                found.append(requirement)
    return found


def extras_for(command: str) -> set[str]:
    """``test`` (and ``python``, the maintainers' door) need the dev tools; the rest need only
    what a learner runs."""
    wanted = {"dev"} if command in ("test", "python") else {"course", "mock"}
    return wanted & known_extras()


def _fingerprint() -> str:
    return hashlib.sha256(PYPROJECT.read_bytes()).hexdigest()


def installed_extras(env: Venv) -> set[str] | None:
    """The extras the stamp records, or None when the venv is missing or out of date."""
    if not env.exists() or not env.stamp.is_file():
        return None
    try:
        stamp = json.loads(env.stamp.read_text(encoding="utf-8"))
    except ValueError:
        return None  # an old Makefile's empty stamp: install again
    if stamp.get("pyproject") != _fingerprint():
        return None
    return set(stamp.get("extras", []))


def ensure(env: Venv, extras: set[str], *, offline: bool = False, quiet: bool = False) -> None:
    """Make ``env`` hold the course with ``extras``; a no-op when its stamp says it does."""
    have = installed_extras(env)
    if have is not None and extras <= have:
        return
    check_python()
    wanted = extras | (have or set())
    if offline and not wheelhouse_dir().is_dir():
        raise InstallError(f"no {wheelhouse_dir()} folder: build one where there is a network "
                           "with `make wheelhouse` (or `python -m azure_llm_helpers.course "
                           "wheelhouse`) and copy the repository with it")
    start = time.perf_counter()
    if not env.exists():
        create(env.path)
    tool = install(env, wanted, offline=offline)
    compile_sources(env.python)
    env.stamp.write_text(json.dumps({"pyproject": _fingerprint(), "extras": sorted(wanted),
                                     "installer": tool}), encoding="utf-8")
    if not quiet:
        print(f"course installed into {_shown(env.path)} with {tool} "
              f"({time.perf_counter() - start:.0f} s)", flush=True)


def check_python() -> None:
    need = minimum_python()
    if sys.version_info[:2] < need:
        raise InstallError(f"Python {need[0]}.{need[1]}+ is required; this is "
                           f"{sys.version.split()[0]} ({sys.executable})")


def create(path: Path) -> None:
    """A bare venv (no pip yet: seeding it is slow, and uv or pip adds it just after)."""
    try:
        stdlib_venv.EnvBuilder(with_pip=False).create(path)
    except OSError as exc:
        shutil.rmtree(path, ignore_errors=True)
        raise InstallError(f"could not create {_shown(path)} ({exc}); on Debian/Ubuntu "
                           "`apt-get install python3-venv` first") from None


def install(env: Venv, extras: set[str], *, offline: bool) -> str:
    """Install ``-e .[extras]`` (and pip, for the learner's own ``%pip``); returns the
    installer that did it."""
    target = "." + (f"[{','.join(sorted(extras))}]" if extras else "")
    source = ["--no-index", "--find-links", str(wheelhouse_dir())] if offline else []
    choice = os.environ.get(INSTALLER_ENV, "auto").lower()
    if choice not in INSTALLERS:
        raise InstallError(f"{INSTALLER_ENV}={choice!r}: use one of {', '.join(INSTALLERS)}")
    uv = None if choice == "pip" else find_uv(env, source)
    if uv is None and choice == "uv":
        raise InstallError(f"{INSTALLER_ENV}=uv but uv is neither on PATH nor installable")
    if uv is not None:
        # --compile-bytecode: pip compiles at install and uv by default does not; without
        # .pyc files (or where PYTHONDONTWRITEBYTECODE is set) every kernel would compile
        # openai and langchain again, about 3 s of CPU each.
        command = [uv, "pip", "install", "-q", "--compile-bytecode", "--python",
                   str(env.python), *source, "pip", "-e", target]
        if _run(command) == 0:
            return "uv"
        print("uv could not install the course; trying pip", file=sys.stderr)
    if not seed_pip(env) or _run([str(env.python), "-m", "pip", "install", "-q", *source,
                                  "-e", target]) != 0:
        hint = ("is wheelhouse/ built for this platform and Python?" if offline
                else "is PyPI reachable? (offline: build a wheelhouse, then OFFLINE=1)")
        raise InstallError(f"pip could not install the course: {hint}")
    return "pip"


def compile_sources(python: Path, package: Path = ROOT / "azure_llm_helpers") -> bool:
    """Compile the course's own modules, as both installers compile everything else: the
    install is editable, so neither does, and where ``PYTHONDONTWRITEBYTECODE`` is set (CI,
    this course's machines) every process compiled them again (55 ms of the mock's start).
    A module edited later is compiled in memory, as before; a failure only costs that."""
    return _run([str(python), "-m", "compileall", "-q", str(package)], quiet=True) == 0


def seed_pip(env: Venv) -> bool:
    """pip inside the venv, from the standard library's bundled wheel, if it is not there."""
    has_pip = [str(env.python), "-c", "import pip"]
    return _run(has_pip, quiet=True) == 0 or _run(
        [str(env.python), "-m", "ensurepip", "--default-pip"], quiet=True) == 0


def find_uv(env: Venv, source: list[str]) -> str | None:
    """uv from PATH, else the venv's own: one wheel, installed by this interpreter's pip
    (``pip --python``, so the venv needs no pip of its own yet) or else by the venv's."""
    on_path = shutil.which("uv")
    if on_path:
        return on_path
    mine = env.program("uv")
    if not mine.is_file():
        if importlib.util.find_spec("pip") is not None:
            _run([sys.executable, "-m", "pip", "--python", str(env.python), "install", "-q",
                  *source, "uv"], quiet=True)
        if not mine.is_file() and seed_pip(env):
            _run([str(env.python), "-m", "pip", "install", "-q", *source, "uv"], quiet=True)
    return str(mine) if mine.is_file() else None


def _run(command: list[str], quiet: bool = False) -> int:
    output = subprocess.DEVNULL if quiet else None
    return subprocess.call(command, cwd=ROOT, stdout=output, stderr=output)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)
