"""Warm kernels for the test suite: real ipykernels forked from a zygote that has imported
ipykernel, openai, langchain and azure-identity once (zygote.py), instead of each kernel
spending about four seconds of CPU importing them.

The session (the root conftest.py, in the controlling process) writes a kernel spec named
``python3``, the ordinary one but for its command (launcher.py), into a folder it puts first
on JUPYTER_PATH, and starts the zygote. Everything that starts a kernel by that name (nbval,
papermill through tools/ipc_kernels.py, nbclient, JupyterLab in tests/browser) finds it
unchanged, in this process, the workers and their children. ``make run``, ``make lab`` and
``make notebooks`` never see it. COURSE_COLD_KERNELS=1 (``make canary``, which must see what a
new openai or langchain release prints at import) keeps the ordinary kernels; so does any
platform but Linux.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .launcher import SOCKET_ENV

HERE = Path(__file__).resolve().parent
COLD_ENV = "COURSE_COLD_KERNELS"
ZYGOTE_HIDES = ("AZURE_", "OPENAI_")  # read at import by openai; see zygote.py


def wanted() -> bool:
    return (sys.platform == "linux" and hasattr(os, "pidfd_open")
            and os.environ.get(COLD_ENV, "") in ("", "0"))


def write_spec(folder: Path) -> None:
    """The ordinary ``python3`` spec (its logos, metadata, display name), launched warm."""
    from jupyter_client.kernelspec import KernelSpecManager

    ordinary = KernelSpecManager().get_kernel_spec("python3")
    argv = ordinary.argv
    if argv[1:3] != ["-m", "ipykernel_launcher"]:
        raise ValueError(f"the python3 kernel spec has an unexpected command: {argv}")
    shutil.copytree(ordinary.resource_dir, folder)
    spec = json.loads((folder / "kernel.json").read_text(encoding="utf-8"))
    spec["argv"] = [argv[0], "-S", str(HERE / "launcher.py"), *argv[3:]]
    # ipykernel interrupts itself on an interrupt_request: no signal to pass through.
    spec["interrupt_mode"] = "message"
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")


class WarmKernels:
    """The zygote and its kernel spec, for one test session (a pytest plugin)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="course-warm-kernels-"))
        self.socket = self.folder / "zygote.sock"
        self.log = self.folder / "zygote.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> WarmKernels:
        write_spec(self.folder / "kernels" / "python3")
        env = {k: v for k, v in os.environ.items() if not k.startswith(ZYGOTE_HIDES)}
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(HERE / "zygote.py"), str(self.socket)], env=env,
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        # It listens before its imports: a kernel asked for from now on waits for them.
        deadline = time.monotonic() + 30
        while not self.socket.exists() and self.process.poll() is None:
            if time.monotonic() > deadline:
                break  # the launchers start cold kernels meanwhile
            time.sleep(0.01)
        return self

    @property
    def env(self) -> dict[str, str]:
        """What makes a kernel manager start these kernels: the spec first, the socket."""
        paths = [str(self.folder), *filter(None, [os.environ.get("JUPYTER_PATH")])]
        return {"JUPYTER_PATH": os.pathsep.join(paths), SOCKET_ENV: str(self.socket)}

    def summary(self) -> str:
        lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        forked = sum(" forked kernel " in line for line in lines)
        declined = sorted({line.split(": declined: ", 1)[1] for line in lines
                           if ": declined: " in line})
        text = f"warm kernels: {forked} forked by the zygote"
        if declined:
            text += f"; declined (started cold): {'; '.join(declined)} (log: {self.log})"
        return text

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
        shutil.rmtree(self.folder, ignore_errors=True)

    # pytest hooks (registered as a plugin by the root conftest.py)
    def pytest_terminal_summary(self, terminalreporter: object) -> None:
        terminalreporter.write_line(self.summary())  # type: ignore[attr-defined]

    def pytest_unconfigure(self) -> None:
        self.stop()
