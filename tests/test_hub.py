"""The course on JupyterHub: five learners on one hub, one shared mock, a key each.

Needs ``configurable-http-proxy`` (npm: ``npm install -g configurable-http-proxy``): skipped
with that reason when it is absent, and failed instead under REQUIRE_HUB=1 (CI installs it).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import nbformat
import pytest

from azure_llm_helpers.course.checks import free_port
from azure_llm_helpers.course.room import Room
from tests.kernel_channels import run_notebook

pytestmark = pytest.mark.room
ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
LEARNERS = [f"learner-{n:02d}" for n in range(1, 6)]
LESSONS = ["00_environment_setup.ipynb", "03_langchain.ipynb"]
KEY_PROBE = ("import hashlib, os; "
             "print('key:', hashlib.sha256(os.environ['AZURE_OPENAI_API_KEY'].encode())"
             ".hexdigest()[:16])")


@dataclass
class Hub:
    url: str
    token: str
    room: Room
    log: Path

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=f"{self.url}/hub/api", timeout=60,
                            headers={"Authorization": f"token {self.token}"})


def _require_proxy() -> None:
    if shutil.which("configurable-http-proxy"):
        return
    reason = ("configurable-http-proxy (npm) is not installed: "
              "`npm install -g configurable-http-proxy`")
    if os.environ.get("REQUIRE_HUB") == "1":
        pytest.fail(f"REQUIRE_HUB=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    _require_proxy()
    room = Room(tmp_path_factory.mktemp("room"), size=len(LEARNERS))
    port, token = free_port(), secrets.token_hex(32)
    env = {**os.environ, "COURSE_ROOM_DIR": str(room.directory),
           "COURSE_ROOM_SIZE": str(room.size), "COURSE_HUB_PASSWORD": secrets.token_hex(8),
           "COURSE_HUB_PORT": str(port), "COURSE_HUB_ADMIN_TOKEN": token}
    log = room.directory / "hub.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(ROOT / "hub" / "jupyterhub_config.py")],
            cwd=room.directory, env=env, stdout=sink, stderr=subprocess.STDOUT)
    hub = Hub(f"http://127.0.0.1:{port}", token, room, log)
    try:
        _wait_until(lambda: _answers(hub), 120, "the hub to answer", process, log)
        yield hub
    finally:
        process.terminate()
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()


def _answers(hub: Hub) -> bool:
    try:
        with hub.api() as api:
            return api.get("/").status_code == 200 and hub.room.mock_env() is not None
    except httpx.HTTPError:
        return False


def _wait_until(ready, seconds: float, what: str, process=None, log: Path | None = None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready():
            return
        if process is not None and process.poll() is not None:
            break
        time.sleep(0.5)
    tail = log.read_text()[-3000:] if log else ""
    pytest.fail(f"timed out waiting for {what}\n{tail}")


def _server_ready(hub: Hub, name: str) -> bool:
    with hub.api() as api:
        server = api.get(f"/users/{name}").json().get("servers", {}).get("", {})
    return bool(server.get("ready"))


def _start_server(hub: Hub, name: str) -> int:
    with hub.api() as api:
        return api.post(f"/users/{name}/server").status_code


def _learner_runs(hub: Hub, name: str) -> dict[str, str]:
    server = f"{hub.url}/user/{name}/"
    out = {}
    for lesson in LESSONS:
        out[lesson] = run_notebook(server, hub.token, NOTEBOOKS / lesson,
                                   f"notebooks/{lesson}").joined
    probe = hub.room.directory / f"key-probe-{name}.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(KEY_PROBE)]), probe)
    out["key"] = run_notebook(server, hub.token, probe, "notebooks/probe.ipynb").joined
    return out


def test_five_learners_run_lessons_00_and_03_each_with_their_own_key(hub: Hub):
    with hub.api() as api:
        assert api.post("/users", json={"usernames": LEARNERS}).status_code == 201
    with ThreadPoolExecutor(len(LEARNERS)) as pool:  # each POST waits up to 10 s: not in turn
        started = list(pool.map(_start_server, [hub] * len(LEARNERS), LEARNERS))
    assert set(started) <= {201, 202}, started
    try:
        for name in LEARNERS:
            _wait_until(lambda n=name: _server_ready(hub, n), 240, f"{name}'s server",
                        log=hub.log)
        with ThreadPoolExecutor(len(LEARNERS)) as pool:
            runs = dict(zip(LEARNERS, pool.map(lambda n: _learner_runs(hub, n), LEARNERS),
                            strict=True))
    finally:
        with hub.api() as api:
            for name in LEARNERS:
                api.delete(f"/users/{name}/server")

    keys = hub.room.keys()
    assert len(set(keys.values())) == len(LEARNERS)
    for name, run in runs.items():
        for lesson in LESSONS:
            assert "two-tired" in run[lesson], f"{name} got no joke in {lesson}"
        expected = hashlib.sha256(keys[name].encode()).hexdigest()[:16]
        assert f"key: {expected}" in run["key"], f"{name}'s kernel has another key"
    log = hub.log.read_text()
    for name in LEARNERS:
        assert f"learner={name}" in log, f"the mock's log has no request from {name}"
    for key in keys.values():
        assert key not in log  # the log names learners, never their keys
