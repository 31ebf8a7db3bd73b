"""Warm kernels (tests/warm_kernels): a forked kernel starts as a cold one would, kernels share
nothing, and interrupts, exits, restarts and killed launchers behave as with a cold kernel."""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from ipc_kernels import SyncIPCKernelManager  # tools/ is on sys.path (the root conftest.py)

from . import warm_kernels
from .warm_kernels import SOCKET_ENV, WarmKernels, launcher, zygote

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="warm kernels are Linux-only")

# What a kernel can tell about how it was started: everything but its own pid and files.
PROBE = r"""
import json, os, re, signal, sys
from ipykernel.kernelapp import IPKernelApp
def stream(s):
    return [s.fileno(), s.encoding, s.errors, s.line_buffering, s.write_through, s.mode,
            s.buffer.raw.name if hasattr(s.buffer, "raw") else s.buffer.name]
print(json.dumps({
    "cwd": os.getcwd(), "env": dict(os.environ), "umask": os.umask(os.umask(0)),
    "argv": sys.argv[:2], "orig_argv": sys.orig_argv[:4], "path": sys.path,
    "executable": sys.executable, "flags": list(sys.flags),
    "streams": [stream(s) for s in (sys.__stdin__, sys.__stdout__, sys.__stderr__)],
    "signals": {s.name: re.sub(" at 0x[0-9a-f]+", "", repr(signal.getsignal(s)))
                for s in signal.Signals if s not in (signal.SIGKILL, signal.SIGSTOP)},
    "leads its session": os.getsid(0) == os.getpid() == os.getpgid(0),
    "parent_handle": IPKernelApp.instance().parent_handle,
    "main": sys.modules["__main__"].__name__,
}))
"""


@pytest.fixture(scope="module")
def warm() -> Iterator[dict[str, str]]:
    """The session's zygote, or (with COURSE_COLD_KERNELS=1) one for this module."""
    if os.environ.get(SOCKET_ENV):
        yield {name: os.environ[name] for name in ("JUPYTER_PATH", SOCKET_ENV)}
        return
    kernels = WarmKernels().start()
    try:
        yield kernels.env
    finally:
        kernels.stop()


class Kernel:
    """A kernel started as nbval starts one (by name, on IPC sockets)."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        saved = {name: os.environ.get(name) for name in env}
        os.environ.update(env)  # where the manager looks for kernel specs
        try:
            self.manager = SyncIPCKernelManager(kernel_name="python3")
            # The kernel's environment, given: the manager keeps it for restarts.
            self.manager.start_kernel(cwd=str(cwd), env=dict(os.environ))
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=120)

    def run(self, code: str, timeout: float = 60) -> tuple[str, dict]:
        out: list[str] = []

        def keep(msg: dict) -> None:
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
        reply = self.client.execute_interactive(code, timeout=timeout, output_hook=keep)
        return "".join(out), reply["content"]

    def value(self, expression: str) -> object:
        text, reply = self.run(f"import json as _j, os, sys; print(_j.dumps({expression}))")
        assert reply["status"] == "ok", reply
        return json.loads(text)

    def reply_to(self, msg_id: str) -> dict:
        while True:
            msg = self.client.get_shell_msg(timeout=30)
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg["content"]

    @property
    def launcher(self):  # the process its manager started
        return self.manager.provisioner.process

    def close(self) -> None:
        self.client.stop_channels()
        if self.manager.has_kernel:
            self.manager.shutdown_kernel(now=True)


@pytest.fixture
def kernels(tmp_path: Path) -> Iterator[list[Kernel]]:
    started: list[Kernel] = []
    yield started
    for kernel in started:
        kernel.close()


def start(kernels: list[Kernel], env: dict[str, str], cwd: Path) -> Kernel:
    kernels.append(Kernel(env, cwd))
    return kernels[-1]


def gone(pid: int, within: float = 20.0) -> bool:
    """The process has ended (a zombie left for an init that may never reap it counts)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


