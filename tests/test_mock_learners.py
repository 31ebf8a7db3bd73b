"""A room's learners: a key each, rate-limit windows of their own, named in the log."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import httpx
import pytest

from azure_llm_helpers.mock import MockServer
from azure_llm_helpers.mock.config import MockConfigError, load_config

from .room_config import ALICE, BOB, CHAT, LEARNERS

ROOM = CHAT.format(rpm=2) + LEARNERS


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "room.toml"
    path.write_text(text)
    return path


def _chat(mock: MockServer, key: str) -> httpx.Response:
    return httpx.post(
        f"{mock.url}openai/deployments/chat/chat/completions",
        params={"api-version": mock.config.default_api_version}, headers={"api-key": key},
        json={"messages": [{"role": "user", "content": "Tell me a joke"}]}, timeout=10)


def test_each_learner_is_throttled_alone(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.INFO, logger="azure_llm_helpers.mock")
    with MockServer(config_file=_write(tmp_path, ROOM)) as mock:
        assert [_chat(mock, ALICE).status_code for _ in range(3)] == [200, 200, 429]
        assert _chat(mock, BOB).status_code == 200  # alice's loop did not spend bob's minute
        assert _chat(mock, mock.config.api_key).status_code == 200  # nor the resource's own
        assert _chat(mock, "c3" * 16).status_code == 401
    lines = [r.getMessage() for r in caplog.records if "/chat/completions" in r.getMessage()]
    assert sum("learner=alice" in line for line in lines) == 3
    assert sum("learner=bob" in line for line in lines) == 1
    assert not any(ALICE in line or BOB in line for line in lines)


def test_remaining_requests_are_counted_per_learner(tmp_path: Path):
    with MockServer(config_file=_write(tmp_path, ROOM)) as mock:
        first = _chat(mock, ALICE).headers["x-ratelimit-remaining-requests"]
        other = _chat(mock, BOB).headers["x-ratelimit-remaining-requests"]
    assert first == other == "1"


@pytest.mark.parametrize(("learners", "message"), [
    (f'[[learners]]\nname = "a b"\nkey = "{ALICE}"', "name 'a b' must be"),
    ('[[learners]]\nname = "alice"\nkey = "short"', "alice's key must be 16"),
    (f'[[learners]]\nname = "alice"\nkey = "{ALICE}"\n[[learners]]\nname = "bob"\n'
     f'key = "{ALICE}"', "bob's key must be 16+ characters and differ"),
])
def test_a_bad_learners_table_is_refused_by_name(tmp_path: Path, learners: str, message: str):
    with pytest.raises(MockConfigError, match=re.escape(message)):
        load_config(_write(tmp_path, learners))


def test_no_learners_means_one_key_as_before():
    assert load_config().learners == {}


def test_the_v1_responses_route_knows_learners_too(tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.INFO, logger="azure_llm_helpers.mock")
    with MockServer(config_file=_write(tmp_path, ROOM)) as mock:
        def respond(headers: dict[str, str]) -> int:
            return httpx.post(f"{mock.url}openai/v1/responses", headers=headers, timeout=10,
                              json={"model": "chat", "input": "Tell me a joke"}).status_code

        assert respond({"api-key": BOB}) == 200
        assert respond({"Authorization": f"Bearer {ALICE}"}) == 200
        assert respond({"api-key": "c3" * 16}) == 401
    lines = [r.getMessage() for r in caplog.records if "/responses" in r.getMessage()]
    assert any("learner=bob" in line for line in lines)
    assert any("learner=alice" in line for line in lines)
