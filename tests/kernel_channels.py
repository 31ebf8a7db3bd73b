"""Run a notebook's code cells in a Jupyter server's kernel, over its REST and websocket API.

What a browser does when a learner presses Run: a session for the notebook's path (so the
kernel's working directory is the notebook's folder), then ``execute_request`` messages on
the kernel's channels, reading iopub until the kernel is idle again.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import nbformat
import websocket


class CellFailed(AssertionError):
    pass


@dataclass
class Transcript:
    notebook: str
    text: list[str] = field(default_factory=list)

    @property
    def joined(self) -> str:
        return "\n".join(self.text)


def _message(code: str, session: str) -> dict:
    return {
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": "execute_request", "session": session,
                   "username": "course-test", "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "buffers": [], "channel": "shell",
        "content": {"code": code, "silent": False, "store_history": True,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    }


def _text_of(msg: dict) -> str | None:
    content = msg["content"]
    if msg["msg_type"] == "stream":
        return content["text"]
    if msg["msg_type"] in ("execute_result", "display_data"):
        return content.get("data", {}).get("text/plain")
    return None


def run_notebook(server_url: str, token: str, notebook: Path, path: str,
                 timeout: float = 180.0) -> Transcript:
    """Execute every code cell of ``notebook`` as ``path`` on the server; fail on an error."""
    headers = {"Authorization": f"token {token}"}
    api = server_url.rstrip("/") + "/api"
    with httpx.Client(headers=headers, timeout=60) as http:
        made = http.post(f"{api}/sessions", json={
            "path": path, "type": "notebook", "name": notebook.name,
            "kernel": {"name": "python3"}})
        made.raise_for_status()
        session = made.json()
        try:
            return _execute(api, headers, session["kernel"]["id"], notebook, timeout)
        finally:
            http.delete(f"{api}/sessions/{session['id']}")


def _execute(api: str, headers: dict, kernel: str, notebook: Path, timeout: float) -> Transcript:
    ws_url = api.replace("http", "ws", 1) + f"/kernels/{kernel}/channels"
    channel = websocket.create_connection(
        ws_url, header=[f"{k}: {v}" for k, v in headers.items()], timeout=timeout)
    transcript = Transcript(notebook.name)
    session = uuid.uuid4().hex
    try:
        cells = [c for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code"]
        for number, cell in enumerate(cells, 1):
            request = _message(cell.source, session)
            channel.send(json.dumps(request))
            _read_until_idle(channel, request["header"]["msg_id"], transcript,
                             f"{notebook.name} code cell {number}")
    finally:
        channel.close()
    return transcript


def _read_until_idle(channel: websocket.WebSocket, msg_id: str, transcript: Transcript,
                     where: str) -> None:
    while True:
        msg = json.loads(channel.recv())
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "error":
            content = msg["content"]
            raise CellFailed(f"{where}: {content['ename']}: {content['evalue']}")
        text = _text_of(msg)
        if text:
            transcript.text.append(text)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return
