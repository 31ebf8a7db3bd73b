"""The mock's HTTP application: Azure OpenAI's data plane under ``/openai``.

The data plane is a thin raw-ASGI dispatcher (a framework's routing and request objects
cost more CPU than the whole answer); everything else (the identity endpoints, unknown
routes) goes to the identity side's own small ASGI app (identity/asgi.py). Checks run in
Azure's order: route, api-version, access, deployment, operation, body, validation,
injected faults, call limit (before the answer is planned: a 429 is cheap), token limit,
content filter, answer. Any of them refuses by raising ``errors.AzureError``; this module
is the one place that turns it into a response, with Azure's headers.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from . import errors, faults, lifecycle, routing, strictjson, validate
from ._asgi import Receive, Scope, Send
from .access import check_access, check_v1_access
from .answer_cache import AnswerCache
from .answering import Answering
from .answers import request_digest
from .config import Deployment, MockConfig
from .errors import AzureError
from .identity import IdentityState
from .identity.asgi import IdentityApp
from .learner_limits import learner_window, refuse
from .models import models_list
from .operations import PLANNERS, Context, Outcome
from .outcome import to_json
from .ratelimit import SlidingWindow
from .responses.endpoint import ResponsesEndpoint
from .responses.routes import is_responses_path
from .responses.store import ResponseStore
from .tokenizer import get_tokenizer

if TYPE_CHECKING:  # the recording package loads only when --record or --replay asks for it
    from .recording import DataPlaneSource

_OPERATION_NAMES = {"completions": "completion", "chat": "chatCompletion",
                    "embeddings": "embeddings", "responses": "responses"}

log = logging.getLogger("azure_llm_helpers.mock")
_RETIREMENT_HEADER = lifecycle.HEADER.encode()


_ids = random.Random()  # request ids need not be secret: no system call per request


def _request_id() -> str:
    h = f"{_ids.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


@dataclass(slots=True)
class DataPlaneRequest:
    """One data-plane request's facts, filled in as its checks pass."""

    scope: Scope
    request_id: str
    deployment: str = "-"  # the name in the path, for the log line
    window: SlidingWindow | None = None  # its deployment's rate limits, once known
    learner: str = ""  # a room's learner, named by their key (course/room.py)
    status: int = 0  # set when the response starts
    heads: dict[bytes, bytes] | None = None  # the headers by name, made on first use

    def header(self, name: bytes) -> str | None:
        """The first header of that name: ASGI servers lower-case names, so an exact match
        is a case-insensitive one."""
        heads = self.heads
        if heads is None:
            heads = self.heads = dict(reversed(self.scope["headers"]))
        value = heads.get(name)
        return None if value is None else value.decode("latin-1")


