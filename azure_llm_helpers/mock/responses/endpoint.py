"""The Responses routes on the data plane, mixed into ``MockApp`` (app.py).

Checks run in Azure's order: route and api-version, access, body, deployment (named by the
body's ``model``), operation, faults, call limit, plan, token limit.  Refusals raise
``AzureError``, which ``MockApp`` renders; the body, faults and answering are ``MockApp``'s
own steps.
"""

from __future__ import annotations

import json
from functools import partial
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .. import faults
from ..access import check_v1_access
from ..answers import request_digest
from ..learner_limits import refuse
from ..outcome import Context, Outcome
from ..tokenizer import get_tokenizer
from . import routes, stored
from .store import ResponseStore

if TYPE_CHECKING:
    from ..answer_cache import Key
    from ..app import DataPlaneRequest
    from ..config import Deployment

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
        scope = request.scope
        route = routes.match(scope["method"], scope["path"], query)
        key, authorization = request.header(b"api-key"), request.header(b"authorization")
        check_v1_access(key, authorization, self.config.api_key, self.identity,
                        route.operation, self.config.learners)
        request.learner = self._learner_of(key, authorization)
        if route.response_id is not None:
            await self._on_stored(request, send, route, query)
            return
        raw = await self._read_body(request, receive)
        key = ("responses", None, raw)
        known = self.answers.get(key)  # these very bytes were answered before
        body = self._parse_json(raw, "responses") if known is None else {}
        # Exists, not retired (x-mock-retirement), serves Responses: app.py's one check.
        deployment = self._deployment(request, body["model"] if known is None
                                      else known.deployment, "responses")
        spec = self._fault_spec(request, deployment)
        if spec.active:
            await self._inject_faults(request, receive, spec, deployment, "responses",
                                      route.version)
        if request.window is not None and (refusal := request.window.refusal()) is not None:
            await refuse(refusal, "responses", route.version)  # before planning
        if known is None:
            outcome = self._plan_response(key, deployment, body)
        else:
            if known.again is not None:
                known.again()  # stored again, as planning it again would
            outcome = known.outcome
        await self._answer(request, send, outcome, spec, "responses", route.version)

    def _plan_response(self: Any, key: Key, deployment: Deployment, body: dict) -> Outcome:
        # Canonical form, as for the other operations: a stream shares its twin's ids.
        canonical = json.dumps({k: v for k, v in body.items()
                                if k not in ("stream", "stream_options")},
                               sort_keys=True).encode()
        ctx = Context(self.config, deployment, get_tokenizer(self.config.tokenizer),
                      request_digest(canonical, deployment.name))
        store = self.responses_store
        outcome = _planner().plan_responses(ctx, body, store, len(canonical))
        # Only a request that continues nothing stored is answered the same every time.
        if (not isinstance(body.get("input"), str) or body.get("background")
                or body.get("previous_response_id") is not None):
            return outcome
        response_id = outcome.body["id"]
        stored = store.get(response_id) if outcome.body["store"] else None
        again = None if stored is None else partial(store.put, response_id, stored)
        return self.answers.remember(key, deployment.name, outcome, again)

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
