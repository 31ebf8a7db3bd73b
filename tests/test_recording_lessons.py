"""The course side of record and replay: the shipped recording replays lesson 03, and
``tools/run_lessons.py`` refuses a replay it cannot do with one clear line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from azure_llm_helpers._constants import SECRET_SHAPES
from azure_llm_helpers.mock import MockServer
from azure_llm_helpers.mock.recording import load_directory

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "recordings" / "lesson03"
sys.path.insert(0, str(ROOT / "tools"))
import run_lessons  # noqa: E402  (the same kernel set-up as make run)


def test_the_example_recording_is_valid_and_secret_free() -> None:
    items = load_directory(EXAMPLE)
    assert len(items) >= 10
    for path in EXAMPLE.glob("*.json"):
        text = path.read_text(encoding="utf-8")
        assert "127.0.0.1" not in text
        # Base64 vectors hold long alphanumeric runs by chance; they are not secrets.
        text = json.dumps(_without_vectors(json.loads(text)))
        for shape in SECRET_SHAPES.values():
            assert not shape.search(text), f"{path.name} holds something secret-shaped"


def _without_vectors(value: object) -> object:
    if isinstance(value, dict):
        return {k: "<vector>" if k == "embedding" else _without_vectors(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_without_vectors(v) for v in value]
    return value


@pytest.mark.notebooks
def test_the_example_recording_replays_lesson_03_end_to_end(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lesson = ROOT / "notebooks" / "03_langchain.ipynb"
    for name in ("AZURE_OPENAI_AD_TOKEN", "OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    with MockServer(replay=EXAMPLE) as server:  # no fallback: a miss fails the lesson
        for name, value in server.env.items():
            monkeypatch.setenv(name, value)
        output = tmp_path / lesson.name
        run_lessons.execute(lesson, output, {"mode": "replay"})
    executed = nbformat.read(output, as_version=4)
    errors = [o for c in executed.cells if c.cell_type == "code"
              for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    # The seed's call, llm.invoke("Tell me a joke"): its recorded answer is what the lesson shows.
    recorded = [json.loads(p.read_text()) for p in sorted(EXAMPLE.glob("*-completions-*.json"))]
    seed = next(r for r in recorded if "Tell me a joke" in json.dumps(r["request"]))
    joke = seed["response"]["json"]["choices"][0]["text"].strip()
    printed = "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code"
                      for o in c.get("outputs", []))
    assert joke in printed


def test_run_lessons_says_what_a_replay_needs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("AZURE_OPENAI_MOCK_REPLAY", raising=False)
    with pytest.raises(SystemExit) as info:
        run_lessons.main(["-p", "mode=replay"])
    assert info.value.code == 2
    assert "needs a recording: --replay DIR" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run_lessons.main(["--replay", str(tmp_path / "missing")])
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "missing: no such recording directory" in err
    with pytest.raises(SystemExit):
        run_lessons.main(["--record", str(tmp_path), "-p", "mode=mock"])
    assert "--record runs the lessons live" in capsys.readouterr().err


@pytest.mark.notebooks
def test_run_lessons_records_lesson_03_as_the_example_was_recorded(tmp_path: Path) -> None:
    """``run_lessons.py --record`` (through tools/record_example.py, live mode, a second mock
    as the resource) makes the same requests the shipped example holds: if lesson 03
    changes, re-run tools/record_example.py."""
    subprocess.run([sys.executable, str(ROOT / "tools" / "record_example.py"), str(tmp_path)],
                   check=True, capture_output=True, timeout=300)

    def requests(directory: Path) -> list[dict]:
        return [json.loads(p.read_text())["request"] for p in sorted(directory.glob("*.json"))]

    assert requests(tmp_path) == requests(EXAMPLE)
