"""Jupyter kernels that talk ZeroMQ over Unix sockets, not loopback TCP ports.

Parallel kernels (pytest workers, papermill, nbval, JupyterLab) otherwise race for the TCP
ports each one picks ("Address already in use"), and ipykernel warns about unencrypted TCP.
``make run`` and the lesson tests hand :class:`IPCKernelManager` to papermill;
``tests/conftest.py`` gives nbval :class:`SyncIPCKernelManager`.
"""

from __future__ import annotations

import os
import tempfile
import uuid

from jupyter_client.manager import AsyncKernelManager, KernelManager
from traitlets import CaselessStrEnum, HasTraits, default


class IPCTransport(HasTraits):
    """IPC on POSIX (TCP on Windows, which has no Unix sockets for ZeroMQ)."""

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="tcp" if os.name == "nt" else "ipc")

    @default("ip")
    def _socket_path(self) -> str:
        # jupyter_client would put the sockets in the working directory (notebooks/).
        if self.transport == "tcp":
            return "127.0.0.1"
        return os.path.join(tempfile.gettempdir(), f"course-kernel-{uuid.uuid4().hex[:12]}")


class IPCKernelManager(IPCTransport, AsyncKernelManager):
    """The async kernel manager (papermill's) on IPC sockets."""


class SyncIPCKernelManager(IPCTransport, KernelManager):
    """The blocking kernel manager (nbval's) on IPC sockets."""
