"""The cross-platform entry point: venv layout, install bookkeeping, make help."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path, PureWindowsPath

import pytest

from azure_llm_helpers.course import install, layout
from azure_llm_helpers.course.__main__ import main as course_main

ROOT = layout.ROOT


def test_the_venv_layout_comes_from_sysconfig_on_each_os(tmp_path: Path):
    windows = layout.executable(tmp_path, "python", os_name="nt")
    assert PureWindowsPath(windows).parent.name == "Scripts"
    assert windows.name == "python.exe"
    posix = layout.executable(tmp_path, "python", os_name="posix")
    assert posix.parent.name == "bin" and posix.name == "python"


def test_this_machines_venv_python_is_where_venv_puts_it():
    here = layout.Venv.chosen()
    assert here.python == Path(sys.executable).parent / here.python.name or not here.exists()
    if here.exists():
        assert here.python.is_file()


def test_the_venv_can_be_chosen_by_option_or_environment(monkeypatch, tmp_path: Path):
    assert layout.Venv.chosen().path == ROOT / ".venv"
    monkeypatch.setenv(layout.VENV_ENV, str(tmp_path / "other"))
    assert layout.Venv.chosen().path == tmp_path / "other"
    assert layout.Venv.chosen(".venv-canary").path == ROOT / ".venv-canary"


def test_extras_follow_pyproject():
    assert install.extras_for("test") == {"dev"} & install.known_extras()
    assert "dev" not in install.extras_for("lab")
    assert install.extras_for("run") <= install.known_extras()


def test_extras_naming_the_course_itself_are_expanded():
    dev = install.requirement_strings({"dev"})
    names = {r.split(">")[0].split("[")[0].split("<")[0] for r in dev}
    assert {"openai", "uvicorn", "jupyterlab", "pytest"} <= names
    assert not any(r.startswith("azure-llm-helpers") for r in dev)
    assert len(dev) == len(set(dev))


def test_a_stamp_from_another_pyproject_means_install_again(tmp_path: Path):
    env = layout.Venv(tmp_path)
    env.python.parent.mkdir(parents=True)
    env.python.write_text("")
    assert install.installed_extras(env) is None  # no stamp
    env.stamp.write_text(json.dumps({"pyproject": "0" * 64, "extras": ["dev"]}))
    assert install.installed_extras(env) is None  # pyproject changed since
    env.stamp.write_text(json.dumps({"pyproject": install._fingerprint(), "extras": ["dev"]}))
    assert install.installed_extras(env) == {"dev"}
    env.stamp.write_text("")  # the old Makefile's empty stamp
    assert install.installed_extras(env) is None


def test_the_courses_own_modules_are_compiled_at_install(tmp_path: Path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("X = 1\n")
    (package / "sub" / "mod.py").write_text("Y = 2\n")
    assert install.compile_sources(Path(sys.executable), package)
    tag = sys.implementation.cache_tag
    assert (package / "__pycache__" / f"__init__.{tag}.pyc").is_file()
    assert (package / "sub" / "__pycache__" / f"mod.{tag}.pyc").is_file()


def test_an_unknown_installer_is_refused_by_name(monkeypatch, tmp_path: Path):
    monkeypatch.setenv(install.INSTALLER_ENV, "poetry")
    with pytest.raises(install.InstallError, match="COURSE_INSTALLER='poetry'.*auto, uv, pip"):
        install.install(layout.Venv(tmp_path), set(), offline=False)


def test_offline_without_a_wheelhouse_says_how_to_build_one(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv(layout.WHEELHOUSE_ENV, str(tmp_path / "missing"))
    monkeypatch.setenv(layout.VENV_ENV, str(tmp_path / "venv"))  # main() sets it: restored
    code = course_main(["--offline", "install"])
    assert code == 2
    assert "make wheelhouse" in capsys.readouterr().err
    assert not (tmp_path / "venv").exists()


@pytest.mark.skipif(shutil.which("make") is None, reason="no make on this machine")
def test_make_help_prints_every_targets_note():
    done = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True,
                          check=True)
    listed = {line.split()[1] for line in done.stdout.splitlines() if line.strip()}
    noted = {line.split(":")[0] for line in (ROOT / "Makefile").read_text().splitlines()
             if "##" in line and not line.startswith(("#", "\t"))}
    assert noted and listed == noted
    assert {"lab", "run", "test", "doctor", "wheelhouse", "test-room"} <= listed


def test_every_make_target_goes_through_the_entry_point():
    recipes = [line.strip() for line in (ROOT / "Makefile").read_text().splitlines()
               if line.startswith("\t")]
    course_lines = [r for r in recipes if r.startswith("$(COURSE)")]
    assert len(course_lines) >= 12
    for recipe in recipes:
        assert "bin/" not in recipe and "Scripts" not in recipe, recipe


def test_the_base_interpreter_needs_nothing_but_the_standard_library():
    """The entry point starts before any install: it may import only the stdlib."""
    code = ("import sys; import azure_llm_helpers.course.__main__; "
            "bad = [m for m in ('packaging', 'jupyter_core', 'openai', 'starlette', 'httpx') "
            "if m in sys.modules]; print(bad)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stderr
