"""Bearer tokens on the data plane: Azure's two 401s (bad token; valid token, missing role).

Azure OpenAI authorises a token by the Azure RBAC data actions of its ``oid`` on the
resource, never by ``roles``/``scp`` claims (docs/fidelity.md, "Identity"). A missing data
action is a **401** ``PermissionDenied``, not a 403 (docs/fidelity.md, "Authentication").
"""

from __future__ import annotations

import logging

from ..._constants import COGNITIVE_SERVICES_RESOURCE
from ..errors import AzureError
from .settings import OPENAI_DATA_ACTIONS
from .state import IdentityState
from .tokens import TokenRejected

log = logging.getLogger("azure_llm_helpers.mock")

# operation -> (data action it needs, how Azure names the operation in its message)
DATA_ACTIONS: dict[str, tuple[str, str]] = {
    "completions": (f"{OPENAI_DATA_ACTIONS}/deployments/completions/action",
                    "POST /openai/deployments/{deployment-id}/completions"),
    "chat": (f"{OPENAI_DATA_ACTIONS}/deployments/chat/completions/action",
             "POST /openai/deployments/{deployment-id}/chat/completions"),
    "embeddings": (f"{OPENAI_DATA_ACTIONS}/deployments/embeddings/action",
                   "POST /openai/deployments/{deployment-id}/embeddings"),
    "models": (f"{OPENAI_DATA_ACTIONS}/models/read", "GET /openai/models"),
    "responses": (f"{OPENAI_DATA_ACTIONS}/responses/write", "POST /openai/v1/responses"),
    "responses.read": (f"{OPENAI_DATA_ACTIONS}/responses/read",
                       "GET /openai/v1/responses/{response_id}"),
    "responses.delete": (f"{OPENAI_DATA_ACTIONS}/responses/delete",
                         "DELETE /openai/v1/responses/{response_id}"),
    "responses.input_items": (f"{OPENAI_DATA_ACTIONS}/responses/read",
                              "GET /openai/v1/responses/{response_id}/input_items"),
    "responses.cancel": (f"{OPENAI_DATA_ACTIONS}/responses/write",
                         "POST /openai/v1/responses/{response_id}/cancel"),
}
_AUDIENCES = [COGNITIVE_SERVICES_RESOURCE, COGNITIVE_SERVICES_RESOURCE + "/"]


def bad_token() -> AzureError:
    """Azure's 401 for a missing/invalid/expired/wrong-audience token: no ``error`` wrapper."""
    return AzureError(401, {
        "statusCode": 401, "message": "Unauthorized. Access token is missing, invalid, "
        f"audience is incorrect ({COGNITIVE_SERVICES_RESOURCE}), or have expired."})


def permission_denied(object_id: str, operation: str) -> AzureError:
    action, named = DATA_ACTIONS[operation]
    return AzureError(401, {"error": {
        "code": "PermissionDenied", "message": f"The principal `{object_id}` lacks the "
        f"required data action `{action}` to perform `{named}` operation."}})


def authorize_bearer(authorization: str, state: IdentityState, operation: str) -> None:
    """Return if the ``Authorization`` header carries a valid token whose principal may do
    ``operation``; otherwise raise the 401 Azure would send."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        log.info("401: Authorization header is not 'Bearer <token>'")
        raise bad_token()
    try:
        claims = state.issuer.verify(token.strip(), _AUDIENCES, state.settings.clock_skew)
    except TokenRejected as why:
        log.info("401: bearer token rejected: %s", why)
        raise bad_token() from None
    action, _ = DATA_ACTIONS[operation]
    if not state.settings.allowed(claims["oid"], action):
        log.info("401 PermissionDenied: principal %s lacks %s", claims["oid"], action)
        raise permission_denied(claims["oid"], operation)
