"""What the routes on one stored response answer: ``GET`` (or its replayed stream),
``DELETE``, ``GET .../input_items`` and ``POST .../cancel``.

An unknown, evicted, deleted or ``store: false`` id gets the same 404 on every route.
"""

from __future__ import annotations

from .. import errors
from . import background
from . import checks as c
from .items import list_items
from .store import ResponseStore, StoredResponse


def _stored(store: ResponseStore, response_id: str) -> StoredResponse:
    stored = store.get(response_id)
    if stored is None:
        shown = response_id if len(response_id) <= 64 else response_id[:64] + "..."
        raise errors.invalid_request(f"Response with id '{shown}' not found.", None, None, 404)
    return stored


def retrieve(store: ResponseStore, response_id: str) -> dict:
    """``GET /responses/{id}``: the stored body; a background run advances one step."""
    stored = _stored(store, response_id)
    return stored.run.advance() if stored.run is not None else stored.body


def delete(store: ResponseStore, response_id: str) -> dict:
    """``DELETE /responses/{id}``: the deletion receipt, or the 404."""
    _stored(store, response_id)
    store.delete(response_id)
    return {"id": response_id, "object": "response", "deleted": True}


def cancel(store: ResponseStore, response_id: str) -> dict:
    """``POST /responses/{id}/cancel``: only background responses can be cancelled."""
    stored = _stored(store, response_id)
    if stored.run is None:
        raise background.not_background()
    return stored.run.cancel()


def input_items(store: ResponseStore, response_id: str, query_string: str) -> dict:
    """``GET /responses/{id}/input_items``: one page of the response's input items."""
    return list_items(_stored(store, response_id).inputs, query_string)


def replay(store: ResponseStore, response_id: str, query: dict[str, str]) -> list[bytes] | None:
    """The events ``GET /responses/{id}?stream=true`` sends, or None when not streaming."""
    stream = query.get("stream")
    if stream not in ("true", "True", "1"):
        if stream not in (None, "false", "False", "0"):
            raise c.invalid(f"Invalid value for 'stream': expected a boolean, but got "
                            f"'{stream[:64]}' instead.", "stream", "invalid_type")
        return None
    stored = _stored(store, response_id)
    if stored.run is None:
        raise background.not_streamable()
    after = query.get("starting_after")
    starting_after = None
    if after is not None:
        try:
            starting_after = int(after)
        except ValueError:
            raise c.invalid("Invalid type for 'starting_after': expected an integer, but got "
                            "a string instead.", "starting_after", "invalid_type") from None
        c.number("starting_after", starting_after, 0, 2**31 - 1, True)
    return stored.run.events(starting_after)
