"""Where things are: the project root, the venv and its interpreter, the wheelhouse.

The venv's scripts folder comes from ``sysconfig``'s ``venv`` scheme (``Scripts`` on
Windows, ``bin`` elsewhere) and the executable suffix from ``EXE``: never written by hand.
"""

from __future__ import annotations

import os
import sysconfig
from dataclasses import dataclass
from pathlib import Path

#: The repository: azure_llm_helpers/course/layout.py -> three levels up.
ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_VENV = ROOT / ".venv"
WHEELHOUSE_ENV = "COURSE_WHEELHOUSE"  # another wheelhouse folder
PYPROJECT = ROOT / "pyproject.toml"
VENV_ENV = "COURSE_VENV"  # another venv folder (make canary uses one)


def wheelhouse_dir() -> Path:
    """Where offline wheels are: ``wheelhouse/`` beside the course, or $COURSE_WHEELHOUSE."""
    value = os.environ.get(WHEELHOUSE_ENV)
    return Path(value) if value else ROOT / "wheelhouse"


def scripts_dir(venv: Path, os_name: str = os.name) -> Path:
    """The folder holding ``python`` and console scripts in ``venv`` on ``os_name``."""
    scheme = "nt" if os_name == "nt" else "posix_prefix"
    if os_name == os.name and "venv" in sysconfig.get_scheme_names():
        scheme = "venv"  # 3.11+: exactly the layout `python -m venv` makes here
    base = str(venv)
    return Path(sysconfig.get_path("scripts", scheme, vars={"base": base, "platbase": base}))


def executable(venv: Path, name: str, os_name: str = os.name) -> Path:
    """A program in the venv's scripts folder (``python`` -> ``python.exe`` on Windows)."""
    suffix = ".exe" if os_name == "nt" else ""
    return scripts_dir(venv, os_name) / f"{name}{suffix}"


@dataclass(frozen=True)
class Venv:
    """The course's virtual environment."""

    path: Path

    @classmethod
    def chosen(cls, override: str | None = None) -> Venv:
        value = override or os.environ.get(VENV_ENV)
        path = Path(value) if value else DEFAULT_VENV
        return cls(path if path.is_absolute() else (ROOT / path))

    @property
    def python(self) -> Path:
        return executable(self.path, "python")

    @property
    def stamp(self) -> Path:
        """What was installed, and from which pyproject.toml (see ``install.py``)."""
        return self.path / ".installed"

    def program(self, name: str) -> Path:
        return executable(self.path, name)

    def exists(self) -> bool:
        return self.python.is_file()
