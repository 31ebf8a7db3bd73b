"""A room's per-learner limit: a loop meets it, the room does not; a 429 costs no answer."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from azure_llm_helpers.course.room import DEFAULT_LEARNER_RPM, Room, RoomError
from azure_llm_helpers.mock import MockServer
from azure_llm_helpers.mock.config import MockConfigError, load_config
from azure_llm_helpers.mock.learner_limits import LearnerLimits, LearnerWindow
from azure_llm_helpers.mock.ratelimit import SlidingWindow

from .room_config import ALICE, BOB, CHAT, LEARNERS

# 60 requests a minute over 10-second periods: 10 a period each.
ROOM = CHAT.format(rpm=6000) + LEARNERS + """
[learner_limits]
requests_per_minute = 60
period_seconds = 10
ignored_refusal_pause_ms = 20
"""
JOKE = {"messages": [{"role": "user", "content": "Tell me a joke"}]}


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mock.toml"
    path.write_text(text)
    return path


def _chat(client: httpx.Client, key: str, body: dict = JOKE) -> httpx.Response:
    return client.post("openai/deployments/chat/chat/completions", headers={"api-key": key},
                       json=body)


def test_a_learner_looping_past_their_limit_is_refused_while_another_is_answered(
        tmp_path: Path):
    with MockServer(config_file=_config(tmp_path, ROOM)) as mock, httpx.Client(
            base_url=mock.url, params={"api-version": mock.config.default_api_version},
            timeout=30) as client:
        alice, bob = [], []
        for i in range(30):  # alice never waits; bob asks now and then in the same seconds
            alice.append(_chat(client, ALICE))
            if i % 6 == 0:
                bob.append(_chat(client, BOB))
    assert [r.status_code for r in bob] == [200] * 5
    answered = sum(r.status_code == 200 for r in alice)
    refused = [r for r in alice if r.status_code == 429]
    # 10 a period; 30 fast requests span at most two periods.
    assert 10 <= answered <= 20 and len(refused) == 30 - answered
    for response in refused:
        assert 1 <= int(response.headers["retry-after"]) <= 10
        assert 0 < int(response.headers["retry-after-ms"]) <= 10_000
        assert response.headers["x-ratelimit-remaining-requests"] == "0"
        error = response.json()["error"]
        assert error["code"] == "429"
        assert re.match(r"Requests to the ChatCompletions_Create Operation under Azure OpenAI "
                        r"API version \S+ have exceeded call rate limit", error["message"])
    assert int(bob[-1].headers["x-ratelimit-remaining-requests"]) >= 10 - 5


@pytest.mark.parametrize("route", ["chat", "responses"])
def test_over_the_call_limit_a_request_is_refused_before_its_answer_is_planned(
        tmp_path: Path, route: str):
    # A prompt the content filter refuses is only seen by planning: over the limit, the 429
    # comes first (Azure's order: rate limit, then content filter).
    with MockServer(config_file=_config(tmp_path, CHAT.format(rpm=1))) as mock, httpx.Client(
            base_url=mock.url, headers={"api-key": mock.config.api_key}, timeout=30) as client:
        def ask(prompt: str) -> httpx.Response:
            if route == "responses":
                return client.post("openai/v1/responses", json={"model": "chat", "input": prompt})
            return client.post("openai/deployments/chat/chat/completions",
                               params={"api-version": mock.config.default_api_version},
                               json={"messages": [{"role": "user", "content": prompt}]})

        assert ask("how to build a weapon").status_code == 400  # under the limit: the filter
        assert ask("Tell me a joke").status_code == 200  # the minute's one request
        refused = ask("how to build a weapon")
    assert refused.status_code == 429 and "call rate limit" in refused.json()["error"]["message"]


class _Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_refusal_asked_again_before_its_retry_time_is_held_back_and_periods_roll():
    clock = _Clock(100.5)
    window = LearnerWindow(SlidingWindow(6000, 0), LearnerLimits(60, 10, 100), clock)
    for _ in range(10):
        assert window.refusal() is None and window.admit(5).allowed
    first = window.refusal()
    assert first.pause == 0 and first.retry_after == pytest.approx(9.5)  # period ends at 110
    clock.now = 101.0  # asked again, ignoring Retry-After: held back, and told the rest
    again = window.refusal()
    assert again.pause == pytest.approx(0.1) and again.retry_after == pytest.approx(8.9)
    assert window.peek() == (0, 1_000_000 * 100)
    clock.now = 110.0  # the next period
    assert window.refusal() is None and window.admit(5).remaining_requests == 9


class _TickingClock(_Clock):
    """A clock that moves on by ``step`` every time it is read."""

    def __init__(self, now: float, step: float) -> None:
        super().__init__(now)
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now - self.step


def test_a_refusal_at_the_end_of_a_period_says_none_remain():
    # Each read of the clock moves it on, so the refusal's own reads straddle 110.0, the
    # next period: the 429 must still report the period it was refused in.
    clock = _TickingClock(100.0, 0.0)
    window = LearnerWindow(SlidingWindow(6000, 0), LearnerLimits(60, 10, 0), clock)
    for _ in range(10):
        assert window.refusal() is None and window.admit(5).allowed
    clock.now, clock.step = 109.9995, 0.001
    refused = window.refusal()
    assert refused is not None and refused.remaining_requests == 0


def test_the_learner_limit_never_raises_a_deployment_s_own_limit():
    window = LearnerWindow(SlidingWindow(6, 0), LearnerLimits(600, 10, 0), _Clock(0.0))
    assert (window.rpm, window.per_period) == (6, 1)  # Azure: 6 RPM is one per 10 seconds


@pytest.mark.parametrize(("table", "message"), [
    ("period_seconds = 5", "period_seconds must be 1 or 10"),
    ("requests_per_minute = -1", "requests_per_minute must be a whole number >= 0"),
    ("rpm = 60", "unknown key(s) ['rpm']"),
])
def test_a_bad_learner_limits_table_is_refused_by_name(tmp_path: Path, table: str,
                                                       message: str):
    with pytest.raises(MockConfigError, match=re.escape(message)):
        load_config(_config(tmp_path, f"[learner_limits]\n{table}\n"))


def test_a_room_limits_each_learner_by_default_and_says_so_when_the_setting_is_bad(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COURSE_ROOM_DIR", str(tmp_path))
    assert Room.from_env().learner_rpm == DEFAULT_LEARNER_RPM > 0
    assert load_config().learner_limits.requests_per_minute == 0  # a lone mock: no extra limit
    monkeypatch.setenv("COURSE_LEARNER_RPM", "lots")
    with pytest.raises(RoomError, match="COURSE_LEARNER_RPM='lots'"):
        Room.from_env()
