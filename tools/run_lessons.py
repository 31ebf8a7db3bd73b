"""Execute every lesson headless with papermill against the embedded mock.

    python tools/run_lessons.py                  # build/executed/*.ipynb and build/html/*.html
    python tools/run_lessons.py -p auth=aad      # with a parameter for every lesson
    python tools/run_lessons.py --commit-outputs # regenerate the outputs committed in notebooks/
    python tools/run_lessons.py --record DIR     # live, through the recording proxy, into DIR
    python tools/run_lessons.py -p mode=replay --replay DIR   # against a recording, offline

Both editions run: the English lessons and the Spanish ones (notebooks/es/, built from the
English code by tools/translate.py), side by side on ``--jobs`` kernels, sharing one mock.
Prints a progress line per lesson and a summary table; exits non-zero if any lesson fails.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from itertools import chain, zip_longest
from pathlib import Path
from typing import Any

import _quick_imports  # noqa: F401 - before nbformat and papermill: see its docstring
import nbformat
import papermill
from dotenv import dotenv_values
from ipc_kernels import IPCKernelManager  # tools/ is on sys.path when run as a script
from lesson_links import update as update_lesson_links

from azure_llm_helpers._constants import EnvironmentVariables

ROOT = Path(__file__).resolve().parent.parent
ENDPOINT_VAR = EnvironmentVariables.AZURE_OPENAI_ENDPOINT
REPLAY_VAR = EnvironmentVariables.AZURE_OPENAI_MOCK_REPLAY
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"
TRANSLATED = ("es",)  # editions in notebooks/<language>/, built by tools/translate.py


def lessons(selected: list[str] | None = None, folder: Path = NOTEBOOKS) -> list[Path]:
    found = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if selected:
        found = [p for p in found if any(s in p.stem for s in selected)]
    return found


def strip_run_metadata(path: Path) -> None:
    """Drop what changes on every run (timings, papermill's bookkeeping) so diffs stay quiet."""
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)
    renumber_widget_ids(path)


def renumber_widget_ids(path: Path) -> None:
    """Give widget models stable, sequential ids in place of ipywidgets' random ones.

    Random 32-hex ids change on every run (noisy diffs) and look like API keys to secret
    scanners; the same id is replaced everywhere (outputs and the saved widget state).
    """
    text = path.read_text(encoding="utf-8")
    nb = json.loads(text)
    state = nb.get("metadata", {}).get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {}).get("state", {})
    ids = list(state)
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            view = out.get("data", {}).get("application/vnd.jupyter.widget-view+json")
            if view and view.get("model_id") not in ids:
                ids.append(view["model_id"])
    for number, old in enumerate(ids, 1):
        text = text.replace(old, f"00000000-0000-4000-8000-{number:012x}")
    path.write_text(text, encoding="utf-8")


def execute(lesson: Path, output: Path, parameters: dict[str, object]) -> None:
    # The kernel starts in the lesson's folder (notebooks/es/ for the Spanish edition), as in
    # JupyterLab. nbclient's resources path sets that per kernel; papermill's cwd= would chdir
    # this whole process, which parallel runs share.
    # Written once, at the end (failed or not): papermill would otherwise write the whole
    # notebook twice per cell, about a second of CPU per lesson. The kernel is then killed, not
    # asked to exit: a kernel that imported openai and langchain spends another second
    # tearing its heap down, and nothing of it is kept.
    papermill.execute_notebook(
        str(lesson), str(output), parameters=parameters or None,
        resources={"metadata": {"path": str(lesson.parent.resolve())}}, kernel_name="python3",
        progress_bar=False, log_output=False, kernel_manager_class=IPCKernelManager,
        request_save_on_cell_execute=False, shutdown_kernel="immediate",
    )


def to_html(executed_dir: Path, html_dir: Path) -> bool:
    """The HTML edition (index, prev/next links, widgets): tools/html_edition.py builds it.

    Each translated edition goes in its own folder (build/html/es/), switch links between them.
    """
    from html_edition import EditionError, build  # tools/ is on sys.path when run as a script

    try:
        pages = build(executed_dir, html_dir)
        for language in TRANSLATED:
            if lessons(folder=executed_dir / language):
                pages += build(executed_dir / language, html_dir / language, language=language)
    except EditionError as exc:
        print(f"HTML edition not built: {exc}")
        return False
    print(f"HTML edition: {len(pages)} lessons, open {html_dir.relative_to(ROOT)}/index.html")
    return True


