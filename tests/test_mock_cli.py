"""The mock's command line is a contract: scripts parse its output."""

from __future__ import annotations

import re
import signal
import subprocess
import sys

import openai
import pytest

EXPECTED = [
    "AZURE_OPENAI_ENDPOINT", "OPENAI_API_VERSION", "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_COMPLETIONS_DEPLOYMENT", "AZURE_OPENAI_CHAT_DEPLOYMENT",
    "AZURE_OPENAI_EMBEDDINGS_DEPLOYMENT", "AZURE_OPENAI_RESPONSES_DEPLOYMENT",
    "AZURE_OPENAI_REASONING_DEPLOYMENT",
]


def start_cli(*args: str) -> tuple[subprocess.Popen, dict[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "azure_llm_helpers.mock", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    exports: dict[str, str] = {}
    while len(exports) < len(EXPECTED):
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"mock exited early: {proc.stderr.read()}")
        match = re.fullmatch(r"export (\w+)=(.*)\n", line)
        assert match, f"not an export line: {line!r}"
        exports[match[1]] = match[2]
    return proc, exports


# How soon the export lines come is a benchmark figure (bench/mock_bench.py), not a test.
def test_cli_prints_exports_serves_the_real_sdk_and_logs_each_request():
    proc, exports = start_cli()
    try:
        assert set(EXPECTED) <= set(exports)
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", exports["AZURE_OPENAI_ENDPOINT"])
        client = openai.AzureOpenAI(
            azure_endpoint=exports["AZURE_OPENAI_ENDPOINT"],
            api_key=exports["AZURE_OPENAI_API_KEY"],
            api_version=exports["OPENAI_API_VERSION"],
        )
        answer = client.completions.create(
            model=exports["AZURE_OPENAI_COMPLETIONS_DEPLOYMENT"], prompt="Tell me a joke"
        )
        assert "two-tired" in answer.choices[0].text
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=5)
    assert proc.returncode == 0
    deployment = exports["AZURE_OPENAI_COMPLETIONS_DEPLOYMENT"]
    assert re.search(rf"^POST /openai/deployments/{deployment}/completions "
                     rf"deployment={deployment} 200 \d+\.\dms$", err, re.MULTILINE), err
    assert exports["AZURE_OPENAI_API_KEY"] not in err, "the key leaked into the log"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_cli_stops_cleanly_on_signals(sig):
    proc, _ = start_cli()
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=5)
    assert proc.returncode == 0
    assert "Traceback" not in err


def test_cli_reports_a_missing_config_file_without_a_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "azure_llm_helpers.mock", "--config", str(tmp_path / "nope.toml")],
        capture_output=True, text=True, timeout=10,
    )
    assert proc.returncode == 2
    assert "nope.toml" in proc.stderr and "Traceback" not in proc.stderr
