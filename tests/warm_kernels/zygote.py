"""The test session's zygote: a process that has imported what every kernel imports, and
forks a real ipykernel for each launcher (launcher.py) that asks.

A kernel spends about four seconds of CPU importing ipykernel, openai, langchain and
azure-identity before the first cell; the test suite starts some forty kernels. The zygote
pays that once: it imports the third-party modules below (never the course's own package,
which tests change), then serves on a Unix socket. For each request it forks a child that
becomes the kernel ``python -m ipykernel_launcher`` would be: its own session (as
jupyter_client starts kernels), the launcher's stdin/stdout/stderr, environment, working
directory, umask, ``sys.argv``/``sys.orig_argv`` and ``sys.path[0]``, new standard streams,
the default signal handlers, ``random`` reseeded (the stdlib's fork hook), then
ipykernel_launcher run as ``__main__``. The kernel's exit status goes back to its launcher;
a launcher that goes away (its manager killed it) gets its kernel killed.

What differs from a cold kernel, knowingly:
- the preloaded modules were imported with the zygote's environment, which has no AZURE_* or
  OPENAI_* variable: ``openai`` reads OPENAI_API_TYPE, OPENAI_API_VERSION and
  AZURE_OPENAI_ENDPOINT at import time for its module-level client, which the lessons do not
  use. The zygote declines (the launcher then starts a cold kernel) when a request differs in
  a variable that Python reads at start-up (PYTHON*, LANG, LC_*, TZ) or comes from another
  Python;
- a warning printed while importing them would not reach a cell's output, so the zygote
  declines every request when one was; ``make canary`` (a new openai or langchain release)
  runs with cold kernels anyway (COURSE_COLD_KERNELS=1);
- the kernels of one session share the zygote's string-hash seed (PYTHONHASHSEED), and its
  resource limits and niceness; the kernel's parent process is the zygote, not its manager;
- the preloaded modules' objects are frozen out of the garbage collector (``gc.freeze()``, as
  pre-fork servers do): a kernel's exit no longer spends a second of CPU collecting them,
  and the pages they sit on stay shared with the zygote.

No thread may run when the zygote forks (only the forking thread survives a fork): it checks
before each fork and declines if one does.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import io
import json
import os
import re
import runpy
import select
import signal
import socket
import sys
import threading
import traceback
import warnings
from dataclasses import dataclass

# What ipykernel.kernelapp imports, but not that module: its class reads JPY_PARENT_PID at
# import time (the kernel imports it after the fork, in a few milliseconds). Then what the
# lessons import, their own package aside (httpx2 is openai's transport; httptools parses
# and tiktoken counts for the in-kernel mock); one not installed is skipped. Not debugpy:
# it reads PYDEVD_* at import.
KERNEL_APP = "ipykernel.kernelapp"
PRELOAD = ("zmq", "zmq.eventloop.zmqstream", "tornado.ioloop", "IPython.core.application",
           "IPython.core.profiledir", "IPython.core.shellapp", "jupyter_client.connect",
           "jupyter_client.session", "jupyter_core.paths", "ipykernel.connect",
           "ipykernel.control", "ipykernel.heartbeat", "ipykernel.iostream",
           "ipykernel.ipkernel", "ipykernel.parentpoller", "ipykernel.shellchannel",
           "ipykernel.zmqshell",
           "openai", "langchain_core", "langchain_openai", "azure.identity", "ipywidgets",
           "httpx", "httpx2", "dotenv", "httptools", "tiktoken",
           # What they import lazily once a lesson calls them (the first request, a
           # prompt template, a token): listed from the lessons' sys.modules; about
           # 0.25 s of CPU a kernel no longer spends.
           "openai.resources.chat.chat", "openai.resources.chat.completions.completions",
           "openai.resources.completions", "openai.resources.embeddings",
           "openai.resources.models", "openai.resources.responses.responses",
           "openai.lib.streaming.chat", "openai.lib.streaming.responses",
           "langchain_core.prompts.chat", "langchain_core.prompts.prompt",
           "langchain_core.output_parsers.string", "langchain_core.tracers.context",
           "langchain_core.tracers.langchain", "langchain_core.tracers.stdout",
           "langchain_core.tracers.run_collector", "langchain_core.utils.mustache",
           "jinja2.sandbox", "jwt", "httpcore2", "h11", "jiter", "truststore",
           "anyio._backends._asyncio", "anyio.streams.tls", "azure.identity._credentials.imds")
STARTUP_ENV = re.compile(r"PYTHON.*|LANG|LANGUAGE|LC_.*|TZ")
MAX_REQUEST = 1 << 20


@dataclass
class Request:
    """What a launcher asks for (launcher.request) and the descriptors it passed."""

    args: list[str]
    env: dict[str, str]
    cwd: str
    umask: int
    executable: str
    fds: list[int]


def preload() -> str | None:
    """Import PRELOAD; returns why the zygote must decline, or None."""
    with warnings.catch_warnings(record=True) as caught:  # the default filters still apply
        for name in PRELOAD:
            if importlib.util.find_spec(name.split(".")[0]) is None:
                continue  # a cold kernel would not find it either
            try:
                __import__(name)
            except Exception:  # noqa: BLE001 - a cold kernel shows it, in its cell
                return f"importing {name} failed:\n{traceback.format_exc()}"
    if KERNEL_APP in sys.modules:
        return f"a preloaded module imported {KERNEL_APP}, which reads the environment"
    if caught:
        return "importing the preloaded modules warned: " + "; ".join(
            f"{w.category.__name__}: {w.message}" for w in caught)
    return None


def fork_blocker() -> str | None:
    """Why this process cannot fork a faithful copy: threads (only the forking one survives)."""
    count = max(len(os.listdir("/proc/self/task")), threading.active_count())
    return f"{count} threads are running in the zygote" if count > 1 else None


def pidfd_missing() -> str | None:
    """The zygote sees its kernels exit through pidfds (Linux 5.3 and later)."""
    try:
        os.close(os.pidfd_open(os.getpid()))
    except (AttributeError, OSError) as exc:
        return f"no pidfd_open on this system ({exc})"
    return None


def log(message: str) -> None:
    print(f"zygote {os.getpid()}: {message}", file=sys.stderr, flush=True)


class Zygote:
    """The serving loop: one connection per kernel, a pidfd per child to see it exit."""

    def __init__(self, listener: socket.socket, declined: str | None) -> None:
        self.pid = os.getpid()
        self.listener, self.declined = listener, declined
        self.parent = os.getppid()
        self.waiting: dict[int, socket.socket] = {}  # connection fd -> not yet a kernel
        self.kernels: dict[int, tuple[socket.socket | None, int]] = {}  # pidfd -> (conn, pid)
        self.by_conn: dict[int, int] = {}  # connection fd -> pidfd
        self.poller = select.poll()
        self.poller.register(listener, select.POLLIN)
        self.stale: set[int] = set()  # closed during this round of events: skip their events
        self.forked = 0

    def serve(self) -> Request | None:
        """Serve until told to stop; returns the request in a forked child (None when done)."""
        try:
            while os.getppid() == self.parent:
                self.stale.clear()
                for fd, _ in self.poller.poll(1000):
                    child = None if fd in self.stale else self._ready(fd)
                    if child is not None:
                        return child
            return None
        finally:
            if os.getpid() == self.pid:
                self._stop()

    def _ready(self, fd: int) -> Request | None:
        if fd == self.listener.fileno():
            conn, _ = self.listener.accept()
            conn.settimeout(10.0)  # a request is sent whole, at once
            self.waiting[conn.fileno()] = conn
            self.poller.register(conn, select.POLLIN)
        elif fd in self.waiting:
            return self._request(self.waiting.pop(fd))
        elif fd in self.kernels:
            self._reap(fd)
        elif fd in self.by_conn:  # the launcher closed: its manager killed it, or it died
            pidfd = self.by_conn.pop(fd)
            conn, pid = self.kernels[pidfd]
            self._forget(conn)
            self.kernels[pidfd] = (None, pid)
            kill_group(pid)
        return None

    def _forget(self, conn: socket.socket) -> None:
        self.stale.add(conn.fileno())
        self.poller.unregister(conn)
        conn.close()

    def _request(self, conn: socket.socket) -> Request | None:
        request, reason = None, self.declined
        try:
            request = read_request(conn)
            reason = reason or self._why_not(request)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            reason = f"unreadable request: {exc}"
        if reason is not None:
            return self._decline(conn, request, reason)
        return self._fork(conn, request)

    def _decline(self, conn: socket.socket, request: Request | None, reason: str) -> None:
        log(f"declined: {reason}")
        reply(conn, {"refused": reason.splitlines()[0]})
        if request is not None:
            close_all(request.fds)
        self._forget(conn)

    def _why_not(self, request: Request) -> str | None:
        if request.executable != sys.executable:
            return f"another Python ({request.executable})"
        mine = {k: v for k, v in os.environ.items() if STARTUP_ENV.fullmatch(k)}
        theirs = {k: v for k, v in request.env.items() if STARTUP_ENV.fullmatch(k)}
        if mine != theirs:
            changed = sorted(set(mine.items()) ^ set(theirs.items()))
            return f"start-up variables differ: {sorted({k for k, _ in changed})}"
        return fork_blocker()

    def _fork(self, conn: socket.socket, request: Request) -> Request | None:
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            pid = os.fork()
        except OSError as exc:  # out of processes or memory: the launcher starts it cold
            return self._decline(conn, request, f"fork failed: {exc}")
        if pid == 0:
            self._close_for_child(conn)
            become_kernel(request)
            return request
        close_all(request.fds)
        self.forked += 1
        pidfd = os.pidfd_open(pid)
        self.kernels[pidfd] = (conn, pid)
        self.by_conn[conn.fileno()] = pidfd
        self.poller.register(pidfd, select.POLLIN)
        reply(conn, {"pid": pid})
        log(f"forked kernel {pid} in {request.cwd}")
        return None

    def _reap(self, pidfd: int) -> None:
        conn, pid = self.kernels.pop(pidfd)
        self.stale.add(pidfd)
        self.poller.unregister(pidfd)
        os.close(pidfd)
        _, status = os.waitpid(pid, 0)
        if conn is not None:
            self.by_conn.pop(conn.fileno(), None)
            reply(conn, {"exit": os.waitstatus_to_exitcode(status)})
            self._forget(conn)

    def _close_for_child(self, conn: socket.socket) -> None:
        """The kernel keeps none of the zygote's descriptors."""
        for other in [self.listener, conn, *self.waiting.values()]:
            other.close()
        for pidfd, (other, _) in self.kernels.items():
            os.close(pidfd)
            if other is not None:
                other.close()

    def _stop(self) -> None:
        """Kernels still running when the session ends are leaks: kill them."""
        for pidfd, (_, pid) in list(self.kernels.items()):
            kill_group(pid)
            os.waitpid(pid, 0)
            os.close(pidfd)
        self.kernels.clear()
        self.listener.close()
        log(f"stopped after forking {self.forked} kernels")


