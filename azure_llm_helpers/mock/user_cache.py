"""What the mock derives from its own installed files, kept in a per-user cache directory.

Each entry is a marshalled ``(key, value)`` pair; the key is a digest of what the value was
derived from, so an absent, stale, unreadable or foreign entry is simply built again (and
rewritten).  The directory is the user's own (a shared temporary directory would let
another user plant an entry); without a writable one, the value is built every time.
marshal's format may change between Python versions: callers name one entry per
interpreter (``sys.implementation.cache_tag``).
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from .._constants import EnvironmentVariables as Env

_APP = "azure-llm-helpers"
T = TypeVar("T")


def user_cache_dir() -> Path | None:
    """The platform's per-user cache directory for this package (None if there is none)."""
    try:
        if sys.platform == "win32":
            local = os.environ.get(Env.LOCALAPPDATA)
            return Path(local) / _APP / "Cache" if local else None
        if sys.platform == "darwin":
            return Path.home() / "Library" / "Caches" / _APP
        return Path(os.environ.get(Env.XDG_CACHE_HOME) or Path.home() / ".cache") / _APP
    except RuntimeError:  # no home directory to be found
        return None


def cached(name: str, key: str, build: Callable[[], T], *, directory: Path | None = None,
           valid: Callable[[Any], bool] = lambda value: True) -> T:
    """The value stored as ``name`` under ``key`` in ``directory`` (default:
    ``user_cache_dir()``) if it is there and ``valid``, else ``build()``, stored for next
    time."""
    directory = directory if directory is not None else user_cache_dir()
    if directory is None:
        return build()
    entry = directory / name
    try:
        stored_key, value = marshal.loads(entry.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):  # absent, cut short or not ours
        stored_key = value = None
    if stored_key == key and valid(value):
        return value
    value = build()
    _write(entry, key, value)
    return value


def _write(entry: Path, key: str, value: object) -> None:
    # Write then rename, so a process starting at the same moment never reads half a file.
    partial = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
    try:
        data = marshal.dumps((key, value))
        entry.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(data)
        os.replace(partial, entry)
    except (OSError, ValueError):  # a read-only home, or a value marshal cannot hold
        with contextlib.suppress(OSError):
            partial.unlink()
