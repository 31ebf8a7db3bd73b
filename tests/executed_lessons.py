"""Each (edition, lesson, auth) executed at most once per test session, shared by its readers.

A lesson run costs a kernel and ten seconds or more, and several tests read the same run (the
lesson's own checks, the HTML edition, the Spanish widget labels). pytest-xdist's documented
pattern shares it between the workers: the first to ask executes it under a file lock in the
session's common temporary folder; the others read the notebook it left there.

Each run uses the runner's own papermill call (tools/run_lessons.py, as ``make run``), its
kernel inheriting a fresh mock (no other test's quota spent on it, as under nbval), whose key
is kept beside the notebook so that tests can look for it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from filelock import FileLock

from azure_llm_helpers.mock import MockServer

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


@dataclass(frozen=True)
class Executed:
    """A lesson as papermill left it, and the key of the mock it ran against."""

    path: Path
    key: str

    def read(self) -> nbformat.NotebookNode:
        return nbformat.read(self.path, as_version=4)

    def errors(self) -> list[str]:
        """Error outputs, but in cells tagged raises-exception (they fail on purpose)."""
        return [f"cell {i}: {o.ename}: {o.evalue}" for i, c in enumerate(self.read().cells)
                if c.cell_type == "code" and "raises-exception" not in c.metadata.get("tags", [])
                for o in c.get("outputs", []) if o.output_type == "error"]


class ExecutedLessons:
    """Lessons executed on demand, once per session whichever worker asks first."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get(self, lesson: Path, auth: str | None = None) -> Executed:
        """``lesson`` run in mode=mock (with ``auth`` if given) in a kernel started in its
        folder (notebooks/es/ for the Spanish edition)."""
        import run_lessons  # tools/ is on sys.path (the root conftest.py)

        edition = lesson.parent.relative_to(NOTEBOOKS).as_posix().replace("/", "-") or "en"
        target = self.folder / f"{edition}-{lesson.stem}-{auth or 'default'}.ipynb"
        meta = target.with_suffix(".json")
        with FileLock(f"{target}.lock"):
            if not meta.is_file():
                parameters = {"mode": "mock", **({"auth": auth} if auth else {})}
                failure = None
                with MockServer() as mock, pytest.MonkeyPatch.context() as env:
                    for name, value in mock.env.items():
                        env.setenv(name, value)  # the kernel inherits it, as under `make lab`
                    try:
                        run_lessons.execute(lesson, target, parameters)
                    except run_lessons.papermill.PapermillExecutionError:
                        pass  # the notebook is written: its error outputs are for the reader
                    except Exception as exc:  # noqa: BLE001 - every reader fails with it
                        failure = f"{type(exc).__name__}: {exc}"
                meta.write_text(json.dumps({"key": mock.config.api_key,
                                            "failure": failure}), encoding="utf-8")
        recorded = json.loads(meta.read_text(encoding="utf-8"))
        if recorded["failure"]:
            pytest.fail(f"{lesson.name} (auth={auth}) did not run: {recorded['failure']}")
        return Executed(target, recorded["key"])


def shared_folder(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The folder every worker of this session sees (its own base folder without xdist)."""
    base = tmp_path_factory.getbasetemp()
    folder = (base if worker_id == "master" else base.parent) / "executed-lessons"
    folder.mkdir(exist_ok=True)
    return folder
