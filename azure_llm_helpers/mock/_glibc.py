"""The two glibc malloc knobs the mock turns to keep its resident size small (no-ops elsewhere)."""

from __future__ import annotations

from typing import Any


def _libc() -> Any | None:
    import ctypes  # only when needed: the mock's start-up stays fast

    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc
        return None


def single_malloc_arena() -> None:
    """One malloc arena for the whole process (like MALLOC_ARENA_MAX=1).

    A server thread would otherwise get an arena of its own, where the tokenizer's one-off
    load leaves ~2 MiB resident.  Must run before any thread starts.
    """
    libc = _libc()
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(-8, 1)  # -8 is M_ARENA_MAX in <malloc.h>


def trim_heap() -> None:
    """Give freed heap pages back to the system now (otherwise reused later anyway)."""
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)
