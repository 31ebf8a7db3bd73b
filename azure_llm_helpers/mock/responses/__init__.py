"""The Responses API (``/openai/v1/responses`` and the dated ``/openai/responses``):
request checks, the planner, typed stream events and the bounded response store."""

from .endpoint import ResponsesEndpoint
from .planner import delete, plan_responses, retrieve
from .request import check_request
from .routes import is_responses_path
from .store import MAX_STORED_CHARS, MAX_STORED_RESPONSES, ResponseStore

__all__ = ["MAX_STORED_CHARS", "MAX_STORED_RESPONSES", "ResponseStore", "ResponsesEndpoint",
           "check_request", "delete", "is_responses_path", "plan_responses", "retrieve"]
