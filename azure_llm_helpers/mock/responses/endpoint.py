"""The Responses routes on the data plane, mixed into ``MockApp`` (app.py).

Checks run in Azure's order: route and api-version, access, body, deployment (named by the
body's ``model``), operation, faults, call limit, plan, token limit.  Refusals raise
``AzureError``, which ``MockApp`` renders; the body, faults and answering are ``MockApp``'s
own steps.
"""

from __future__ import annotations

import json
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .. import faults
from ..access import check_v1_access
from ..answers import request_digest
from ..learner_limits import refuse_early
from ..outcome import Context
from ..tokenizer import get_tokenizer
from . import routes, stored
from .store import ResponseStore

if TYPE_CHECKING:
    from ..app import DataPlaneRequest

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _planner() -> ModuleType:
    """The planner, imported on first use so the mock's start-up stays as fast."""
    global _PLANNER
    if _PLANNER is None:
        from . import planner

        _PLANNER = planner
    return _PLANNER


_PLANNER: ModuleType | None = None


_ON_STORED = {"delete": stored.delete, "cancel": stored.cancel}


class ResponsesEndpoint:
    """``POST /responses``, ``GET``/``DELETE /responses/{id}``, ``GET .../input_items`` and
    ``POST .../cancel`` (v1 and dated routes)."""

    responses_store: ResponseStore

    async def _responses(self: Any, request: DataPlaneRequest, receive: Any, send: Any,
                         query: dict[str, str]) -> None:
        planner = _planner()
        scope = request.scope
        route = routes.match(scope["method"], scope["path"], query)
        key, authorization = request.header(b"api-key"), request.header(b"authorization")
        check_v1_access(key, authorization, self.config.api_key, self.identity,
                        route.operation, self.config.learners)
        request.learner = self._learner_of(key, authorization)
        if route.response_id is not None:
            await self._on_stored(request, send, route, query)
            return
        body = await self._read_json(request, receive, "responses")
        # Exists, not retired (x-mock-retirement), serves Responses: app.py's one check.
        deployment = self._deployment(request, body["model"], "responses")
        spec = await self._inject_faults(request, receive, deployment, "responses",
                                         route.version)
        await refuse_early(request.window, "responses", route.version)  # before planning
        # Canonical form, as for the other operations: a stream shares its twin's ids.
        canonical = json.dumps({k: v for k, v in body.items()
                                if k not in ("stream", "stream_options")},
                               sort_keys=True).encode()
        ctx = Context(self.config, deployment, get_tokenizer(self.config.tokenizer),
                      request_digest(canonical, deployment.name))
        outcome = planner.plan_responses(ctx, body, self.responses_store, len(canonical))
        await self._answer(request, send, outcome, spec, "responses", route.version)

    async def _on_stored(self: Any, request: DataPlaneRequest, send: Any,
                         route: routes.ResponsesRoute, query: dict[str, str]) -> None:
        """The routes on one stored response (responses/stored.py)."""
        store, response_id = self.responses_store, route.response_id
        if route.action == "retrieve":
            events = stored.replay(store, response_id, query)
            if events is not None:
                await self._stream(request, send, events, self._headers(request),
                                   faults.FaultSpec())
                return
            payload = stored.retrieve(store, response_id)
        elif route.action == "input_items":
            payload = stored.input_items(
                store, response_id, request.scope.get("query_string", b"").decode("latin-1"))
        else:
            payload = _ON_STORED[route.action](store, response_id)
        await self._send_json(request, send, 200, _dumps(payload).encode(),
                              self._headers(request))
