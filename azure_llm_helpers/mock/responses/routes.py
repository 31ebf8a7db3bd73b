"""Which Responses API route a request is, and whether its ``api-version`` fits it.

- ``POST /openai/v1/responses``, ``GET``/``DELETE /openai/v1/responses/{id}``,
  ``GET .../{id}/input_items`` and ``POST .../{id}/cancel``: the v1 API; no ``api-version``
  needed, ``v1`` and ``preview`` accepted, anything else refused.
- ``POST /openai/responses?api-version=...`` (and the same sub-routes): the dated route
  ``AzureOpenAI(...).responses`` calls; it exists from 2025-03-01-preview on.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..._constants import DATED_API_VERSIONS, V1_API_VERSIONS
from .. import errors

V1_PATH = "/openai/v1/responses"
DATED_PATH = "/openai/responses"
#: The first dated version that has the Responses API (Microsoft Learn, "Responses API").
FIRST_DATED_VERSION = "2025-03-01-preview"
#: RBAC operation names (identity/rbac.py DATA_ACTIONS) per action.
OPERATIONS = {"create": "responses", "retrieve": "responses.read",
              "delete": "responses.delete", "input_items": "responses.input_items",
              "cancel": "responses.cancel"}
#: The routing table: (method, shape) -> action; the shape is what follows ``/responses``
#: ("" for the collection, "{id}" for one response, "{id}/<name>" for its sub-resources).
ACTIONS = {("POST", ""): "create", ("GET", "{id}"): "retrieve",
           ("DELETE", "{id}"): "delete", ("GET", "{id}/input_items"): "input_items",
           ("POST", "{id}/cancel"): "cancel"}


@dataclass(frozen=True)
class ResponsesRoute:
    action: str  # an ``ACTIONS`` value: "create", "retrieve", "delete", "input_items", ...
    response_id: str | None
    version: str  # the api-version, "v1" on the v1 route when none is given

    @property
    def operation(self) -> str:
        return OPERATIONS[self.action]


def is_responses_path(path: str) -> bool:
    return path.startswith((V1_PATH, DATED_PATH)) and (
        len(path) in (len(V1_PATH), len(DATED_PATH)) or path[len(
            V1_PATH if path.startswith(V1_PATH) else DATED_PATH)] == "/")


def match(method: str, path: str, query: dict[str, str]) -> ResponsesRoute:
    """The route of a Responses path (``is_responses_path``); raises Azure's 404 for unknown
    methods or shapes and its 400/404 for an api-version the route does not serve."""
    v1 = path.startswith(V1_PATH)
    rest = path[len(V1_PATH if v1 else DATED_PATH):]
    response_id, shape = None, ""
    if rest.startswith("/"):
        response_id, slash, sub = rest[1:].partition("/")
        shape = f"{{id}}/{sub}" if slash else "{id}"
    action = ACTIONS.get((method, shape))
    if action is None or response_id == "":
        raise errors.resource_not_found()
    version = query.get("api-version")
    if v1:
        if version is not None and version not in V1_API_VERSIONS:
            raise errors.api_version_not_supported()
        return ResponsesRoute(action, response_id, version or "v1")
    if version is None:
        raise errors.resource_not_found()
    if version not in DATED_API_VERSIONS:
        raise errors.api_version_not_supported()
    if version < FIRST_DATED_VERSION or not version.endswith("-preview"):
        raise errors.resource_not_found()  # the route does not exist in older versions
    return ResponsesRoute(action, response_id, version)
