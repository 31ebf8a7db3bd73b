"""``wheelhouse``: every wheel the course needs, for the laptops a room will bring.

    python -m azure_llm_helpers.course wheelhouse                      # Linux, macOS, Windows
    python -m azure_llm_helpers.course wheelhouse --platform here      # this machine only

It downloads (with ``pip download --only-binary=:all:``) the ranges ``pyproject.toml``
names, for each platform and supported Python, plus ``uv`` and ``setuptools`` so an
offline install takes the same path as an online one (``install.py``). Copy the
repository with ``wheelhouse/`` to a USB stick; on each laptop ``make lab OFFLINE=1``
(Windows: ``py -m azure_llm_helpers.course --offline lab``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from .install import extras_for, requirement_strings
from .layout import ROOT, wheelhouse_dir

# pip expands macOS tags to older versions itself, but not manylinux_2_x ones: list them.
_LINUX = ("manylinux_2_28_{0}", "manylinux_2_17_{0}", "manylinux2014_{0}", "manylinux1_{0}")
PLATFORMS = {
    "linux": [t.format("x86_64") for t in _LINUX],
    "linux-arm": [t.format("aarch64") for t in _LINUX],
    "macos": ["macosx_14_0_arm64"],
    "macos-intel": ["macosx_13_0_x86_64"],
    "windows": ["win_amd64"],
    "here": [],  # this interpreter's own platform and version
}
DEFAULT_PLATFORMS = ("linux", "macos", "windows")
DEFAULT_PYTHONS = ("3.11", "3.12", "3.13")
# What an offline install needs besides the course's own ranges (see install.py).
INSTALL_TOOLS = ("uv", "pip", "setuptools>=68")


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("wheelhouse", help="download every wheel into wheelhouse/")
    parser.add_argument("--platform", action="append", choices=sorted(PLATFORMS),
                        help=f"repeatable (default: {', '.join(DEFAULT_PLATFORMS)})")
    parser.add_argument("--python", action="append", metavar="X.Y",
                        help=f"repeatable (default: {', '.join(DEFAULT_PYTHONS)})")
    parser.add_argument("--dest", type=Path, help="where (default wheelhouse/, or "
                        "$COURSE_WHEELHOUSE)")


def requirements(extras: set[str]) -> list[str]:
    return [*requirement_strings(extras), *INSTALL_TOOLS]


def download_command(dest: Path, platform: str, python: str, reqs: list[str]) -> list[str]:
    command = [sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:",
               "--dest", str(dest)]
    if platform != "here":
        command += [f"--platform={tag}" for tag in PLATFORMS[platform]]
        command += [f"--python-version={python}"]
    return [*command, *reqs]


def build(dest: Path, platforms: list[str], pythons: list[str]) -> list[str]:
    """Fill ``dest``; returns the targets that failed (empty when all went well)."""
    dest.mkdir(parents=True, exist_ok=True)
    reqs = requirements(extras_for("run"))
    failed = []
    targets = [("here", "")] if platforms == ["here"] else \
        [(p, v) for p in platforms for v in pythons if p != "here"]
    for platform, python in targets:
        label = platform if platform == "here" else f"{platform} / Python {python}"
        print(f"wheelhouse: {label} ...", flush=True)
        if subprocess.call(download_command(dest, platform, python, reqs), cwd=ROOT) != 0:
            failed.append(label)
    return failed


def main(args: argparse.Namespace) -> int:
    dest = args.dest or wheelhouse_dir()
    start = time.perf_counter()
    failed = build(dest, args.platform or list(DEFAULT_PLATFORMS),
                   args.python or list(DEFAULT_PYTHONS))
    count = len(list(dest.glob("*.whl")))
    size = sum(p.stat().st_size for p in dest.glob("*.whl")) / 2**20
    print(f"wheelhouse: {count} wheels, {size:.0f} MiB in {dest} "
          f"({time.perf_counter() - start:.0f} s)")
    for label in failed:
        print(f"error: could not download everything for {label}", file=sys.stderr)
    return 1 if failed else 0
