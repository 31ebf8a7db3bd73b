"""Several lessons' cells in one kernel, each lesson from a clean slate.

A kernel's start and the first imports of openai and langchain cost more than the few cells
some tests run per lesson, so those tests run every lesson in one kernel. Before each lesson:
no variable of the last one (``%reset -f``), the process environment as the kernel started,
the course's modules (and their caches, the in-kernel mock among them) unloaded. Each lesson
stops at its first error, as papermill stops a notebook.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import nbformat
from ipc_kernels import IPCKernelManager  # tools/ is on sys.path (the root conftest.py)
from nbclient import NotebookClient

START = "import os, sys\nsys.environment_at_start = dict(os.environ)"
CLEAN_SLATE = """%reset -f
import os, sys
os.environ.clear()
os.environ.update(sys.environment_at_start)
for name in [m for m in sys.modules if m.split(".")[0] in ("azure_llm_helpers", "dotenv")]:
    del sys.modules[name]
"""


def failed(cell: nbformat.NotebookNode) -> bool:
    """An error output in a cell not tagged raises-exception (those fail on purpose)."""
    return "raises-exception" not in cell.metadata.get("tags", []) and any(
        o.output_type == "error" for o in cell.get("outputs", []))


def run_each(lessons: dict[str, list[nbformat.NotebookNode]], folder: Path
             ) -> dict[str, list[nbformat.NotebookNode]]:
    """Each lesson's cells run in order in one kernel started in ``folder``; returns, per
    lesson, the cells that ran (with their outputs), the last one failed if any did.

    nbclient's async API in an event loop of its own: its blocking wrappers leave a loop
    behind in the worker, where a later test's asyncio.run() would fail.
    """
    return asyncio.run(_run_each(lessons, folder))


async def _run_each(lessons: dict[str, list[nbformat.NotebookNode]], folder: Path
                    ) -> dict[str, list[nbformat.NotebookNode]]:
    client = NotebookClient(nbformat.v4.new_notebook(), kernel_name="python3",
                            allow_errors=True, timeout=300, kernel_manager_class=IPCKernelManager,
                            shutdown_kernel="immediate",
                            resources={"metadata": {"path": str(folder)}})
    ran: dict[str, list[nbformat.NotebookNode]] = {}
    async with client.async_setup_kernel():
        await _run(client, nbformat.v4.new_code_cell(START))
        for name, cells in lessons.items():
            if failed(await _run(client, nbformat.v4.new_code_cell(CLEAN_SLATE))):
                raise RuntimeError(f"no clean slate before {name}: {client.nb.cells[-1].outputs}")
            ran[name] = []
            for cell in cells:
                copy = nbformat.v4.new_code_cell(cell.source, metadata=cell.metadata)
                ran[name].append(await _run(client, copy))
                if failed(copy):
                    break
    return ran


async def _run(client: NotebookClient, cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    client.nb.cells.append(cell)
    await client.async_execute_cell(cell, len(client.nb.cells) - 1)
    return cell
