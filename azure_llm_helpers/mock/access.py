"""Who may call the data plane: API keys now; Entra ID bearer tokens and RBAC join here.

``check_access`` returns ``None`` when the request may proceed, else Azure's error response.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from . import errors
from .config import Deployment, MockConfig


def check_access(
    request: Request, config: MockConfig, deployment: Deployment | None, operation: str
) -> Response | None:
    key = request.headers.get("api-key")
    if key is None:
        return errors.missing_key()
    if key != config.api_key:
        return errors.invalid_key()
    return None
