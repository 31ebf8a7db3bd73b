"""A room: one shared mock, a seat per learner, each seat with its own key.

    python -m azure_llm_helpers.course.room serve --room-dir DIR [--port N]   # the shared mock
    python -m azure_llm_helpers.course.room handout --room-dir DIR            # the key handout

The room directory holds ``mock-learners.toml`` (a ``[[learners]]`` table: a name and a key
per seat, made once and kept, readable by its owner only), ``mock-env.json`` (what the
running mock exports, written when it is up) and the learners' homes. The mock counts each
key's requests in windows of its own, so one learner's loop throttles only that learner,
and its log names the learner, never the key. ``hub/jupyterhub_config.py`` runs ``serve``
as a hub-managed service and gives each learner's server that learner's key.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import secrets
import shutil
import signal
import sys
import threading
import time
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from .._constants import EnvironmentVariables as E
from .layout import ROOT

ROOM_DIR_ENV = "COURSE_ROOM_DIR"
ROOM_SIZE_ENV = "COURSE_ROOM_SIZE"
LEARNER_RPM_ENV = "COURSE_LEARNER_RPM"
DEFAULT_SIZE = 40
# Each learner's requests a minute on each deployment, over Azure's 10-second periods (100
# per period): lessons never come near it, a loop that ignores Retry-After meets it in
# seconds. (600 RPM is what Azure gives a deployment of 100,000 tokens a minute.)
DEFAULT_LEARNER_RPM = 600
SEAT = "learner-{:02d}"
NOTEBOOKS = ROOT / "notebooks"


class RoomError(RuntimeError):
    """The room cannot be set up; the message says why and what to do."""


@dataclass(frozen=True)
class Room:
    directory: Path
    size: int = DEFAULT_SIZE
    learner_rpm: int = DEFAULT_LEARNER_RPM  # 0: only the deployments' own limits

    @classmethod
    def from_env(cls) -> Room:
        where = os.environ.get(ROOM_DIR_ENV) or str(ROOT / "hub" / "room")
        size = os.environ.get(ROOM_SIZE_ENV, str(DEFAULT_SIZE))
        if not size.isdigit() or not 1 <= int(size) <= 999:
            raise RoomError(f"{ROOM_SIZE_ENV}={size!r}: give the number of seats, 1 to 999")
        rpm = os.environ.get(LEARNER_RPM_ENV, str(DEFAULT_LEARNER_RPM))
        if not rpm.isdigit():
            raise RoomError(f"{LEARNER_RPM_ENV}={rpm!r}: give each learner's requests a minute "
                            f"(a whole number; 0 for no per-learner limit)")
        return cls(Path(where).resolve(), int(size), int(rpm))

    @property
    def keys_file(self) -> Path:
        return self.directory / "mock-learners.toml"

    @property
    def env_file(self) -> Path:
        return self.directory / "mock-env.json"

    def seats(self) -> list[str]:
        return [SEAT.format(n) for n in range(1, self.size + 1)]

    def keys(self) -> dict[str, str]:
        """Seat name -> key, making keys for seats that have none yet (never changing one)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        known = {}
        if self.keys_file.is_file():
            data = tomllib.loads(self.keys_file.read_text(encoding="utf-8"))
            known = {entry["name"]: entry["key"] for entry in data.get("learners", [])}
        missing = [seat for seat in self.seats() if seat not in known]
        if missing:
            known.update({seat: secrets.token_hex(16) for seat in missing})
            self._write_keys(known)
        return known

    def _write_keys(self, keys: dict[str, str]) -> None:
        lines = ["# One seat per learner: the shared mock gives each key its own rate-limit",
                 "# windows and names the seat in its log. Made by azure_llm_helpers.course.room;",
                 "# a seat's key never changes. Keep this file to yourself.", ""]
        for name, key in keys.items():
            lines += ["[[learners]]", f'name = "{name}"', f'key = "{key}"', ""]
        partial = self.keys_file.with_suffix(".partial")
        partial.write_text("\n".join(lines), encoding="utf-8")
        os.chmod(partial, 0o600)
        os.replace(partial, self.keys_file)

    def mock_env(self) -> dict[str, str] | None:
        """What the running shared mock exports (None until it is up)."""
        try:
            return json.loads(self.env_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def learner_env(self, name: str) -> dict[str, str]:
        """The mock's environment with this learner's own key in it."""
        key = self.keys().get(name)
        if key is None:
            raise RoomError(f"{name!r} has no seat in this room (seats: {SEAT.format(1)} to "
                            f"{SEAT.format(self.size)}; raise {ROOM_SIZE_ENV} for more)")
        env = self.mock_env()
        if env is None:
            raise RoomError(f"the shared mock is not running (no {self.env_file}): see the hub's "
                            "log for the azure-openai-mock service")
        return {**env, E.AZURE_OPENAI_API_KEY: key}

    def home(self, name: str) -> Path:
        return self.directory / "homes" / name

    def prepare_home(self, name: str) -> Path:
        """The learner's own copy of the lessons (kept as they left it on a restart)."""
        target = self.home(name) / "notebooks"
        target.mkdir(parents=True, exist_ok=True)
        for lesson in NOTEBOOKS.glob("*.ipynb"):
            if not (target / lesson.name).exists():
                shutil.copy2(lesson, target / lesson.name)
        return self.home(name)

    async def prepare_spawn(self, spawner) -> None:  # noqa: ANN001 - a JupyterHub Spawner
        """JupyterHub's ``pre_spawn_hook``: a home with the lessons, and the learner's key."""
        name = spawner.user.name
        self.prepare_home(name)
        for _ in range(300):  # the mock starts with the hub: wait for it, briefly
            if self.mock_env() is not None:
                break
            await asyncio.sleep(0.1)
        spawner.environment = {**spawner.environment, **self.learner_env(name)}

    def handout(self) -> str:
        """One line per seat for the instructor to print and cut: never a whole key."""
        rows = ["| seat and login | password | key ends in |", "| --- | --- | --- |"]
        rows += [f"| `{name}` | the room's password (on the board) | `…{key[-4:]}` |"
                 for name, key in self.keys().items() if name in self.seats()]
        return "\n".join(rows)


def serve(room: Room, host: str, port: int) -> int:
    """Run the room's mock until SIGINT/SIGTERM; its environment goes to ``env_file``."""
    from ..mock import MockServer
    from ..mock.config import MockConfigError, load_config
    from ..mock.learner_limits import LearnerLimits

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    log = logging.getLogger("azure_llm_helpers.mock")
    try:
        room.keys()
        config = load_config(room.keys_file)
        limits = LearnerLimits(room.learner_rpm, config.learner_limits.period_seconds,
                               config.learner_limits.ignored_refusal_pause_ms)
        server = MockServer(replace(config, learner_limits=limits), host=host, port=port)
    except (MockConfigError, OSError, RoomError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    server.start()
    env = dict(server.env)
    del env[E.AZURE_OPENAI_API_KEY]  # the resource's own key stays with the instructor
    partial = room.env_file.with_suffix(".partial")
    partial.write_text(json.dumps(env, indent=1), encoding="utf-8")
    os.chmod(partial, 0o600)
    os.replace(partial, room.env_file)
    each = f"{room.learner_rpm} requests a minute" if room.learner_rpm else "no limit"
    log.info("room mock on %s for %d learners (%s), each learner %s per deployment",
             server.url, room.size, room.keys_file, each)
    started = time.monotonic()
    while not stop.wait(0.5):  # a timeout, so Windows delivers Ctrl-C
        pass
    room.env_file.unlink(missing_ok=True)
    server.stop()
    log.info("room mock stopped after %.0f s", time.monotonic() - started)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m azure_llm_helpers.course.room",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("serve", "handout"))
    parser.add_argument("--room-dir", help=f"default ${ROOM_DIR_ENV} or hub/room/")
    parser.add_argument("--size", type=int, help=f"seats (default ${ROOM_SIZE_ENV} or "
                        f"{DEFAULT_SIZE})")
    parser.add_argument("--learner-rpm", type=int, help="each learner's requests a minute on "
                        f"each deployment (default ${LEARNER_RPM_ENV} or {DEFAULT_LEARNER_RPM}; "
                        "0: no per-learner limit)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        room = Room.from_env()
    except RoomError as exc:
        parser.error(str(exc))
    if args.room_dir or args.size or args.learner_rpm is not None:
        room = Room(Path(args.room_dir).resolve() if args.room_dir else room.directory,
                    args.size or room.size,
                    room.learner_rpm if args.learner_rpm is None else args.learner_rpm)
    if room.learner_rpm < 0:
        parser.error("--learner-rpm: give a whole number of requests a minute (0: no limit)")
    if args.command == "handout":
        print(room.handout())
        return 0
    return serve(room, args.host, args.port)


if __name__ == "__main__":
    sys.exit(main())
