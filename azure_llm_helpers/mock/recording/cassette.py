"""The recording format: one readable JSON file per interaction, and loading it back.

A file (``0003-POST-chat-completions.json``)::

    {"recording": 1,
     "request":  {"method": "POST", "path": "/openai/deployments/chat/chat/completions",
                  "query": {"api-version": "2024-10-21"}, "headers": {...}, "json": {...}},
     "response": {"status": 200, "after_ms": 412.0, "headers": [["x-ms-region", "..."]],
                  "json": {...}, "style": "compact"}}

A body is kept as parsed JSON plus the ``style`` that reproduces its exact bytes (so files
diff well and replay is still byte-identical); as ``text`` when no style does, or
``base64`` when it is not UTF-8.  A stream is ``events``, one per SSE event, each with the
milliseconds since the previous one.  Bad files raise ``RecordingError``: one line naming
the file and what is wrong.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
_STYLES: dict[str, Callable[[Any], str]] = {
    "compact": lambda o: json.dumps(o, ensure_ascii=False, separators=(",", ":")),
    "compact-ascii": lambda o: json.dumps(o, separators=(",", ":")),
    "spaced": lambda o: json.dumps(o, ensure_ascii=False),
    "spaced-ascii": json.dumps,
    "indent2": lambda o: json.dumps(o, ensure_ascii=False, indent=2),
    "indent2-ascii": lambda o: json.dumps(o, indent=2),
}
_SSE = re.compile(r"(?:event: ([^\n]*)\n)?data: ([^\n]*)\n\n", re.DOTALL)


class RecordingError(ValueError):
    """A recording that cannot be used; ``str()`` is one line naming the file."""


@dataclass
class Event:
    """One server-sent event: its exact bytes and the pause before it."""

    after_ms: float
    raw: bytes


@dataclass
class Interaction:
    """One recorded request and the response it got."""

    name: str
    method: str
    path: str
    query: dict[str, str]
    request: Any  # the request body: parsed JSON, text, or None
    status: int
    headers: list[tuple[str, str]]
    after_ms: float = 0.0
    body: bytes = b""
    events: list[Event] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: A loaded response not yet turned into bytes: (the response object, its file name).
    #: Loading stays fast; a response's bytes are made on its first replay.
    lazy: tuple[dict[str, Any], str] | None = None

    @property
    def streamed(self) -> bool:
        return self.events is not None or (self.lazy is not None and "events" in self.lazy[0])

    def materialise(self) -> Interaction:
        if self.lazy is not None:
            response, where = self.lazy
            if "events" in response:
                self.events = [unpack_event(e, f"{where}: response.events[{i}]")
                               for i, e in enumerate(response["events"])]
                # A stream's bytes in one piece, for replays without pacing.
                self.body = b"".join(e.raw for e in self.events)
            else:
                self.body = unpack_body(response, f"{where}: response")
            self.lazy = None
        return self


# -- bodies -------------------------------------------------------------------------------

def pack_body(raw: bytes) -> dict[str, Any]:
    """A body as the most readable form that gives back exactly ``raw``."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(raw).decode("ascii")}
    return pack_text(text)


def pack_text(text: str) -> dict[str, Any]:
    if text[:1] in ("{", "["):
        try:
            parsed = json.loads(text)
        except ValueError:
            return {"text": text}
        for style, dump in _STYLES.items():
            if dump(parsed) == text:
                return {"json": parsed, "style": style}
    return {"text": text}


def pack_event(raw: bytes) -> dict[str, Any]:
    text = raw.decode("utf-8", "replace")
    match = _SSE.fullmatch(text)
    if match and raw == text.encode("utf-8"):
        packed = pack_text(match.group(2))
        if "json" in packed:
            head = {"event": match.group(1)} if match.group(1) is not None else {}
            return {**head, "data": packed["json"], "style": packed["style"]}
    return pack_body(raw)


def unpack_body(doc: dict[str, Any], where: str) -> bytes:
    if "json" in doc:
        style = doc.get("style", "compact")
        if style not in _STYLES:
            raise RecordingError(f"{where}: unknown style {style!r} (one of {', '.join(_STYLES)})")
        return _STYLES[style](doc["json"]).encode("utf-8")
    if "text" in doc:
        return _typed(doc, "text", str, where).encode("utf-8")
    if "base64" in doc:
        try:
            return base64.b64decode(_typed(doc, "base64", str, where), validate=True)
        except ValueError as exc:
            raise RecordingError(f"{where}: base64 is not valid base64 ({exc})") from None
    return b""


def unpack_event(doc: Any, where: str) -> Event:
    if not isinstance(doc, dict):
        raise RecordingError(f"{where} must be an object, not {_kind(doc)}")
    after = _typed(doc, "after_ms", (int, float), where)
    if "data" in doc:
        data = _STYLES[doc.get("style", "compact")](doc["data"])
        head = f"event: {doc['event']}\n" if doc.get("event") is not None else ""
        return Event(float(after), f"{head}data: {data}\n\n".encode())
    return Event(float(after), unpack_body(doc, where))


# -- files --------------------------------------------------------------------------------

def to_document(item: Interaction) -> dict[str, Any]:
    request: dict[str, Any] = {"method": item.method, "path": item.path, "query": item.query,
                               **item.extra.get("request", {})}
    if item.request is not None:
        request["json" if not isinstance(item.request, str) else "text"] = item.request
    response: dict[str, Any] = {"status": item.status, "after_ms": round(item.after_ms, 1),
                                "headers": [list(h) for h in item.headers]}
    if item.events is not None:
        response["events"] = [{"after_ms": round(e.after_ms, 1), **pack_event(e.raw)}
                              for e in item.events]
    else:
        response.update(pack_body(item.body))
    return {"recording": FORMAT_VERSION, "request": request, "response": response}