def test_a_forked_kernel_starts_as_a_cold_one_and_without_a_zygote_one_starts_cold(
        warm, kernels, tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_PROBE", "the manager's")
    monkeypatch.setenv("OPENAI_API_VERSION", "hidden from the zygote, not from the kernel")
    forked = start(kernels, warm, tmp_path)
    absent = {**warm, SOCKET_ENV: str(tmp_path / "no-zygote.sock")}
    cold = start(kernels, absent, tmp_path)
    assert forked.value("os.getpid()") != forked.launcher.pid
    assert cold.value("os.getpid()") == cold.launcher.pid  # the launcher became the kernel
    assert forked.value("'openai' in sys.modules") and not cold.value("'openai' in sys.modules")
    facts = [json.loads(kernel.run(PROBE)[0]) for kernel in (forked, cold)]
    for fact in facts:
        del fact["env"][SOCKET_ENV]
    assert facts[0] == facts[1]
    assert facts[0]["env"]["COURSE_PROBE"] == "the manager's"
    assert facts[0]["env"]["OPENAI_API_VERSION"].startswith("hidden")
    assert facts[0]["cwd"] == str(tmp_path) and facts[0]["leads its session"]
    assert facts[0]["parent_handle"] == os.getpid()  # it watches its manager, as a cold one


def test_kernels_share_no_state(warm, kernels, tmp_path):
    first, second = start(kernels, warm, tmp_path), start(kernels, warm, tmp_path)
    first.run("import openai, random; openai.api_key = 'set in the first'; x = 1")
    assert second.value("__import__('openai').api_key") is None
    assert second.value("'x' in globals()") is False
    draws = [k.value("[__import__('random').random() for _ in range(3)]") for k in kernels]
    assert draws[0] != draws[1]


def test_a_killed_launcher_leaves_no_kernel_behind(warm, kernels, tmp_path):
    kernel = start(kernels, warm, tmp_path)
    pid = kernel.value("os.getpid()")
    child = kernel.value("__import__('subprocess').Popen(['sleep', '600']).pid")
    os.kill(kernel.launcher.pid, signal.SIGKILL)
    assert gone(pid) and gone(child)  # the kernel's whole process group, as killpg would


def test_interrupt_restart_terminate_and_exit_status(warm, kernels, tmp_path):
    kernel = start(kernels, warm, tmp_path)
    sent = kernel.client.execute("import time; time.sleep(120)")
    time.sleep(0.5)
    kernel.manager.interrupt_kernel()
    reply = kernel.reply_to(sent)
    assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt"
    before = kernel.value("os.getpid()")
    kernel.manager.restart_kernel(now=True)
    kernel.client.wait_for_ready(timeout=120)
    assert kernel.value("os.getpid()") not in (before, kernel.launcher.pid)
    kernel.client.execute("import os; os._exit(3)")
    assert kernel.launcher.wait(30) == 3
    kernel.manager.restart_kernel(now=True)
    kernel.client.wait_for_ready(timeout=120)
    kernel.client.execute("import os, signal; os.kill(os.getpid(), signal.SIGKILL)")
    assert kernel.launcher.wait(30) == -signal.SIGKILL
    kernel.manager.restart_kernel(now=True)
    kernel.client.wait_for_ready(timeout=120)
    pid = kernel.value("os.getpid()")
    os.killpg(kernel.launcher.pid, signal.SIGTERM)  # as jupyter_client's terminate()
    assert kernel.launcher.wait(30) == -signal.SIGTERM and gone(pid)
    kernel.manager.restart_kernel(now=True)
    kernel.client.wait_for_ready(timeout=120)
    kernel.client.shutdown()  # jupyter_client terminates a kernel slower than 2.5 s to exit
    assert kernel.launcher.wait(60) == 0


def ask(address: str, **changes: object) -> dict:
    """One request to the zygote, as launcher.py sends it, with ``changes``; its reply."""
    with socket.socket(socket.AF_UNIX) as sock, open(os.devnull, "rb+") as null:
        sock.settimeout(120)
        sock.connect(address)
        body = json.dumps({**launcher.request(["--version"]), **changes}).encode()
        message = len(body).to_bytes(4, "big") + body
        socket.send_fds(sock, [message], [null.fileno()] * 3)
        return json.loads(sock.makefile("rb").readline())


def test_the_zygote_declines_another_python_or_other_start_up_variables(warm):
    address = warm[SOCKET_ENV]
    for env in ({**os.environ, "PYTHONHASHSEED": "123"}, {**os.environ, "LC_ALL": "C"}):
        assert ask(address, env=env)["refused"].startswith("start-up variables differ")
    assert ask(address, executable="/usr/bin/python3")["refused"].startswith("another Python")


def test_the_zygote_declines_what_it_cannot_fork_faithfully(tmp_path, monkeypatch):
    (tmp_path / "warns_at_import.py").write_text(
        "import warnings\nwarnings.warn('a new release says hello', UserWarning)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(zygote, "PRELOAD", ("json", "warns_at_import"))
    with warnings.catch_warnings():
        assert "UserWarning: a new release says hello" in zygote.preload()
    (tmp_path / "fails_at_import.py").write_text("raise RuntimeError('broken install')\n")
    monkeypatch.setattr(zygote, "PRELOAD", ("no_such_module_here", "fails_at_import"))
    assert "importing fails_at_import failed" in zygote.preload()
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert "threads are running" in zygote.fork_blocker()
    finally:
        stop.set()
        thread.join()


def test_the_spec_is_the_ordinary_one_but_its_command_and_cold_kernels_can_be_asked_for(
        tmp_path, monkeypatch):
    from jupyter_client.kernelspec import KernelSpecManager

    monkeypatch.delenv("JUPYTER_PATH", raising=False)
    ordinary = KernelSpecManager().get_kernel_spec("python3")
    warm_kernels.write_spec(tmp_path / "python3")
    spec = json.loads((tmp_path / "python3" / "kernel.json").read_text(encoding="utf-8"))
    assert spec["argv"][1:3] == ["-S", str(Path(warm_kernels.__file__).parent / "launcher.py")]
    assert spec["argv"][3:] == ordinary.argv[3:] and spec["interrupt_mode"] == "message"
    assert (spec["display_name"], spec["metadata"]) == (ordinary.display_name, ordinary.metadata)
    assert sorted(p.name for p in (tmp_path / "python3").iterdir()) == sorted(
        p.name for p in Path(ordinary.resource_dir).iterdir())
    monkeypatch.setenv(warm_kernels.COLD_ENV, "1")
    assert not warm_kernels.wanted()
    monkeypatch.setenv(warm_kernels.COLD_ENV, "0")
    assert warm_kernels.wanted()