def read_request(conn: socket.socket) -> Request:
    data, fds, _, _ = socket.recv_fds(conn, 65536, 3)
    data = bytearray(data)
    try:
        if len(data) < 4:
            raise ValueError("no request")
        size = int.from_bytes(data[:4], "big")
        if size > MAX_REQUEST:
            raise ValueError(f"a request of {size} bytes")
        while len(data) < 4 + size:
            chunk = conn.recv(65536)
            if not chunk:
                raise ValueError("the request was cut short")
            data += chunk
        body = json.loads(data[4:4 + size])
        if len(fds) != 3:
            raise ValueError(f"{len(fds)} descriptors instead of 3")
        fields = ("args", "env", "cwd", "umask", "executable")
        return Request(**{name: body[name] for name in fields}, fds=fds)
    except BaseException:
        close_all(fds)
        raise


def reply(conn: socket.socket, message: dict[str, object]) -> None:
    with contextlib.suppress(OSError):  # the launcher is gone; its kernel is seen to
        conn.sendall(json.dumps(message).encode() + b"\n")


def kill_group(pid: int) -> None:
    with contextlib.suppress(OSError):  # already gone
        os.killpg(pid, signal.SIGKILL)


def close_all(fds: list[int]) -> None:
    for fd in fds:
        os.close(fd)


