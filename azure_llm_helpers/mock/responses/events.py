"""A response replayed as the Responses API's typed SSE events.

Order, as the service sends it and the openai SDK's ``responses.stream`` helper expects:
``response.created``, ``response.in_progress``; per output item ``output_item.added``, its
parts (reasoning summary parts, or a message's ``content_part.added``, ``output_text.delta``
xN, ``output_text.done``, ``content_part.done``, or a call's ``function_call_arguments``
delta/done), ``output_item.done``; then ``response.completed`` (or ``.incomplete``).
``sequence_number`` counts up from 0.  Each event is ``event: <type>`` plus one ``data:``
line.  The fixed parts of each event are formatted once; only the deltas are encoded per
token, so a stream costs about what a chat stream of the same length does.
"""

from __future__ import annotations

from ..outcome import to_json


def _dumps(value: object) -> str:
    return to_json(value).decode()


class _Events:
    def __init__(self) -> None:
        self.out: list[bytes] = []

    def add(self, kind: str, fields: str) -> None:
        """``fields``: the event's JSON members after ``type`` and ``sequence_number``."""
        self.out.append(f'event: {kind}\ndata: {{"type":"{kind}","sequence_number":'
                        f'{len(self.out)},{fields}}}\n\n'.encode())


def _summary(ev: _Events, item: dict, where: str) -> None:
    for k, part in enumerate(item["summary"]):
        at = f'{where},"summary_index":{k}'
        ev.add("response.reasoning_summary_part.added",
               f'{at},"part":{{"type":"summary_text","text":""}}')
        ev.add("response.reasoning_summary_text.delta", f'{at},"delta":{_dumps(part["text"])}')
        ev.add("response.reasoning_summary_text.done", f'{at},"text":{_dumps(part["text"])}')
        ev.add("response.reasoning_summary_part.done", f'{at},"part":{_dumps(part)}')


def _message(ev: _Events, item: dict, pieces: list[str], where: str) -> None:
    part = item["content"][0]
    at = f'{where},"content_index":0'
    ev.add("response.content_part.added",
           f'{at},"part":{{"type":"output_text","annotations":[],"logprobs":[],"text":""}}')
    logprobs = part["logprobs"]
    for n, piece in enumerate(pieces):
        lp = _dumps([logprobs[n]]) if logprobs else "[]"
        ev.add("response.output_text.delta", f'{at},"delta":{_dumps(piece)},"logprobs":{lp}')
    ev.add("response.output_text.done",
           f'{at},"text":{_dumps(part["text"])},"logprobs":{_dumps(logprobs)}')
    ev.add("response.content_part.done", f'{at},"part":{_dumps(part)}')


def _added(item: dict) -> dict:
    """An item as ``output_item.added`` shows it: nothing generated yet."""
    kind = item["type"]
    if kind == "message":
        return {**item, "status": "in_progress", "content": []}
    if kind == "function_call":
        return {**item, "status": "in_progress", "arguments": ""}
    return {**item, "summary": []}


def stream_events(response: dict, pieces: list[str]) -> list[bytes]:
    """The SSE events of ``response``; ``pieces`` are its message text's tokens."""
    ev = _Events()
    start = _dumps({**response, "status": "in_progress", "completed_at": None,
                    "incomplete_details": None, "output": [], "usage": None})
    ev.add("response.created", f'"response":{start}')
    ev.add("response.in_progress", f'"response":{start}')
    for index, item in enumerate(response["output"]):
        ev.add("response.output_item.added",
               f'"output_index":{index},"item":{_dumps(_added(item))}')
        where = f'"item_id":"{item["id"]}","output_index":{index}'
        if item["type"] == "reasoning":
            _summary(ev, item, where)
        elif item["type"] == "message":
            _message(ev, item, pieces, where)
        elif item["type"] == "function_call":
            arguments = _dumps(item["arguments"])
            ev.add("response.function_call_arguments.delta", f'{where},"delta":{arguments}')
            ev.add("response.function_call_arguments.done", f'{where},"arguments":{arguments}')
        ev.add("response.output_item.done", f'"output_index":{index},"item":{_dumps(item)}')
    final = "response.completed" if response["status"] == "completed" else "response.incomplete"
    ev.add(final, f'"response":{_dumps(response)}')
    return ev.out
