"""What a learner does to a lesson in JupyterLab, as Playwright steps."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import nbformat

from .jupyterlab import JupyterLab

# JavaScript predicates evaluated in the page.
PROMPTS = "[...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]" \
          ".map(p => p.textContent.trim())"
STARTED = f"() => {PROMPTS}.some(t => t !== '[ ]:' && t !== '')"
FINISHED = f"() => !{PROMPTS}.includes('[*]:')"


def wait_idle(page, timeout: float = 30_000) -> None:
    """The status bar, not the toolbar: the toolbar says idle while the kernel still starts."""
    page.wait_for_function(
        "() => (document.querySelector('#jp-main-statusbar')?.textContent || '')"
        ".includes('| Idle')", timeout=timeout)


class LabWindow:
    """A browser page kept for the session, on which lessons open in the loaded JupyterLab."""

    def __init__(self, browser: object) -> None:
        self.browser, self._page = browser, None

    def page(self) -> object:
        if self._page is None or self._page.is_closed():
            self._page = self.browser.new_page()
        return self._page

    def discard(self) -> None:
        if self._page is not None and not self._page.is_closed():
            self._page.close()
        self._page = None


def open_lesson(page, lab: JupyterLab, notebook: str) -> None:
    """Load JupyterLab on the lesson, or, once it is loaded, open it as a learner would
    (File > Open from Path...): the app loads once per session, not once per lesson."""
    if page.url.startswith(f"{lab.url}/lab"):
        menu(page, "File", "filebrowser:open-path")
        dialog = page.locator(".jp-Dialog")
        dialog.locator("input").fill(notebook)
        dialog.locator("button.jp-mod-accept").click()
    else:
        # A fresh workspace: /lab/tree/ alone may bring back an earlier tab.
        page.goto(lab.lesson_url(notebook, f"t{uuid.uuid4().hex[:12]}"))
    name = notebook.rsplit("/", 1)[-1]
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel",
                 has_text=name).wait_for()
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").first.wait_for()
    wait_idle(page)


def close_all_tabs(page, timeout: float = 10_000) -> bool:
    """File > Close All Tabs (discarding unsaved changes); False if the page is past help."""
    try:
        if page.is_closed() or not page.locator(".jp-NotebookPanel").count():
            return not page.is_closed()
        menu(page, "File", "application:close-all")
        page.wait_for_function(
            "() => { const discard = [...document.querySelectorAll('.jp-Dialog button')]"
            ".find(b => b.textContent.trim() === 'Discard'); if (discard) discard.click();"
            " return !document.querySelector('.jp-NotebookPanel'); }", timeout=timeout)
        return True
    except Exception:  # noqa: BLE001 - a test left the page unusable: start a new one
        return False


def menu(page, top: str, command: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=top).first.click()
    page.locator(f'.lm-Menu li[data-command="{command}"]').click()


def run_all(page, timeout: float = 40_000) -> None:
    menu(page, "Run", "runmenu:run-all")
    page.wait_for_function(STARTED, timeout=timeout)
    page.wait_for_function(FINISHED, timeout=timeout)
    wait_idle(page, timeout)


def save(page, path: Path, timeout: float = 10.0) -> nbformat.NotebookNode:
    """Save through the menu and read the notebook back from disk, once it has landed."""
    before = path.stat().st_mtime_ns
    menu(page, "File", "docmanager:save")
    deadline = time.monotonic() + timeout
    while path.stat().st_mtime_ns == before:
        if time.monotonic() > deadline:
            raise AssertionError(f"JupyterLab did not save {path.name}")
        time.sleep(0.05)
    time.sleep(0.1)  # the contents API writes in one go, but give the rename a moment
    return nbformat.read(path, as_version=4)


def save_when_run(page, path: Path, timeout: float = 40.0) -> nbformat.NotebookNode:
    """Save once every cell has run. A cell whose input is hidden (the solutions) has no
    prompt in the page, and the kernel is idle for a moment between two cells, so Run All
    can look finished while such a cell still runs: then save again when it has."""
    deadline = time.monotonic() + timeout
    while True:
        saved = save(page, path)
        if not unexecuted(saved) or time.monotonic() > deadline:
            return saved
        page.wait_for_timeout(250)
        wait_idle(page)


def unexpected_errors(nb: nbformat.NotebookNode) -> list[str]:
    """Error outputs, except in cells tagged raises-exception (they fail on purpose)."""
    return [
        f"cell {i}: {o.get('ename')}: {o.get('evalue')}"
        for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
        and "raises-exception" not in cell.metadata.get("tags", [])
        for o in cell.get("outputs", []) if o.output_type == "error"
    ]


def unexecuted(nb: nbformat.NotebookNode) -> list[int]:
    return [i for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and c.source.strip() and not c.execution_count]


def screenshot(page, target: Path) -> None:
    """The whole notebook in one picture: grow the viewport to the notebook's height."""
    scroller = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer"
    height = page.evaluate(f"() => document.querySelector('{scroller}')?.scrollHeight || 900")
    size = page.viewport_size or {"width": 1280, "height": 900}
    page.set_viewport_size({"width": size["width"], "height": min(height + 200, 16000)})
    page.evaluate(f"() => document.querySelector('{scroller}')?.scrollTo(0, 0)")
    # Two animation frames: the notebook has laid itself out at the new size.
    page.evaluate("() => new Promise(done => requestAnimationFrame("
                  "() => requestAnimationFrame(done)))")
    page.screenshot(path=str(target))
    page.set_viewport_size(size)
