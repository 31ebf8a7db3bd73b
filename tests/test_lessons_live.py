"""Every lesson in live mode, against the mock treated as a remote resource through a .env.

The mock's deployments are renamed (names no lesson knows), so a lesson passes only if it
takes its deployment names from .env. Without a .env, or with the unedited .env.example,
the first error a learner sees must name the fix: every lesson is checked, all in one kernel
per case (a kernel each cost more than the cells that fail), each lesson from a clean slate
and stopped at its first error, as papermill stops.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from azure_llm_helpers.mock import MockServer

from .one_kernel import run_each
from .secret_scan import secrets_in_outputs

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
sys.path.insert(0, str(ROOT / "tools"))
import run_lessons  # noqa: E402  (the same kernel set-up as make run)

LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
COURSE_VARIABLES = ("AZURE_OPENAI_", "OPENAI_", "IDENTITY_", "AZURE_POD_IDENTITY_")
RENAMED = {"completions": "team-instruct", "chat": "team-chat", "embeddings": "team-vectors",
           "responses": "team-responses", "reasoning": "team-reasoning"}
RENAMED_CONFIG = """
[[deployments]]
name = "team-instruct"
model = "gpt-35-turbo-instruct"
version = "0914"
kind = "completions"

[[deployments]]
name = "team-chat"
model = "gpt-4o-mini"
version = "2024-07-18"
kind = "chat"

[[deployments]]
name = "team-vectors"
model = "text-embedding-ada-002"
version = "2"
kind = "embeddings"

[[deployments]]
name = "team-responses"
model = "gpt-5.2"
version = "2025-12-11"
kind = "reasoning"

[[deployments]]
name = "team-reasoning"
model = "gpt-5-mini"
version = "2025-08-07"
kind = "reasoning"
"""


@pytest.fixture(scope="module")
def remote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    config = tmp_path_factory.mktemp("remote") / "renamed.toml"
    config.write_text(RENAMED_CONFIG)
    with MockServer(config_file=config) as server:
        yield server


@pytest.fixture
def learner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A learner's machine: no course variables in the shell, lessons in a fresh folder."""
    for name in list(os.environ):
        if name.startswith(COURSE_VARIABLES):
            monkeypatch.delenv(name)
    return tmp_path


def run_live(lesson: Path, folder: Path, auth: str = "key") -> nbformat.NotebookNode:
    copy = folder / lesson.name
    shutil.copy(lesson, copy)
    output = folder / f"out-{lesson.name}"
    parameters = {"mode": "live"}
    if "auth = " in lesson.read_text(encoding="utf-8"):
        parameters["auth"] = auth
    # A failing lesson is expected in some tests: the caller reads its first error.
    with contextlib.suppress(run_lessons.papermill.PapermillExecutionError):
        run_lessons.execute(copy, output, parameters)  # its kernel starts in ``folder``
    return nbformat.read(output, as_version=4)


def first_error(nb: nbformat.NotebookNode) -> dict | None:
    for cell in nb.cells:
        if cell.cell_type != "code" or "raises-exception" in cell.metadata.get("tags", []):
            continue
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                return {"ename": out.ename, "evalue": out.evalue,
                        "traceback": "\n".join(out.traceback)}
    return None


@pytest.mark.notebooks
@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_runs_live_with_names_from_dotenv(lesson: Path, learner: Path, remote,
                                                 monkeypatch: pytest.MonkeyPatch):
    env = {n: remote.env[n] for n in ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY",
                                      "OPENAI_API_VERSION")}
    env.update({f"AZURE_OPENAI_{k.upper()}_DEPLOYMENT": v for k, v in RENAMED.items()})
    (learner / ".env").write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    # Lesson 01's identity parts: as if the code ran in App Service, with `az` signed in.
    for name in ("IDENTITY_ENDPOINT", "IDENTITY_HEADER", "AZURE_OPENAI_MOCK_URL"):
        monkeypatch.setenv(name, remote.env[name])
    from azure_llm_helpers.mock.identity import az_shim_dir

    monkeypatch.setenv("PATH", f"{az_shim_dir()}{os.pathsep}{os.environ['PATH']}")
    executed = run_live(lesson, learner)
    assert first_error(executed) is None, first_error(executed)
    text = json.dumps([c.get("outputs", []) for c in executed.cells])
    assert "team-" in text, "the deployment names from .env reach the lesson"
    port = remote.env["AZURE_OPENAI_ENDPOINT"].rsplit(":", 1)[1].strip("/")
    assert f"127.0.0.1:{port}" not in text, "no endpoint with the mock's port in any output"
    assert secrets_in_outputs(learner / f"out-{lesson.name}") == []


def live_cells(lesson: Path) -> list[nbformat.NotebookNode]:
    """The lesson's code cells, with papermill's parameters cell for live mode."""
    cells = []
    for cell in nbformat.read(lesson, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        cells.append(cell)
        if "parameters" in cell.metadata.get("tags", []):
            injected = 'mode = "live"\n' + ('auth = "key"\n' if "auth = " in cell.source else "")
            cells.append(nbformat.v4.new_code_cell(injected))
    return cells


def first_errors_in_one_kernel(folder: Path) -> dict[str, dict | None]:
    """Each lesson's first error in live mode (None if it ran through), one kernel for all."""
    ran = run_each({lesson.stem: live_cells(lesson) for lesson in LESSONS}, folder)
    return {stem: first_error(nbformat.v4.new_notebook(cells=cells)) for stem, cells in ran.items()}


@pytest.fixture(scope="module")
def without_dotenv(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict | None]:
    with pytest.MonkeyPatch.context() as env:
        for name in [n for n in os.environ if n.startswith(COURSE_VARIABLES)]:
            env.delenv(name)
        return first_errors_in_one_kernel(tmp_path_factory.mktemp("learner"))


@pytest.fixture(scope="module")
def with_the_example(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict | None]:
    folder = tmp_path_factory.mktemp("learner")
    shutil.copy(ROOT / ".env.example", folder / ".env")
    with pytest.MonkeyPatch.context() as env:
        for name in [n for n in os.environ if n.startswith(COURSE_VARIABLES)]:
            env.delenv(name)
        return first_errors_in_one_kernel(folder)


@pytest.mark.notebooks
@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_without_dotenv_the_first_error_names_the_fix(lesson: Path, without_dotenv):
    error = without_dotenv[lesson.stem]
    assert error is not None
    assert "AZURE_OPENAI_ENDPOINT is not set" in error["evalue"]
    assert "Keys and Endpoint" in error["evalue"]


@pytest.mark.notebooks
@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_with_the_unedited_example_the_first_error_names_the_placeholders(lesson: Path,
                                                                          with_the_example):
    error = with_the_example[lesson.stem]
    assert error is not None
    assert "placeholder" in error["evalue"] and "Keys and Endpoint" in error["evalue"]
    assert "APIConnectionError" not in error["ename"]