class MockApp(ResponsesEndpoint, Answering):
    """The ASGI application for one ``MockConfig``."""

    def __init__(self, config: MockConfig, source: DataPlaneSource | None = None) -> None:
        self.config = config
        #: Where data-plane answers come from before generation: a recording, or upstream.
        self.source = source
        self.identity = IdentityState.from_config(config)
        self.windows = {name: SlidingWindow(d.requests_per_minute, d.tokens_per_minute)
                        for name, d in config.deployments.items()}
        # A room's learners each get windows of their own, made on their first request.
        self.learner_windows: dict[tuple[str, str], SlidingWindow] = {}
        self.faults = faults.FaultState()
        self.responses_store = ResponseStore()  # stored responses (responses/store.py)
        self.answers = AnswerCache()  # answers to repeated requests (answer_cache.py)
        self._region = config.region.encode()
        self._closing: asyncio.Event | None = None
        # One line per data-plane request goes here when set (the CLI: stderr's write),
        # else to the logger; logging's records and formatting cost more than the answer.
        self.access_log: Callable[[str], object] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.other = IdentityApp(self.identity)

    def runs_inline(self, scope: Scope) -> bool:
        """Whether the server may run this request inline, outside a task, until it first
        waits (http_protocol.py): the generated data plane never asks for its task; the
        recorder's httpx client and the identity side may."""
        return self.source is None and scope["path"].startswith("/openai/")

    def release_hanging(self) -> None:
        """End every ``hang`` fault (called from any thread when the server stops)."""
        if self._loop is not None and self._closing is not None:
            self._loop.call_soon_threadsafe(self._closing.set)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/openai/"):
            await self.other(scope, receive, send)
            return
        started = time.perf_counter()
        request = DataPlaneRequest(scope, _request_id())
        try:
            if self.source is not None:
                receive = await self._from_source(request, receive, send)
                if receive is None:
                    return  # answered (and logged) by the recorder or the replayer
            await self._data_plane(request, receive, send)
        except AzureError as refusal:
            await self._send_error(request, send, refusal)
        except Exception:  # noqa: BLE001 - a bug must still look like Azure, never a traceback
            log.exception("mock: internal error on %s %s", scope["method"], scope["path"])
            await self._send_error(request, send, errors.server_error(request.request_id))
        if self.access_log is not None or log.isEnabledFor(logging.INFO):
            learner = request.learner and f" learner={request.learner}"
            line = (f"{scope['method']} {scope['path']} deployment={request.deployment}"
                    f"{learner} {request.status} "
                    f"{(time.perf_counter() - started) * 1000:.1f}ms")
            if self.access_log is not None:
                self.access_log(line + "\n")
            else:
                log.info("%s", line)

    def _learner_of(self, key: str | None, authorization: str | None) -> str:
        """The room's learner whose key this is (``api-key``, or v1's ``Bearer <key>``)."""
        learners = self.config.learners
        if not learners:
            return ""
        if key is None and authorization is not None:
            key = authorization.partition(" ")[2].strip()
        return learners.get(key or "", "")

    def _window(self, deployment: str, learner: str) -> SlidingWindow | None:
        """The deployment's window; a learner's own copy of it when a learner calls."""
        shared = self.windows.get(deployment)
        if not learner or shared is None:
            return shared
        mine = self.learner_windows.get((learner, deployment))
        if mine is None:
            mine = learner_window(shared, self.config.learner_limits)
            self.learner_windows[(learner, deployment)] = mine
        return mine

    async def _from_source(self, request: DataPlaneRequest, receive: Receive,
                           send: Send) -> Receive | None:
        """Let the recorder or the replayer answer; a ``receive`` for the generator if not.

        The recorder forwards the caller's credentials untouched (the upstream judges them);
        a replay checks them as the mock would, so a room uses the mock's key or tokens.
        """
        from .recording.asgi import replay_receive

        scope = request.scope
        if not self.source.forwards_credentials:
            check = check_v1_access if scope["path"].startswith("/openai/v1/") else check_access
            check(request.header(b"api-key"), request.header(b"authorization"),
                  self.config.api_key, self.identity,
                  _rbac_operation(scope["method"], scope["path"]),
                  learner_keys=self.config.learners)
        body = await self.source.handle(scope, receive, send)
        return None if body is None else replay_receive(body)

    # -- the data plane, in Azure's order -------------------------------------------------

    async def _data_plane(self, request: DataPlaneRequest, receive: Receive,
                          send: Send) -> None:
        if is_responses_path(request.scope["path"]):
            await self._responses(request, receive, send, _query(request.scope))
            return
        route, version = self._resolve(request)
        operation = route.operation
        if operation == "models":
            await self._send_json(request, send, 200, to_json(models_list(self.config)),
                                  self._headers(request))
            return
        named = route.deployment  # None on v1, where the body's "model" names it
        if named is not None:
            deployment = self._deployment(request, named, operation)
        raw = await self._read_body(request, receive)
        key = (operation, named, raw)
        known = self.answers.get(key)  # these very bytes were answered before
        if known is None:
            body = self._parse_json(raw)
            if named is None:
                deployment = self._deployment(request, _model_of(operation, body), operation)
            validate.check(operation, body)
        elif named is None:
            deployment = self._deployment(request, known.deployment, operation)
        spec = self._fault_spec(request, deployment)
        if spec.active:
            await self._inject_faults(request, receive, spec, deployment, operation, version)
        if request.window is not None and (refusal := request.window.refusal()) is not None:
            await refuse(refusal, operation, version)  # a 429 costs no answer
        if known is None:
            outcome = self.answers.remember(key, deployment.name,
                                            self._plan(operation, deployment, body))
        else:
            outcome = known.outcome
        await self._answer(request, send, outcome, spec, operation, version)

    def _plan(self, operation: str, deployment: Deployment, body: dict) -> Outcome:
        # Canonical form: key order and spacing don't matter, and a stream shares its
        # non-streamed twin's ids, answers and usage.
        canonical = json.dumps({k: v for k, v in body.items()
                                if k not in ("stream", "stream_options")},
                               sort_keys=True).encode()
        ctx = Context(self.config, deployment, get_tokenizer(self.config.tokenizer),
                      request_digest(canonical, deployment.name))
        return PLANNERS[operation](ctx, body)

    def _resolve(self, request: DataPlaneRequest) -> tuple[routing.Route, str]:
        """(route, api-version in force): route, version and access, in Azure's order."""
        scope = request.scope
        route = routing.match(scope["method"], scope["path"])
        if route is None:
            raise errors.resource_not_found()
        version = routing.check_version(route, _query(scope).get("api-version"))
        key, authorization = request.header(b"api-key"), request.header(b"authorization")
        check_access(key, authorization, self.config.api_key, self.identity, route.operation,
                     v1=route.family == routing.V1, learner_keys=self.config.learners)
        request.learner = self._learner_of(key, authorization)
        return route, version

    def _deployment(self, request: DataPlaneRequest, name: str, operation: str) -> Deployment:
        """The named deployment, if it exists, is not retired and serves ``operation``."""
        request.deployment = name
        deployment = self.config.deployments.get(name)
        if deployment is None:
            raise errors.deployment_not_found()
        request.window = self._window(name, request.learner)
        policy = self.config.retirement
        header = request.header(_RETIREMENT_HEADER)
        if header:
            try:
                policy = lifecycle.parse_header(header, policy)
            except ValueError as exc:
                raise errors.invalid_request(f"Invalid {lifecycle.HEADER} header: {exc}.",
                                             lifecycle.HEADER) from None
        if policy.refuses(deployment.lifecycle):
            # What a deployment of a retired model answers (docs/fidelity.md).
            raise errors.resource_not_found()
        if not deployment.serves(operation):
            raise errors.operation_not_supported(_OPERATION_NAMES[operation], deployment.model)
        return deployment

    async def _read_json(self, request: DataPlaneRequest, receive: Receive,
                         operation: str | None = None) -> Any:
        """The request body, parsed as RFC 8259 JSON (strictjson.py), and validated for
        ``operation`` when one is given."""
        return self._parse_json(await self._read_body(request, receive), operation)

    @staticmethod
    def _parse_json(raw: bytes, operation: str | None = None) -> Any:
        try:
            body = strictjson.parse(raw)
        except strictjson.JSONRejected:
            raise errors.unparsable_json() from None
        if operation is not None:
            validate.check(operation, body)
        return body

    async def _read_body(self, request: DataPlaneRequest, receive: Receive) -> bytes:
        limit = self.config.max_request_bytes
        chunks, size = [], 0
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if message["type"] == "http.disconnect" or size > limit:
                raise errors.request_too_large(limit)
            chunks.append(chunk)
            if not message.get("more_body"):
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def _fault_spec(self, request: DataPlaneRequest, deployment: Deployment
                    ) -> faults.FaultSpec:
        """The request's faults: the deployment's, as ``x-mock-fault`` changes them."""
        header = request.header(b"x-mock-fault")
        return faults.parse_fault_header(header, deployment.faults) if header \
            else deployment.faults

    async def _inject_faults(self, request: DataPlaneRequest, receive: Receive,
                             spec: faults.FaultSpec, deployment: Deployment, operation: str,
                             version: str) -> None:
        """Raise the injected error, or hang, when an active ``spec`` says so (awaited only
        then: a coroutine per request costs more than the check)."""
        if spec.hang:
            await self._hang(receive)
            raise errors.service_unavailable()
        attempt = request.header(b"x-stainless-retry-count")
        header = request.header(b"x-mock-fault") or ""
        if self.faults.should_fail(spec, deployment.name, header, attempt):
            raise faults.injected_error(spec, operation, version, request.request_id)

    async def _hang(self, receive: Receive) -> None:
        """Wait until the client gives up or the server stops."""
        if self._closing is None:
            self._loop = asyncio.get_running_loop()
            self._closing = asyncio.Event()
        disconnect = asyncio.ensure_future(_until_disconnect(receive))
        closing = asyncio.ensure_future(self._closing.wait())
        _, pending = await asyncio.wait({disconnect, closing},
                                        return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()


async def _until_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def _model_of(operation: str, body: object) -> str:
    """The deployment a v1 request names in ``model``."""
    if not isinstance(body, dict):
        validate.check(operation, body)  # raises Azure's "expected an object"
    model = body.get("model") if isinstance(body, dict) else None
    if not isinstance(model, str) or not model:
        raise errors.invalid_request("you must provide a model parameter")
    return model


# Query strings parsed before: a course sends a handful (its api-versions), bounded.  The
# dicts are shared, so no caller may change one.
_QUERIES: dict[bytes, dict[str, str]] = {}
_MAX_QUERIES = 256


def _query(scope: Scope) -> dict[str, str]:
    raw = scope.get("query_string", b"")
    found = _QUERIES.get(raw)
    if found is not None:
        return found
    qs = raw.decode("latin-1")
    if "%" not in qs and "+" not in qs:
        # Nothing to unquote (the usual ``api-version=...``): parse_qsl would give the same.
        found = dict(part.partition("=")[::2] for part in qs.split("&") if part)
    else:
        found = dict(parse_qsl(qs, keep_blank_values=True))
    if len(_QUERIES) < _MAX_QUERIES:
        _QUERIES[raw] = found
    return found


def _rbac_operation(method: str, path: str) -> str:
    """The RBAC data action a replayed request needs (as DATA_ACTIONS names it)."""
    if "/responses" in path:
        return {"GET": "responses.read", "DELETE": "responses.delete"}.get(method, "responses")
    if path.endswith("/embeddings"):
        return "embeddings"
    if path.endswith("/models"):
        return "models"
    return "completions" if path.endswith("/completions") and "/chat/" not in path else "chat"


def create_app(config: MockConfig, source: DataPlaneSource | None = None) -> MockApp:
    return MockApp(config, source)
