"""Fixtures for the browser tests: Debian's Chromium under Playwright, a JupyterLab server.

Without /usr/bin/chromium the tests skip with the reason; with REQUIRE_BROWSER=1 (CI) they
fail instead, so CI cannot pass while silently skipping them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from azure_llm_helpers.mock import MockServer

from .jupyterlab import JupyterLab, copy_lessons
from .lab_page import LabWindow, close_all_tabs

ROOT = Path(__file__).resolve().parents[2]
# Debian's package; CHROMIUM_PATH points elsewhere (another distribution's Chromium).
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCREENSHOTS = ROOT / "build" / "screenshots"
STARTED = time.time()
# Flags for a quiet, hermetic headless Chromium: no GPU, no phoning home, no first-run UI.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def skip_or_fail(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A browser context with a fresh profile (Playwright's own download cannot work here)."""
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} is absent: to run the browser tests, apt-get install -y "
                     "--no-install-recommends chromium (or set CHROMIUM_PATH)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM),
            headless=True, args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(20_000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="session")
def lab(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[JupyterLab]:
    """JupyterLab on copies of the lessons, its kernels pointed at a mock (as `make lab`).

    The server boots while Chromium starts (each takes seconds)."""
    home = tmp_path_factory.mktemp("jupyterlab")
    notebooks = home / "notebooks"
    notebooks.mkdir()
    with MockServer() as mock:
        server = JupyterLab(notebooks, home, mock).launch()
        try:
            copy_lessons(ROOT / "notebooks", notebooks)
            request.getfixturevalue("chromium")
            yield server.wait_ready()
        finally:
            server.stop()


@pytest.fixture(scope="session")
def lab_window(chromium: object, lab: JupyterLab) -> Iterator[LabWindow]:
    """One JupyterLab page for the session: loading the app in a new page takes seconds."""
    window = LabWindow(chromium)
    try:
        yield window
    finally:
        window.discard()


@pytest.fixture
def page(lab_window: LabWindow, lab: JupyterLab) -> Iterator[object]:
    """The session's JupyterLab page, its tabs closed and kernels shut down after the test."""
    page = lab_window.page()
    try:
        yield page
    finally:
        if not close_all_tabs(page):
            lab_window.discard()  # the next test loads JupyterLab in a new page
        lab.shutdown_kernels()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for stale in SCREENSHOTS.glob("FAILED-*.png"):  # from an earlier session
        if stale.stat().st_mtime < STARTED:
            stale.unlink(missing_ok=True)
    return SCREENSHOTS
