"""Bearer tokens on the data plane: Azure's two 401s (bad token; valid token, missing role).

Azure OpenAI authorises a token by the Azure RBAC data actions of its ``oid`` on the
resource, never by ``roles``/``scp`` claims (FIDELITY.md §10.7, §10.8). A missing data
action is a **401** ``PermissionDenied``, not a 403 (§3).
"""

from __future__ import annotations

import logging

from starlette.responses import JSONResponse

from ..config import MockConfig
from .settings import COGNITIVE_SERVICES
from .state import identity_state
from .tokens import TokenRejected

log = logging.getLogger("azure_llm_helpers.mock")

_OPENAI = "Microsoft.CognitiveServices/accounts/OpenAI"
# operation -> (data action it needs, how Azure names the operation in its message)
DATA_ACTIONS: dict[str, tuple[str, str]] = {
    "completions": (f"{_OPENAI}/deployments/completions/action",
                    "POST /openai/deployments/{deployment-id}/completions"),
    "chat": (f"{_OPENAI}/deployments/chat/completions/action",
             "POST /openai/deployments/{deployment-id}/chat/completions"),
    "embeddings": (f"{_OPENAI}/deployments/embeddings/action",
                   "POST /openai/deployments/{deployment-id}/embeddings"),
    "models": (f"{_OPENAI}/models/read", "GET /openai/models"),
}
_AUDIENCES = [COGNITIVE_SERVICES, COGNITIVE_SERVICES + "/"]


def bad_token() -> JSONResponse:
    """Azure's 401 for a missing/invalid/expired/wrong-audience token: no ``error`` wrapper."""
    return JSONResponse(
        {"statusCode": 401, "message": "Unauthorized. Access token is missing, invalid, audience "
         "is incorrect (https://cognitiveservices.azure.com), or have expired."},
        401,
    )


def permission_denied(object_id: str, operation: str) -> JSONResponse:
    action, named = DATA_ACTIONS[operation]
    return JSONResponse(
        {"error": {"code": "PermissionDenied", "message": f"The principal `{object_id}` lacks "
                   f"the required data action `{action}` to perform `{named}` operation."}},
        401,
    )


def authorize_bearer(authorization: str, config: MockConfig, operation: str) -> JSONResponse | None:
    """``None`` if the ``Authorization`` header carries a valid token whose principal may do
    ``operation``; otherwise the 401 Azure would send."""
    state = identity_state(config)
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        log.info("401: Authorization header is not 'Bearer <token>'")
        return bad_token()
    try:
        claims = state.issuer.verify(token.strip(), _AUDIENCES, state.settings.clock_skew)
    except TokenRejected as why:
        log.info("401: bearer token rejected: %s", why)
        return bad_token()
    action, _ = DATA_ACTIONS[operation]
    if not state.settings.allowed(claims["oid"], action):
        log.info("401 PermissionDenied: principal %s lacks %s", claims["oid"], action)
        return permission_denied(claims["oid"], operation)
    return None