def write_document(directory: Path, name: str, text: str) -> Path:
    """Write atomically, so a crash never leaves half a file to trip the next replay."""
    path = directory / name
    tmp = directory / f".{name}.tmp"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def dump_document(doc: dict[str, Any]) -> str:
    """Indented JSON, except that each header and each stream event takes one line (diffs
    stay readable and a recording of many streams stays small enough to load fast)."""
    response = doc["response"]
    lines = {key: ",\n".join("      " + json.dumps(item, ensure_ascii=False)
                             for item in response[key])
             for key in ("headers", "events") if response.get(key)}
    shell = {**doc, "response": {**response, **{k: f"\0{k}\0" for k in lines}}}
    text = json.dumps(shell, indent=2, ensure_ascii=False)
    for key, items in lines.items():
        text = text.replace(json.dumps(f"\0{key}\0"), "[\n" + items + "\n    ]")
    return text + "\n"


def load_directory(directory: str | Path) -> list[Interaction]:
    """Every ``*.json`` interaction in ``directory``, in file-name (recording) order."""
    root = Path(directory)
    if not root.is_dir():
        what = "is not a directory" if root.exists() else "no such recording directory"
        raise RecordingError(f"{root}: {what}")
    names = sorted(name for name in os.listdir(root) if name.endswith(".json"))
    if not names:
        raise RecordingError(f"{root}: no recordings in it (expected NNNN-*.json files "
                             "written by --record)")
    return [load_file(os.path.join(root, name)) for name in names]


def load_file(path: str | Path) -> Interaction:
    try:
        with open(path, "rb") as file:
            doc = json.loads(file.read())
    except ValueError as exc:
        detail = str(exc).splitlines()[0]
        raise RecordingError(f"{path}: not valid JSON ({detail}); re-record it or restore "
                             "it from version control") from None
    except OSError as exc:
        raise RecordingError(f"{path}: cannot be read ({exc.strerror})") from None
    return from_document(doc, str(path))


def from_document(doc: Any, where: str) -> Interaction:
    if not isinstance(doc, dict):
        raise RecordingError(f"{where}: expected a JSON object, not {_kind(doc)}")
    version = doc.get("recording")
    if version != FORMAT_VERSION:
        raise RecordingError(f"{where}: 'recording' must be {FORMAT_VERSION} (this format), "
                             f"not {version!r}")
    req = _typed(doc, "request", dict, where)
    res = _typed(doc, "response", dict, where)
    method = _typed(req, "method", str, f"{where}: request")
    path = _typed(req, "path", str, f"{where}: request")
    if not path.startswith("/openai/"):
        raise RecordingError(f"{where}: request.path must start with /openai/, not {path!r}")
    query = req.get("query", {})
    if not isinstance(query, dict) or not all(isinstance(v, str) for v in query.values()):
        raise RecordingError(f"{where}: request.query must be an object of strings")
    status = _typed(res, "status", int, f"{where}: response")
    if isinstance(status, bool) or not 100 <= status <= 599:
        raise RecordingError(f"{where}: response.status must be an HTTP status, not {status!r}")
    headers = res.get("headers", [])
    if type(headers) is not list or not all(
            type(h) is list and len(h) == 2 and type(h[0]) is str and type(h[1]) is str
            for h in headers):
        raise RecordingError(f"{where}: response.headers must be a list of [name, value] "
                             "string pairs")
    if "events" in res:
        events = _typed(res, "events", list, f"{where}: response")
        if not _plain_events(events):  # the detailed (slower) check names what is wrong
            for i, event in enumerate(events):
                _check_packed(event, f"{where}: response.events[{i}]", event=True)
    else:
        _check_packed(res, f"{where}: response")
    return Interaction(
        name=os.path.basename(where), method=method.upper(), path=path, query=dict(query),
        request=req.get("json", req.get("text")), status=status,
        headers=[(k, v) for k, v in headers],
        after_ms=float(_typed(res, "after_ms", (int, float), f"{where}: response")
                       if "after_ms" in res else 0.0),
        lazy=(res, where))


_NUMBER = (int, float)


def _plain_events(events: list) -> bool:
    """The usual events (JSON data in a known style, or text), checked fast in one pass."""
    return all(type(e) is dict and type(e.get("after_ms")) in _NUMBER
               and (e.get("style", "compact") in _STYLES if "data" in e
                    else type(e.get("text")) is str)
               for e in events)


def _check_packed(doc: Any, where: str, event: bool = False) -> None:
    """The checks ``unpack_body``/``unpack_event`` would fail on, without making bytes."""
    if not isinstance(doc, dict):
        raise RecordingError(f"{where} must be an object, not {_kind(doc)}")
    if event:
        _typed(doc, "after_ms", (int, float), where)
    if ("json" in doc or "data" in doc) and doc.get("style", "compact") not in _STYLES:
        raise RecordingError(f"{where}: unknown style {doc.get('style')!r} "
                             f"(one of {', '.join(_STYLES)})")
    for key in ("text", "base64"):
        if key in doc:
            _typed(doc, key, str, where)
    if "base64" in doc:
        unpack_body(doc, where)


def _typed(doc: dict, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in doc:
        raise RecordingError(f"{where}: '{key}' is missing")
    value = doc[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        want = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise RecordingError(f"{where}: '{key}' must be {_article(want)}, not {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
             int: "an integer", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _article(name: str) -> str:
    return {"dict": "an object", "list": "a list", "str": "a string", "int": "an integer",
            "int or float": "a number"}.get(name, name)
