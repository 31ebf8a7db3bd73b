"""The Responses API (``/openai/v1/responses`` and the dated ``/openai/responses``):
request checks, the planner, typed stream events and the bounded response store."""

from .planner import delete, plan_responses, retrieve
from .request import check_request
from .store import MAX_STORED_CHARS, MAX_STORED_RESPONSES, ResponseStore

__all__ = ["MAX_STORED_CHARS", "MAX_STORED_RESPONSES", "ResponseStore", "check_request",
           "delete", "plan_responses", "retrieve"]
