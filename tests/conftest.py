"""Shared fixtures: one real mock server per test session, on a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from azure_llm_helpers.mock import MockServer


@pytest.fixture(scope="session")
def mock() -> Iterator[MockServer]:
    with MockServer() as server:
        yield server


@pytest.fixture
def mock_env(mock: MockServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The process environment pointed at the mock, as a learner's shell would be."""
    for name, value in mock.env.items():
        monkeypatch.setenv(name, value)
    return mock.env
