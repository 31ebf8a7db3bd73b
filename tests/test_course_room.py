"""A room's seats and keys: made once, kept, never shown whole; errors that say what to do."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from azure_llm_helpers.course.room import Room, RoomError
from azure_llm_helpers.mock.config import load_config


def test_each_seat_gets_a_key_of_its_own_and_keeps_it(tmp_path: Path):
    keys = Room(tmp_path, size=3).keys()
    assert list(keys) == ["learner-01", "learner-02", "learner-03"]
    assert len(set(keys.values())) == 3
    grown = Room(tmp_path, size=5).keys()  # a bigger room later: old seats keep their keys
    assert {k: grown[k] for k in keys} == keys and len(grown) == 5
    if os.name == "posix":
        assert stat.S_IMODE(Room(tmp_path).keys_file.stat().st_mode) == 0o600


def test_the_keys_file_is_a_mock_config_with_the_learners(tmp_path: Path):
    room = Room(tmp_path, size=2)
    keys = room.keys()
    config = load_config(room.keys_file)
    assert config.learners == {key: name for name, key in keys.items()}
    assert config.deployments  # the default deployments are still there


def test_the_handout_shows_seats_and_only_the_keys_last_four(tmp_path: Path):
    room = Room(tmp_path, size=2)
    handout = room.handout()
    for name, key in room.keys().items():
        assert f"`{name}`" in handout and f"`…{key[-4:]}`" in handout
        assert key not in handout


def test_a_learner_env_is_the_mocks_with_their_key(tmp_path: Path):
    room = Room(tmp_path, size=2)
    with pytest.raises(RoomError, match="shared mock is not running"):
        room.learner_env("learner-01")
    room.env_file.write_text(json.dumps({"AZURE_OPENAI_ENDPOINT": "http://127.0.0.1:9/"}))
    env = room.learner_env("learner-02")
    assert env["AZURE_OPENAI_API_KEY"] == room.keys()["learner-02"]
    with pytest.raises(RoomError, match="'learner-07' has no seat.*raise COURSE_ROOM_SIZE"):
        room.learner_env("learner-07")


def test_a_home_gets_the_lessons_once_and_keeps_the_learners_work(tmp_path: Path):
    room = Room(tmp_path, size=1)
    lesson = room.prepare_home("learner-01") / "notebooks" / "00_environment_setup.ipynb"
    lesson.write_text("my work")
    room.prepare_home("learner-01")
    assert lesson.read_text() == "my work"


def test_a_bad_room_size_is_refused_by_name(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COURSE_ROOM_SIZE", "thirty")
    with pytest.raises(RoomError, match="COURSE_ROOM_SIZE='thirty'"):
        Room.from_env()