def parse_parameters(pairs: list[str]) -> dict[str, object]:
    params: dict[str, object] = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        try:
            params[name] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            params[name] = value
    return params


@dataclass(frozen=True)
class LessonRun:
    """One lesson's execution: its name, ``ok`` or ``FAILED``, and the seconds it took."""

    name: str
    status: str
    seconds: float


@contextlib.contextmanager
def shared_mock(parameters: dict[str, object], commit_outputs: bool,
                source: Any = None) -> Iterator[None]:
    """One mock for the whole run, as `make lab` does: each lesson's ensure_mock() finds it
    through the inherited environment instead of starting its own in the kernel. Committed
    outputs keep one fresh mock per lesson, as nbval replays them; live runs use none.
    ``source`` (the recording proxy or a replaying mock) serves the whole run instead: the
    kernels inherit its variables, which the lessons' live path (load_dotenv) never overrides.
    """
    if source is not None:
        with source:
            os.environ.update(source.env)
            yield
        return
    if commit_outputs or parameters.get("mode", "mock") != "mock":
        yield
        return
    from azure_llm_helpers.mock import MockServer

    with MockServer() as mock:
        os.environ.update(mock.env)
        yield


def jobs(names: list[str] | None, executed_dir: Path, in_place: bool, edition: str = "all"
         ) -> list[tuple[Path, Path]]:
    """(lesson, output) for the editions, interleaved so that parallel kernels share the work."""
    editions = [[(p, p if in_place else executed_dir / p.name) for p in lessons(names)]
                if edition in ("all", "en") else []]
    for language in TRANSLATED if edition != "en" else ():
        editions.append([(p, p if in_place else executed_dir / language / p.name)
                         for p in lessons(names, NOTEBOOKS / language)])
    return [job for job in chain.from_iterable(zip_longest(*editions)) if job]


def build_translations() -> None:
    """Rebuild the translated editions from the English code (tools/translate.py build)."""
    from translate import build  # tools/ is on sys.path when run as a script

    for language in TRANSLATED:
        for path in build(language):
            print(f"edition rebuilt: {path.relative_to(ROOT)}")


def run_one(lesson: Path, output: Path, parameters: dict[str, object], in_place: bool
            ) -> LessonRun:
    name = lesson.relative_to(NOTEBOOKS).with_suffix("").as_posix()  # es/00_... for Spanish
    start = time.perf_counter()
    try:
        execute(lesson, output, parameters)
        if in_place:
            strip_run_metadata(output)
        status = "ok"
    except Exception as exc:  # noqa: BLE001 - report every lesson, then fail at the end
        status = "FAILED"
        print(f"    {name}: {type(exc).__name__}: {str(exc).strip().splitlines()[-1][:300]}")
    return LessonRun(name, status, time.perf_counter() - start)


def run_lessons(names: list[str] | None = None, parameters: dict[str, object] | None = None,
                *, commit_outputs: bool = False, source: Any = None, edition: str = "all",
                jobs_at_once: int = 1) -> list[LessonRun]:
    """Execute the lessons as ``make run`` does, printing a progress line for each; return
    each lesson's outcome and seconds (``bench/lessons_bench.py`` reads them from here).

    ``edition`` is ``"all"``, ``"en"`` or a translated edition; ``jobs_at_once`` kernels run
    side by side (threads: each lesson's kernel is its own process).
    """
    parameters = parameters or {}
    executed_dir = BUILD / "executed"
    for folder in (executed_dir, *(executed_dir / language for language in TRANSLATED)):
        folder.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    todo = jobs(names, executed_dir, commit_outputs, edition)
    runs: list[LessonRun] = []
    with shared_mock(parameters, commit_outputs, source), \
            ThreadPoolExecutor(max_workers=max(1, jobs_at_once)) as pool:
        futures = [pool.submit(run_one, lesson, output, parameters, commit_outputs)
                   for lesson, output in todo]
        for i, future in enumerate(as_completed(futures), 1):
            run = future.result()
            print(f"[{i}/{len(todo)}] {run.name} {run.status} ({run.seconds:.1f} s)", flush=True)
            runs.append(run)
    return sorted(runs, key=lambda r: r.name)