def become_kernel(request: Request) -> None:
    """In the forked child: the process state ``python -m ipykernel_launcher`` starts with."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the only handler the zygote set
    os.setsid()
    for target, fd in enumerate(request.fds):
        os.dup2(fd, target)
    close_all([fd for fd in request.fds if fd > 2])
    os.umask(request.umask)
    os.chdir(request.cwd)
    os.environ.clear()
    os.environ.update(request.env)
    sys.argv = ["-m", *request.args]  # runpy puts the module's path first
    sys.orig_argv = [sys.executable, "-m", "ipykernel_launcher", *request.args]
    sys.path[0] = os.getcwd()  # as `python -m` sets it (ipykernel_launcher takes it out)
    for fd, name in enumerate(("stdin", "stdout", "stderr")):
        stream = standard_stream(fd, getattr(sys, f"__{name}__"))
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


def standard_stream(fd: int, old: io.TextIOWrapper) -> io.TextIOWrapper:
    """A standard stream as CPython makes it at start-up (Python/pylifecycle.c create_stdio),
    for the descriptor now behind ``fd``; encoding, errors and buffering as ``old``'s."""
    writing, unbuffered = fd > 0, old.write_through
    buffer = open(fd, "wb" if writing else "rb", buffering=0 if writing and unbuffered else -1,  # noqa: SIM115
                  closefd=False)
    raw = buffer if writing and unbuffered else buffer.raw
    raw.name = f"<{('stdin', 'stdout', 'stderr')[fd]}>"
    stream = io.TextIOWrapper(buffer, encoding=old.encoding, errors=old.errors, newline="\n",
                              line_buffering=not unbuffered and (os.isatty(fd) or fd == 2),
                              write_through=unbuffered)
    stream.mode = "w" if writing else "r"
    return stream


def main(argv: list[str]) -> int:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(argv[1])  # at once: launchers queue while the imports run
    listener.listen(64)
    declined = preload() or fork_blocker() or pidfd_missing()
    if declined:
        log(f"declining every request: {declined}")
    gc.freeze()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    request = Zygote(listener, declined).serve()
    if request is None:
        return 0
    del listener
    runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
