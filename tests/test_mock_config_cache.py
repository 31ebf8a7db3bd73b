"""The default configuration, kept parsed in the user's cache (config.default_data)."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
import tomllib

import pytest

from azure_llm_helpers.mock.config import DEFAULT_CONFIG_PATH, default_data

ENTRY = f"default_config.{sys.implementation.cache_tag}.marshal"


def _parsed() -> dict:
    return tomllib.loads(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))


def test_a_cold_cache_is_filled_and_a_warm_one_gives_the_same_data(tmp_path):
    assert default_data(tmp_path) == _parsed()
    assert [p.name for p in tmp_path.iterdir()] == [ENTRY]
    assert default_data(tmp_path) == _parsed()


def test_an_entry_for_another_version_of_the_file_is_not_used(tmp_path):
    (tmp_path / ENTRY).write_bytes(marshal.dumps(("another file's digest", {"resource": {}})))
    assert default_data(tmp_path) == _parsed()
    key, data = marshal.loads((tmp_path / ENTRY).read_bytes())
    assert data == _parsed() and key != "another file's digest"


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="the XDG layout is Linux's")
def test_a_mock_started_with_a_warm_cache_does_not_parse_toml(tmp_path):
    code = ("import sys; from azure_llm_helpers.mock import MockServer; MockServer(); "
            "print('tomllib' in sys.modules)")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, timeout=60) for _ in range(2)]
    assert [r.stdout.strip() for r in runs] == ["True", "False"], [r.stderr for r in runs]
