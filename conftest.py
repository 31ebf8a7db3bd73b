"""Pytest set-up for the whole repository (loaded for tests/ and notebooks/ alike).

nbval starts each notebook's kernel with jupyter_client's ``KernelManager``, on loopback TCP
ports that parallel kernels race for; it has no option to take another manager. So its
module's reference is pointed at the IPC variant papermill's kernels already use
(tools/ipc_kernels.py): the kernel, nbval and the notebooks themselves run unchanged.

The workers share the tests one by one (``--dist loadgroup``: the longest file no longer sets
the wall-clock); what must stay on one worker is an ``xdist_group``: a notebook's nbval cells
(one kernel, in order), and a module's tests that read one expensive module fixture.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tools"))


def pytest_configure(config: pytest.Config) -> None:
    import nbval.kernel
    from ipc_kernels import SyncIPCKernelManager

    nbval.kernel.KernelManager = SyncIPCKernelManager


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    from nbval.plugin import IPyNbCell

    for item in items:
        if isinstance(item, IPyNbCell):
            notebook = item.path.relative_to(ROOT).as_posix()
            item.add_marker(pytest.mark.xdist_group(f"nbval:{notebook}"))
