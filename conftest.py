"""Pytest set-up for the whole repository (loaded for tests/ and notebooks/ alike).

nbval starts each notebook's kernel with jupyter_client's ``KernelManager``, on loopback TCP
ports that parallel kernels race for; it has no option to take another manager. So its
module's reference is pointed at the IPC variant papermill's kernels already use
(tools/ipc_kernels.py): the kernel, nbval and the notebooks themselves run unchanged.

Its kernels are warm (tests/warm_kernels): real ipykernels forked from a process that has
imported openai, langchain and the rest once; COURSE_COLD_KERNELS=1 starts them cold.

The workers share the suite by scope (``--dist loadscope``, with the scopes set here): a file
goes whole to one worker (a notebook's nbval cells share one kernel, in order; a module's
tests share its fixtures), but the long tests in SPLIT go one by one, so the longest file no
longer sets the wall-clock, and both JupyterLab files go together (one server, one browser).
pytest-xdist's own ``loadgroup`` cannot do this under pytest 9: it renames items through a
node attribute pytest no longer reads.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tools"))
import _quick_imports  # noqa: E402, F401 - before nbval imports nbformat: see its docstring

pytest_plugins = ["nbval"]  # here, not `-p nbval`, which would load it before the line above


def pytest_configure(config: pytest.Config) -> None:
    import nbval.kernel
    from ipc_kernels import SyncIPCKernelManager

    nbval.kernel.KernelManager = SyncIPCKernelManager
    from tests import warm_kernels

    # Once per session, before the workers start: they and their kernels inherit it.
    if not hasattr(config, "workerinput") and warm_kernels.wanted():
        warm = warm_kernels.WarmKernels().start()
        os.environ.update(warm.env)
        config.pluginmanager.register(warm, "warm-kernels")


# Tests that each execute a lesson or more and share nothing but session fixtures.
SPLIT = (
    "tests/test_lessons.py::test_lesson_runs_against_the_mock",
    "tests/test_lessons_live.py::test_lesson_runs_live_with_names_from_dotenv",
    "tests/test_spanish_lessons.py::test_spanish_lesson_runs_against_the_mock",
    "tests/test_recording_lessons.py::",
    "tests/test_exercises_standalone.py::test_each_exercise_runs_right_after_setup",
)
TOGETHER = {"tests/browser/test_lab.py": "jupyterlab",
            "tests/browser/test_lab_spanish.py": "jupyterlab"}


def scope_of(nodeid: str) -> str:
    if nodeid.startswith(SPLIT):
        return nodeid
    file = nodeid.split("::", 1)[0]
    return TOGETHER.get(file, file)


# The longest browser scopes first among them (JupyterLab's ~70 s, the HTML edition's ~35 s),
# so that the other worker fills the tail with the short ones.
BROWSER_FIRST = ("tests/browser/test_lab.py", "tests/browser/test_lab_spanish.py",
                 "tests/browser/test_html_edition.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser tests last: Playwright's sync API keeps an event loop running in the
    worker until the session ends, and a later test's asyncio.run() would fail on it."""
    def order(item: pytest.Item) -> tuple[bool, int]:
        file = item.nodeid.split("::", 1)[0]
        rank = BROWSER_FIRST.index(file) if file in BROWSER_FIRST else len(BROWSER_FIRST)
        return file.startswith("tests/browser/"), rank

    items.sort(key=order)


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Scopes(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return scope_of(nodeid)

    # In collection order (the browser files last, see above).
    config.option.loadscopereorder = False
    return Scopes(config, log)
