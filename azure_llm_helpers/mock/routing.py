"""Which data-plane operation a request is, from its method and path.

One table, ``ROUTES``: the dated API (``/openai/deployments/{deployment}/...`` with a
required ``api-version``) and the v1 API (``/openai/v1/...``, ``api-version`` optional,
the deployment named by the body's ``model``).  A route may capture path segments written
``{name}``; ``{deployment}`` is the deployment.  Adding an operation is one row here and a
planner in ``operations.PLANNERS``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .._constants import DATED_API_VERSIONS, V1_API_VERSIONS
from . import errors

DATED, V1 = "dated", "v1"

#: (method, path, operation, API family).
ROUTES: list[tuple[str, str, str, str]] = [
    ("GET", "/openai/models", "models", DATED),
    ("POST", "/openai/deployments/{deployment}/completions", "completions", DATED),
    ("POST", "/openai/deployments/{deployment}/chat/completions", "chat", DATED),
    ("POST", "/openai/deployments/{deployment}/embeddings", "embeddings", DATED),
    ("GET", "/openai/v1/models", "models", V1),
    ("POST", "/openai/v1/chat/completions", "chat", V1),
    ("POST", "/openai/v1/embeddings", "embeddings", V1),
]


@dataclass(frozen=True, slots=True)
class Route:
    operation: str
    family: str  # DATED or V1
    deployment: str | None = None  # from the path; v1 routes name it in the body
    params: dict[str, str] = field(default_factory=dict)  # other captured segments


def _compile(routes: list[tuple[str, str, str, str]]) -> tuple[dict, list]:
    exact, patterns = {}, []
    for method, path, operation, family in routes:
        parts = tuple(path.split("/"))
        if any(p.startswith("{") for p in parts):
            patterns.append((method, parts, operation, family))
        else:
            exact[(method, path)] = Route(operation, family)
    return exact, patterns


_EXACT, _PATTERNS = _compile(ROUTES)
# Paths matched by a pattern before (a course uses a handful of deployments), bounded.
_SEEN: dict[tuple[str, str], Route] = {}
_MAX_SEEN = 512


def add_routes(rows: list[tuple[str, str, str, str]]) -> None:
    """Register more rows (a feature module's own operations)."""
    global _EXACT, _PATTERNS
    ROUTES.extend(rows)
    _EXACT, _PATTERNS = _compile(ROUTES)
    _SEEN.clear()
# Paths matched by a pattern before (a course uses a handful of deployments), bounded.
_SEEN: dict[tuple[str, str], Route] = {}
_MAX_SEEN = 512


def match_segments(template: list[str] | tuple[str, ...], segments: list[str]
                   ) -> dict[str, str] | None:
    """The captured ``{name}`` segments if ``segments`` fit ``template`` (a ``{name}``
    matches any one non-empty segment), else None."""
    if len(template) != len(segments):
        return None
    captured: dict[str, str] = {}
    for expected, actual in zip(template, segments, strict=True):
        if expected.startswith("{"):
            if not actual:
                return None
            captured[expected[1:-1]] = actual
        elif expected != actual:
            return None
    return captured


def match(method: str, path: str) -> Route | None:
    """The route for ``method`` and ``path``, or None (Azure's 404)."""
    key = (method, path)
    found = _EXACT.get(key) or _SEEN.get(key)
    if found is not None:
        return found
    parts = path.split("/")
    for want, pattern, operation, family in _PATTERNS:
        captured = match_segments(pattern, parts) if want == method else None
        if captured is not None:
            deployment = captured.pop("deployment", None)
            route = Route(operation, family, deployment, captured)
            if len(_SEEN) < _MAX_SEEN:
                _SEEN[key] = route
            return route
    return None


def check_version(route: Route, version: str | None) -> str:
    """The api-version in force; Azure's error when it is missing or not served."""
    if route.family == V1:
        if version is None:
            return "v1"
        if version not in V1_API_VERSIONS:
            raise errors.api_version_not_supported()
        return version
    if version is None:
        raise errors.resource_not_found()
    if version not in DATED_API_VERSIONS:
        raise errors.api_version_not_supported()
    return version
