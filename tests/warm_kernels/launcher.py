"""The warm kernel spec's command: a kernel forked by the session's zygote, else a cold one.

Run by jupyter_client as ``python -S launcher.py -f {connection_file}`` (stdlib only, and no
site-packages scan: it starts in tens of milliseconds). It hands the zygote (zygote.py) this
kernel's arguments, environment, working directory and umask, and its stdin, stdout and
stderr; then it stands in for the kernel: it exits with the kernel's exit status (killed by
a signal, it kills itself with the same one), passes SIGTERM and SIGINT on to the kernel's
process group, and when it dies or its manager does, the zygote kills the kernel, as a cold
kernel's manager would. Without a zygote (none started, gone, a Python it does not serve,
no fork on this platform) it becomes the ordinary ``python -m ipykernel_launcher``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys

SOCKET_ENV = "COURSE_WARM_KERNELS_SOCKET"
FORWARDED = (signal.SIGTERM, signal.SIGINT)
REPLY_TIMEOUT = 120.0  # the zygote answers once its imports are done (seconds, under load)


class NoZygote(Exception):
    """The zygote is absent or declined; a cold kernel starts instead."""


def request(kernel_args: list[str]) -> dict[str, object]:
    umask = os.umask(0)
    os.umask(umask)
    return {"args": kernel_args, "env": dict(os.environ), "cwd": os.getcwd(), "umask": umask,
            "executable": sys.executable}  # with -S, sys.prefix is not the venv's


def fork_kernel(address: str, kernel_args: list[str]
                ) -> tuple[socket.socket, int, bytearray]:
    """Ask the zygote for a kernel: the open connection, the kernel's pid, what came after."""
    if not hasattr(socket, "send_fds"):
        raise NoZygote("no descriptor passing on this platform")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    received = bytearray()
    try:
        sock.settimeout(REPLY_TIMEOUT)
        sock.connect(address)
        body = json.dumps(request(kernel_args)).encode()
        message = len(body).to_bytes(4, "big") + body
        sent = socket.send_fds(sock, [message], [0, 1, 2])
        sock.sendall(message[sent:])
        reply = json.loads(read_line(sock, received) or b"{}")
    except (OSError, ValueError) as exc:
        sock.close()
        raise NoZygote(str(exc)) from None
    if not isinstance(reply.get("pid"), int):
        sock.close()
        raise NoZygote(reply.get("refused", "no answer"))
    return sock, reply["pid"], received


def read_line(sock: socket.socket, received: bytearray) -> bytes:
    """The next line from the zygote (b"" if it closed first); the rest stays in ``received``."""
    while b"\n" not in received:
        chunk = sock.recv(256)
        if not chunk:
            return b""
        received += chunk
    line, _, rest = bytes(received).partition(b"\n")
    received[:] = rest
    return line


def stand_in(sock: socket.socket, pid: int, received: bytearray) -> int:
    """Wait for the kernel's exit status; meanwhile pass signals on and watch the manager."""
    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(OSError):  # already gone
            os.killpg(pid, signum)

    for signum in FORWARDED:
        signal.signal(signum, forward)
    manager = os.getppid()
    sock.settimeout(1.0)
    while True:
        try:
            line = read_line(sock, received)
        except TimeoutError:
            if os.getppid() != manager:  # as ipykernel's parent poller: the manager is gone
                return 1  # closing the connection makes the zygote kill the kernel
            continue
        if not line:  # the zygote is gone: it cannot watch the kernel any more
            forward(signal.SIGKILL, None)
            return 1
        return int(json.loads(line)["exit"])


def exit_like(code: int) -> None:
    """Exit as the kernel did: with its code, or killed by the same signal."""
    if code < 0:
        if -code in FORWARDED:
            signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    os._exit(code if code >= 0 else 128 - code)


def cold(kernel_args: list[str]) -> None:
    """The ordinary kernel, as the default ``python3`` spec starts it."""
    command = [sys.executable, "-m", "ipykernel_launcher", *kernel_args]
    if os.name == "nt":  # execv would return to the manager at once: wait for the kernel
        sys.exit(subprocess.call(command))
    os.execv(sys.executable, command)


def main(argv: list[str]) -> None:
    address = os.environ.get(SOCKET_ENV)
    if address:
        try:
            sock, pid, received = fork_kernel(address, argv[1:])
        except NoZygote:
            pass
        else:
            exit_like(stand_in(sock, pid, received))
    cold(argv[1:])


if __name__ == "__main__":
    main(sys.argv)
