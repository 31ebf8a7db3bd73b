"""JupyterHub for a workshop room: the course for every learner, one shared mock, a key each.

    python -m jupyterhub -f hub/jupyterhub_config.py      # from the course's venv

Set before starting (see docs/instructor_guide.md, "A room on JupyterHub"):
  COURSE_HUB_PASSWORD   the room's shared password (8+ characters; write it on the board)
  COURSE_ROOM_SIZE      seats, learner-01 ... learner-NN (default 40); each login is a seat
  COURSE_ROOM_DIR       learners' homes, their keys, the hub's database (default hub/room/)
  COURSE_HUB_IP / COURSE_HUB_PORT   where the room connects (default 127.0.0.1:8000; a room
                        on the LAN needs 0.0.0.0 and, outside a closed network, TLS)
  COURSE_LEARNER_RPM    each learner's requests a minute on each deployment, enforced over
                        Azure's 10-second periods (default 600; 0: no per-learner limit)
  COURSE_HUB_ADMIN_TOKEN  optional: a token for the REST API (creating and starting seats)

What it sets up: the simple local-process spawner (every learner's server runs as the hub's
user, in a home of its own under the room directory), the shared-password authenticator
(logins limited to the seats), and a hub-managed service running one mock for the room
(``azure_llm_helpers.course.room serve``). Each learner's server gets the mock's environment
with the learner's own key, so rate limits, 429s and log lines are per learner.
"""

import os
import socket
import sys
from pathlib import Path

COURSE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(COURSE))  # the config runs inside the course's venv; be explicit

from azure_llm_helpers.course.room import Room  # noqa: E402

c = get_config()  # noqa: F821 - JupyterHub's config loader provides it
room = Room.from_env()
room.keys()  # every seat has its key before the mock reads them


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


password = os.environ.get("COURSE_HUB_PASSWORD", "")
if len(password) < 8:
    sys.exit("COURSE_HUB_PASSWORD must be set to the room's shared password (8+ characters)")

# Where the room connects; the hub's own API and the proxy's API stay on loopback.
c.JupyterHub.ip = os.environ.get("COURSE_HUB_IP", "127.0.0.1")
c.JupyterHub.port = int(os.environ.get("COURSE_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = _free_port()
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{_free_port()}"
c.ConfigurableHTTPProxy.pid_file = str(room.directory / "jupyterhub-proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{room.directory / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(room.directory / "jupyterhub_cookie_secret")

# A workshop's login: a seat name (learner-01 ...) and the room's password. A name past the
# room's size logs in but cannot start a server (the spawn hook says why).
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = password
c.Authenticator.allow_all = True
c.Authenticator.username_pattern = r"learner-\d{2,3}"

# Every learner's server: this venv's Python, a home under the room directory, the lessons.
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(room.directory / "homes" / "{username}")
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
if getattr(os, "geteuid", lambda: 1)() == 0:
    c.Spawner.args = ["--allow-root"]  # containers and CI run as root; Jupyter refuses without
c.Spawner.default_url = "/lab/tree/notebooks/00_environment_setup.ipynb"
c.Spawner.env_keep = ["PATH", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP"]
c.Spawner.pre_spawn_hook = room.prepare_spawn
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120

# One mock for the room, started and stopped with the hub.
services = [{
    "name": "azure-openai-mock",
    "command": [sys.executable, "-m", "azure_llm_helpers.course.room", "serve",
                "--room-dir", str(room.directory), "--size", str(room.size),
                "--learner-rpm", str(room.learner_rpm),
                "--port", os.environ.get("COURSE_ROOM_MOCK_PORT", str(_free_port()))],
    "cwd": str(COURSE),
}]
admin_token = os.environ.get("COURSE_HUB_ADMIN_TOKEN")
if admin_token:
    services.append({"name": "course-admin", "api_token": admin_token})
    c.JupyterHub.load_roles = [{
        "name": "course-admin",
        "scopes": ["admin:users", "admin:servers", "access:servers", "list:users"],
        "services": ["course-admin"],
    }]
c.JupyterHub.services = services
