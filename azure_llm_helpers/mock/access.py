"""Who may call the data plane: an API key, or an Entra ID bearer token plus an RBAC role.

``check_access`` returns ``None`` when the request may proceed, else Azure's error response.
"""

from __future__ import annotations

from starlette.responses import Response

from . import errors
from .config import Deployment, MockConfig
from .identity import authorize_bearer


def check_access(
    key: str | None, authorization: str | None, config: MockConfig,
    deployment: Deployment | None, operation: str,
) -> Response | None:
    """``key`` and ``authorization`` are the ``api-key`` and ``Authorization`` headers (None
    when absent); plain values rather than a Starlette request keep the hot path cheap."""
    if key is not None:
        # Keys bypass RBAC entirely (FIDELITY.md §10.8).
        return None if key == config.api_key else errors.invalid_key()
    if authorization is not None:
        return authorize_bearer(authorization, config, operation)
    return errors.missing_key()
