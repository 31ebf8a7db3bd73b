"""The mock's pieces without HTTP: the rate-limit window, the fault header, truncation, errors."""

from __future__ import annotations

import json

import pytest

from azure_llm_helpers.mock import errors
from azure_llm_helpers.mock.faults import FaultSpec, parse_fault_header
from azure_llm_helpers.mock.outcome import to_json
from azure_llm_helpers.mock.ratelimit import WINDOW, SlidingWindow
from azure_llm_helpers.mock.tokenizer import count, get_tokenizer, truncate


class Clock:
    """A hand-wound clock for the window (seconds)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- the sliding window -------------------------------------------------------------------

def test_requests_per_minute_refuses_the_extra_call_until_the_oldest_expires():
    clock = Clock()
    window = SlidingWindow(2, 0, clock)
    assert window.admit(10).allowed
    clock.now += 20
    second = window.admit(10)
    assert second.allowed and second.remaining_requests == 0
    clock.now += 10
    refused = window.admit(10)
    assert not refused.allowed and refused.what == "call"
    assert refused.retry_after == pytest.approx(WINDOW - 30)  # when the first one drops off
    clock.now += WINDOW - 30
    assert window.admit(10).allowed


def test_tokens_per_minute_waits_for_enough_tokens_to_free():
    clock = Clock()
    window = SlidingWindow(0, 100, clock)
    assert window.admit(40).allowed
    clock.now += 5
    assert window.admit(40).allowed
    clock.now += 5
    refused = window.admit(50)  # 80 + 50 > 100: the first 40 must go (30 would not do)
    assert not refused.allowed and refused.what == "token"
    assert refused.retry_after == pytest.approx(WINDOW - 10)
    assert refused.remaining_tokens == 20
    assert window.admit(20).allowed  # refusals are not recorded


def test_an_entry_exactly_a_window_old_has_expired():
    clock = Clock()
    window = SlidingWindow(1, 0, clock)
    window.admit(1)
    clock.now += WINDOW
    assert window.admit(1).allowed


def test_no_limits_never_refuse_and_report_a_large_remainder():
    window = SlidingWindow(0, 0, Clock())
    for _ in range(100):
        verdict = window.admit(10_000)
    assert verdict.allowed and verdict.remaining_requests > 0 and verdict.remaining_tokens > 0


def test_cleanup_drops_the_dead_prefix_and_keeps_the_live_entries():
    clock = Clock()
    window = SlidingWindow(100_000, 10_000_000, clock)
    for _ in range(1500):
        window.admit(3)
    clock.now += 30
    for _ in range(500):
        window.admit(7)
    clock.now += 31  # the first 1500 have expired, the last 500 have not
    assert window.peek() == (100_000 - 500, 10_000_000 - 500 * 7)
    assert len(window._stamps) == 500  # the expired 1500 were dropped, not only skipped
    verdict = window.admit(1)
    assert (verdict.remaining_requests, verdict.remaining_tokens) == (
        100_000 - 501, 10_000_000 - 3501)


def test_a_small_dead_prefix_is_skipped_without_copying():
    clock = Clock()
    window = SlidingWindow(100_000, 0, clock)
    for _ in range(10):
        window.admit(1)
    clock.now += WINDOW + 1
    assert window.peek()[0] == 100_000
    assert len(window._stamps) == 10  # below the threshold the arrays are left alone


# --- the x-mock-fault header --------------------------------------------------------------

def test_header_keys_layer_over_the_deployments_own_faults():
    base = FaultSpec(latency_ms=100, status=503)
    spec = parse_fault_header("status=429; fail_first=2, retry_after_ms = 250", base)
    assert (spec.status, spec.fail_first, spec.retry_after_ms) == (429, 2, 250)
    assert spec.latency_ms == 100 and spec.active


@pytest.mark.parametrize("value, hang", [("hang", True), ("hang=yes", True), ("hang=0", False)])
def test_hang_is_a_flag(value, hang):
    assert parse_fault_header(value, FaultSpec()).hang is hang


def test_empty_items_change_nothing():
    assert parse_fault_header(" ; ,", FaultSpec()) == FaultSpec()


@pytest.mark.parametrize("value, named", [
    ("statuss=429", "unknown key 'statuss'"),
    ("status=404", "status must be one of (429, 500, 503)"),
    ("error_rate=2", "error_rate must be between 0 and 1"),
    ("latency_ms=-5", "latency_ms must be between 0 and 3600000"),
    ("fail_first=two", "fail_first must be a int"),
    ("hang=maybe", "hang must be a bool"),
])
def test_a_bad_header_is_azures_400_naming_the_key(value, named):
    with pytest.raises(errors.AzureError) as caught:
        parse_fault_header(value, FaultSpec())
    error = json.loads(caught.value.body)["error"]
    assert caught.value.status == 400 and error["param"] == "x-mock-fault"
    assert named in error["message"]


# --- truncation ---------------------------------------------------------------------------

TEXTS = [
    "Why couldn't the bicycle stand up by itself? Because it was two-tired!",
    "naïve café — 東京の天気は晴れ 🌤️🚲 and      spaces\n\nnew lines",
]


@pytest.mark.parametrize("name", ["cl100k_base", "approximate"])
@pytest.mark.parametrize("text", TEXTS)
def test_truncation_keeps_a_prefix_within_the_limit(name, text):
    tok = get_tokenizer(name)
    total = count(tok, text)
    assert truncate(tok, text, total) == (text, False)
    assert truncate(tok, text, total + 5) == (text, False)
    for limit in range(total):
        cut, was_cut = truncate(tok, text, limit)
        assert was_cut and text.startswith(cut), (limit, cut)
        assert count(tok, cut) <= limit
        assert "\ufffd" not in cut  # never half a character
    assert truncate(tok, text, 0) == ("", True)


def test_truncation_counts_with_the_real_encoding():
    tok = get_tokenizer("cl100k_base")
    assert tok.name == "cl100k_base"  # the bundled encoding loaded, no fallback
    assert truncate(tok, "Hello world, how are you?", 3) == ("Hello world,", True)


# --- the error contract -------------------------------------------------------------------

def test_errors_carry_exact_bytes_and_their_headers():
    assert errors.resource_not_found().body == (
        b'{"error":{"code":"404","message": "Resource not found"}}')
    limited = errors.rate_limited("chat", "2024-06-01", "token", 1.2)
    assert limited.status == 429
    assert limited.headers == {"retry-after": "2", "retry-after-ms": "1200"}
    assert "retry after 1 second." in json.loads(limited.body)["error"]["message"]
    assert errors.service_unavailable().headers == {}
    body = errors.invalid_request("Bad 'é'.", "x").body
    assert body == '{"error":{"message":"Bad \'é\'.","type":"invalid_request_error",' \
        '"param":"x","code":null}}'.encode()


# --- JSON bodies --------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    {"content": "Résumé 日本語 🎉 \u2028 \x00\x1f\x7f \"quoted\" back\\slash\ttab\nline /"},
    {"small": [1e-05, -8.7e-05, 1.7e-09, 3e-07, 1e-10, 0.0001, 0.00012]},
    {"large": [1e16, -1.5e300, 123456789012345.0, 2.0**70, 10**20, -(2**63)], "zero": -0.0},
    {"big int": 10**30, "nested": [[{"a": None, "b": True, "c": 1.0}]]},
    {"text that looks like a float": "0.00001 and 2e-5"},
    {1: "a non-string key"},
])
def test_response_bodies_are_the_bytes_pythons_json_writes(value):
    reference = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    assert to_json(value) == reference


def test_a_body_json_cannot_write_fails_the_same_way():
    with pytest.raises(UnicodeEncodeError):
        to_json({"lone surrogate": "\ud800"})