def recording_source(args: argparse.Namespace, parameters: dict[str, object]) -> Any:
    """The MockServer that records (``--record``) or replays (``mode=replay``), else None.

    Sets ``parameters["mode"]``: a recording is made on the lessons' live path and
    replayed on the same path, so every request matches.
    """
    from azure_llm_helpers.mock import MockServer

    mode = parameters.get("mode")
    if args.record:
        if args.replay or mode not in (None, "live"):
            raise ValueError("--record runs the lessons live: drop --replay and -p mode=...")
        upstream = args.upstream or os.environ.get(ENDPOINT_VAR) or dotenv_values(
            ROOT / ".env").get(ENDPOINT_VAR)
        if not upstream:
            raise ValueError(f"--record needs the resource: --upstream URL, or {ENDPOINT_VAR} "
                             "in the environment or .env")
        parameters["mode"] = "live"
        return MockServer(record=args.record, upstream=upstream)
    directory = args.replay or (os.environ.get(REPLAY_VAR) if mode == "replay" else None)
    if mode == "replay" and not directory:
        raise ValueError(f"-p mode=replay needs a recording: --replay DIR (or {REPLAY_VAR})")
    if not directory:
        return None
    if mode not in (None, "replay"):
        raise ValueError(f"--replay runs the lessons with mode=replay, not mode={mode}")
    parameters["mode"] = "replay"
    return MockServer(replay=directory)


def print_summary(runs: list[LessonRun], wall: float) -> None:
    width = max((len(r.name) for r in runs), default=6)
    print(f"\n{'lesson':<{width}}  status  seconds")
    for r in runs:
        print(f"{r.name:<{width}}  {r.status:<6}  {r.seconds:7.1f}")
    print(f"{'total':<{width}}  {'':<6}  {sum(r.seconds for r in runs):7.1f}")
    print(f"{'wall':<{width}}  {'':<6}  {wall:7.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="only lessons whose file name contains these")
    parser.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--commit-outputs", action="store_true",
                        help="execute in place against the mock: the committed outputs")
    parser.add_argument("--no-html", action="store_true", help="skip the HTML edition")
    parser.add_argument("--record", metavar="DIR",
                        help="run the lessons live through the recording proxy into DIR")
    parser.add_argument("--upstream", metavar="URL",
                        help="with --record: the resource (default: AZURE_OPENAI_ENDPOINT "
                             "from the environment or .env)")
    parser.add_argument("--replay", metavar="DIR",
                        help=f"run the lessons against the recording in DIR (mode=replay; "
                             f"default ${REPLAY_VAR} with -p mode=replay)")
    parser.add_argument("--edition", choices=["all", "en", *TRANSLATED], default="all",
                        help="which editions to run (default: all; --record: en, since the "
                             "Spanish edition sends the same requests)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="lessons run at once (default: 2, or 1 on a one-core machine)")
    args = parser.parse_args(argv)
    parameters = parse_parameters(args.parameter)
    try:
        source = recording_source(args, parameters)
    except ValueError as exc:
        parser.exit(2, f"error: {exc}\n")
    if args.commit_outputs and parameters and source is None:
        parser.error("committed outputs use the lessons' default parameters only")
    if args.commit_outputs:
        build_translations()  # first: the links tool then writes the editions' links too
        for path in update_lesson_links():
            print(f"links written: {path.relative_to(ROOT)}")

    edition = "en" if args.record and args.edition == "all" else args.edition
    started = time.perf_counter()
    runs = run_lessons(args.names, parameters, commit_outputs=args.commit_outputs,
                       source=source, edition=edition, jobs_at_once=args.jobs)
    print_summary(runs, time.perf_counter() - started)
    executed_dir, html_dir = BUILD / "executed", BUILD / "html"
    if not args.commit_outputs:
        print(f"\nExecuted notebooks: {executed_dir.relative_to(ROOT)}/"
              + ("" if args.no_html else f"   HTML: {html_dir.relative_to(ROOT)}/"))
    html_ok = (args.no_html or args.commit_outputs or not runs
               or to_html(executed_dir, html_dir))
    return 1 if any(r.status != "ok" for r in runs) or not runs or not html_ok else 0


if __name__ == "__main__":
    sys.exit(main())
