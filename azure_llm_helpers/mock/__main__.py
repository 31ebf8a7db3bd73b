"""Command line: ``python -m azure_llm_helpers.mock [--host H] [--port N|0] [--config FILE]``.

Once the server accepts connections it prints ``export NAME=VALUE`` lines on stdout
(so ``eval "$(python -m azure_llm_helpers.mock ... &)"``-style scripts can read them),
then a ``# to use the az shim: export PATH=...`` comment (the offline ``az`` is opt-in),
logs to stderr and stops cleanly on SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import logging
import shlex
import signal
import sys
import threading

from ._glibc import single_malloc_arena
from .config import MockConfigError
from .identity import az_shim_dir
from .server import MockServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m azure_llm_helpers.mock",
        description="A local Azure OpenAI endpoint for the course (no subscription needed).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    parser.add_argument("--config", metavar="FILE", help="TOML file of deployments and answers")
    args = parser.parse_args(argv)
    single_malloc_arena()

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    log = logging.getLogger("azure_llm_helpers.mock")
    try:
        server = MockServer(host=args.host, port=args.port, config_file=args.config)
    except (MockConfigError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    server.start()
    for name, value in server.env.items():
        print(f"export {name}={shlex.quote(value)}")
    # Opt-in only: the shim must never silently shadow a real `az`.
    print(f"# to use the az shim: export PATH={shlex.quote(str(az_shim_dir()))}:$PATH")
    sys.stdout.flush()
    log.info("Azure OpenAI mock listening on %s (Ctrl-C to stop)", server.url)
    stop.wait()
    server.stop()
    log.info("mock stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
