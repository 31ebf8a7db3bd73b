"""A throwaway JupyterLab server for the browser tests: temp notebooks, settings and token.

Nothing the user owns is touched: the notebooks are copies (with outputs cleared, so the
test can see its own run finish), and config, settings, workspaces and runtime files all
live in a temporary directory.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path

import nbformat

from azure_llm_helpers.mock import MockServer

TOOLS = Path(__file__).resolve().parents[2] / "tools"
# User settings that keep the page deterministic: no news prompt, every cell in the DOM.
SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                     "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_lessons(source: Path, target: Path) -> None:
    """Copy the course folder (both editions); the lessons lose their outputs, as if never run."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"),
                    dirs_exist_ok=True)
    for path in target.rglob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nb.metadata.pop("widgets", None)
        nbformat.write(nb, path)


class JupyterLab:
    """``jupyter lab`` on 127.0.0.1 with a random token, inheriting a mock's environment."""

    def __init__(self, notebooks: Path, home: Path, mock: MockServer) -> None:
        self.notebooks, self.home, self.mock = notebooks, home, mock
        self.port = free_port()
        self.token = secrets.token_hex(24)
        self.process: subprocess.Popen[bytes] | None = None
        self.log = home / "jupyterlab.log"
        self._background = ThreadPoolExecutor(max_workers=2, thread_name_prefix="shutdown")
        self._pending: list[Future[object]] = []
        self._launched = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _env(self) -> dict[str, str]:
        dirs = {name: self.home / sub for name, sub in [
            ("JUPYTER_CONFIG_DIR", "config"), ("JUPYTERLAB_SETTINGS_DIR", "settings"),
            ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"), ("JUPYTER_RUNTIME_DIR", "runtime"),
            ("IPYTHONDIR", "ipython"),
        ]}
        for path in dirs.values():
            path.mkdir(parents=True, exist_ok=True)
        for plugin, values in SETTINGS.items():
            target = dirs["JUPYTERLAB_SETTINGS_DIR"] / f"{plugin}.jupyterlab-settings"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(values), encoding="utf-8")
        # As with `make lab`: the kernels inherit the server's environment, so find the mock.
        return {**os.environ, **self.mock.env, **{k: str(v) for k, v in dirs.items()},
                "PYDEVD_DISABLE_FILE_VALIDATION": "1"}

    def start(self, timeout: float = 90.0) -> JupyterLab:
        return self.launch().wait_ready(timeout)

    def launch(self) -> JupyterLab:
        """Start the server and return at once (the browser can start meanwhile)."""
        # jupyterlab.labapp's main, as `jupyter lab` runs it, after tools/_quick_imports.py:
        # the server's jupyter-events imports jsonschema, which would compile
        # rfc3987-syntax's grammar (1.5-3 s of CPU) for formats it never checks.
        command = [
            sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv.pop(1)); "
            "import _quick_imports; from jupyterlab.labapp import main; sys.exit(main())",
            str(TOOLS), "--no-browser", "--ip=127.0.0.1",
            f"--port={self.port}", f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.notebooks}",
            f"--LabServerApp.workspaces_dir={self.home / 'workspaces'}",
            "--ServerApp.port_retries=0",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, env=self._env(), stdout=log,
                                            stderr=subprocess.STDOUT, cwd=self.notebooks)
        self._launched = time.monotonic()
        return self

    def wait_ready(self, timeout: float = 90.0) -> JupyterLab:
        assert self.process is not None, "launch() first"
        deadline = self._launched + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited early; see {self.log}")
            try:
                self.api("GET", "/api/status")
                return self
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"JupyterLab did not start in {timeout} s; "
                                       f"see {self.log}") from None
                time.sleep(0.05)

    def api(self, method: str, path: str) -> object:
        request = urllib.request.Request(
            self.url + path, method=method, headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=5) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """End every session (and so its kernel): each lesson starts from a fresh kernel.

        The server answers once the kernel is gone (a second or more), so the requests run
        in the background while the next lesson opens; ``stop`` waits for them.
        """
        for session in self.api("GET", "/api/sessions") or []:
            self._pending.append(self._background.submit(
                self.api, "DELETE", f"/api/sessions/{session['id']}"))

    def lesson_url(self, notebook: str, workspace: str) -> str:
        # A fresh workspace per page: /lab/tree/ alone may bring back an earlier tab.
        return f"{self.url}/lab/workspaces/{workspace}/tree/{notebook}?token={self.token}"

    def stop(self) -> None:
        if self.process is None:
            return
        wait(self._pending, timeout=15)
        self._background.shutdown(wait=False)
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
