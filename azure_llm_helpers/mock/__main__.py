"""Command line: ``python -m azure_llm_helpers.mock [--host H] [--port N|0] [--config FILE]``.

Record a real resource once, then replay it offline::

    python -m azure_llm_helpers.mock --record DIR --upstream https://<resource>.openai.azure.com
    python -m azure_llm_helpers.mock --replay DIR [--fallback generate] [--replay-timing recorded]

Once the server accepts connections it prints ``export NAME=VALUE`` lines on stdout
(so ``eval "$(python -m azure_llm_helpers.mock ... &)"``-style scripts can read them),
then a ``# to use the az shim: export PATH=...`` comment (the offline ``az`` is opt-in),
logs to stderr and stops cleanly on SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shlex
import signal
import sys
import threading
from collections.abc import Iterator

from ._glibc import single_malloc_arena
from .config import MockConfigError
from .identity import az_shim_dir
from .server import MockServer
from .tokenizer import get_tokenizer


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    single_malloc_arena()

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    log = logging.getLogger("azure_llm_helpers.mock")
    try:
        server = MockServer(
            host=args.host, port=args.port, config_file=args.config, record=args.record,
            upstream=args.upstream, replay=args.replay, fallback=args.fallback,
            replay_timing=args.replay_timing,
            replay_ignore=tuple(f.strip() for f in args.replay_ignore.split(",") if f.strip()))
    except (MockConfigError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    server.app.access_log = sys.stderr.write  # the per-request lines, without logging's cost
    stop = threading.Event()
    stop_signals = {signal.SIGINT, signal.SIGTERM}
    for sig in stop_signals:
        signal.signal(sig, lambda *_: stop.set())
    with _blocked(stop_signals):
        server.start()
    for name, value in server.env.items():
        print(f"export {name}={shlex.quote(value)}")
    if args.record is None:
        # Opt-in only: the shim must never silently shadow a real `az`.
        shim = shlex.quote(str(az_shim_dir()))
        print(f"# to use the az shim: export PATH={shim}{os.pathsep}$PATH")
    sys.stdout.flush()
    what = (f"recording {args.upstream} into {args.record}" if args.record else
            f"replaying {args.replay}" if args.replay else "Azure OpenAI mock")
    log.info("%s, listening on %s (Ctrl-C to stop)", what, server.url)
    if not args.record and (not args.replay or args.fallback):
        # The first answer would load the tokenizer (0.15 s of CPU, holding the GIL); whoever
        # reads the exports takes a while to send it, so a thread loads it now.
        with _blocked(stop_signals):
            threading.Thread(target=get_tokenizer, args=(server.config.tokenizer,),
                             name="tokenizer", daemon=True).start()
    stop.wait()
    server.stop()
    log.info("mock stopped")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m azure_llm_helpers.mock",
        description="A local Azure OpenAI endpoint for the course (no subscription needed).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    parser.add_argument("--config", metavar="FILE", help="TOML file of deployments and answers")
    recording = parser.add_argument_group("record and replay")
    recording.add_argument("--record", metavar="DIR",
                           help="forward every data-plane request to --upstream and record it "
                                "(redacted) in DIR, one JSON file per interaction")
    recording.add_argument("--upstream", metavar="URL",
                           help="the resource to record: https://<resource>.openai.azure.com")
    recording.add_argument("--replay", metavar="DIR", help="answer from the recording in DIR")
    recording.add_argument("--fallback", choices=["generate"],
                           help="with --replay: the mock answers what the recording lacks")
    recording.add_argument("--replay-timing", choices=["none", "recorded"], default="none",
                           help="replay streams at once (none, default) or at recorded pace")
    recording.add_argument("--replay-ignore", metavar="FIELDS", default="user,metadata",
                           help="comma-separated body fields that do not count when matching "
                                "(default: user,metadata; '' to match every field)")
    return parser


@contextlib.contextmanager
def _blocked(signals: set[signal.Signals]) -> Iterator[None]:
    """Threads started inside never receive ``signals``: only the main thread runs Python's
    handlers, and a signal the kernel handed another thread would leave ``stop.wait()``
    waiting."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: signals reach the main thread
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)


if __name__ == "__main__":
    sys.exit(main())
