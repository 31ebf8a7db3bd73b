"""Stored responses of one mock resource: what ``previous_response_id``, ``GET``/``DELETE
/responses/{id}``, ``.../input_items`` and ``.../cancel`` read.

Azure keeps a stored response for 30 days; the mock keeps them in memory, per instance,
bounded: at most ``MAX_STORED_RESPONSES`` responses and ``MAX_STORED_CHARS`` characters of
conversation text, the oldest evicted first (docs/fidelity.md, "Responses API").
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .background import BackgroundRun

#: How many responses one mock instance keeps (oldest evicted first).
MAX_STORED_RESPONSES = 1000
#: How much conversation text (characters) they may hold together.
MAX_STORED_CHARS = 32 * 1024 * 1024


@dataclass(frozen=True)
class StoredResponse:
    """A response as stored: the body ``GET`` returns and the conversation it ends."""

    body: dict
    #: Every item of the conversation up to and including this response's output, in
    #: order: what a later ``previous_response_id`` continues.
    conversation: tuple[dict, ...]
    #: Tokens of ``conversation`` (the next turn's cached prefix).
    tokens: int
    #: Characters of conversation text, for the store's size bound.
    size: int
    #: The input items as ``GET .../input_items`` lists them (items.py), oldest first.
    inputs: tuple[dict, ...] = ()
    #: The run of a ``background: true`` response (background.py), else None.
    run: BackgroundRun | None = None


class ResponseStore:
    """A bounded, thread-safe map from response id to ``StoredResponse``."""

    def __init__(self, max_responses: int = MAX_STORED_RESPONSES,
                 max_chars: int = MAX_STORED_CHARS) -> None:
        self.max_responses = max_responses
        self.max_chars = max_chars
        self._items: OrderedDict[str, StoredResponse] = OrderedDict()
        self._by_item: dict[str, dict] = {}  # output item id -> item (item_reference)
        self._chars = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, response_id: str) -> StoredResponse | None:
        return self._items.get(response_id)

    def item(self, item_id: str) -> dict | None:
        """An output item of a stored response, by its id."""
        return self._by_item.get(item_id)

    def put(self, response_id: str, stored: StoredResponse) -> None:
        with self._lock:
            if self._items.get(response_id) is stored:
                # Stored again as it is (a repeated request, answer_cache.py): only its age
                # changes, without dropping and counting it again.
                self._items.move_to_end(response_id)
            else:
                self._drop(self._items.pop(response_id, None))
                self._items[response_id] = stored
                self._chars += stored.size
            for item in stored.body["output"]:
                self._by_item[item["id"]] = item
            while self._items and (len(self._items) > self.max_responses
                                   or self._chars > self.max_chars):
                self._drop(self._items.popitem(last=False)[1])

    def delete(self, response_id: str) -> bool:
        with self._lock:
            old = self._items.pop(response_id, None)
            self._drop(old)
            return old is not None

    def _drop(self, old: StoredResponse | None) -> None:
        if old is not None:
            self._chars -= old.size
            for item in old.body["output"]:
                self._by_item.pop(item["id"], None)
