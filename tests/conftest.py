"""Shared fixtures: one real mock server per test worker, on a free loopback port, and the
lessons executed once per session (tests/executed_lessons.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from azure_llm_helpers.mock import MockServer

from .executed_lessons import ExecutedLessons, shared_folder


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


@pytest.fixture(scope="session")
def executed_lessons(tmp_path_factory: pytest.TempPathFactory, worker_id: str
                     ) -> ExecutedLessons:
    return ExecutedLessons(shared_folder(tmp_path_factory, worker_id))
