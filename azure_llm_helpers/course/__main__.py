"""``python -m azure_llm_helpers.course lab|run|test|doctor|wheelhouse`` (see the package doc)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from . import __doc__ as package_doc
from . import doctor, wheelhouse
from .install import InstallError, ensure, extras_for
from .layout import ROOT, VENV_ENV, Venv

# command -> (what it runs with the venv's python, help)
RUNNERS = {
    "lab": (["tools/lab.py"], "start the mock and open JupyterLab on the course"),
    "run": (["tools/run_lessons.py"], "execute every lesson headless against the mock"),
    "test": (["-m", "pytest"], "the test suite (pytest options may follow)"),
    "install": ([], "only create .venv and install the course into it"),
    "python": ([], "run the venv's python with the arguments that follow"),
}
OFFLINE_ENV = "OFFLINE"  # make lab OFFLINE=1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m azure_llm_helpers.course",
                                     description=package_doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--venv", help="the venv folder (default .venv, or $COURSE_VENV)")
    parser.add_argument("--offline", action="store_true",
                        help=f"install only from wheelhouse/ (also ${OFFLINE_ENV}=1)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_, text) in RUNNERS.items():
        sub = commands.add_parser(name, help=text, add_help=name == "install")
        if name == "install":
            sub.add_argument("--dev", action="store_true", help="also the test and lint tools")
    doctor.add_parser(commands)
    wheelhouse.add_parser(commands)
    args, rest = parser.parse_known_args(argv)
    env = Venv.chosen(args.venv)
    os.environ[VENV_ENV] = str(env.path)  # what the command runs (tests, tools) sees it too
    if args.command == "doctor":
        return doctor.main(env, args)
    if args.command == "wheelhouse":
        return wheelhouse.main(args)
    if rest and args.command == "install":
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    offline = args.offline or os.environ.get(OFFLINE_ENV, "") not in ("", "0")
    try:
        wanted = extras_for("test" if getattr(args, "dev", False) else args.command)
        ensure(env, wanted, offline=offline)
    except InstallError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "install":
        return 0
    return call([str(env.python), *RUNNERS[args.command][0], *rest])


def call(command: list[str]) -> int:
    """Run a child in the repository; Ctrl-C reaches it (same console), so just wait."""
    child = subprocess.Popen(command, cwd=ROOT)
    while True:
        try:
            return child.wait()
        except KeyboardInterrupt:
            continue  # the child got the same Ctrl-C and decides when to stop


if __name__ == "__main__":
    sys.exit(main())
