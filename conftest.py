"""Pytest set-up for the whole repository (loaded for tests/ and notebooks/ alike).

nbval starts each notebook's kernel with jupyter_client's ``KernelManager``, on loopback TCP
ports that parallel kernels race for; it has no option to take another manager. So its
module's reference is pointed at the IPC variant papermill's kernels already use
(tools/ipc_kernels.py): the kernel, nbval and the notebooks themselves run unchanged.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))


def pytest_configure(config: pytest.Config) -> None:
    import nbval.kernel
    from ipc_kernels import SyncIPCKernelManager

    nbval.kernel.KernelManager = SyncIPCKernelManager
