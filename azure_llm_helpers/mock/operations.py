"""What each operation answers: the body Azure would send, and its stream of events.

Each planner, ``plan_x(ctx: Context, body: dict) -> Outcome``, turns a validated request
into an ``Outcome`` (the JSON body, the SSE events when streaming, and token counts for
rate limits and latency) or raises Azure's error (``errors.AzureError``).  Nothing here
touches the network.  One module per operation; this one maps operation names to them.
"""

from __future__ import annotations

from collections.abc import Callable

from .chat import plan_chat
from .completions import plan_completions
from .embeddings import plan_embeddings
from .outcome import Context, Outcome

Planner = Callable[[Context, dict], Outcome]

PLANNERS: dict[str, Planner] = {
    "completions": plan_completions, "chat": plan_chat, "embeddings": plan_embeddings,
}

__all__ = ["PLANNERS", "Context", "Outcome", "Planner", "plan_chat", "plan_completions",
           "plan_embeddings"]
