"""Who may call the data plane: an API key, or an Entra ID bearer token plus an RBAC role.

``check_access`` returns when the request may proceed, else raises Azure's 401.
"""

from __future__ import annotations

from . import errors
from .identity import IdentityState, authorize_bearer


def check_access(key: str | None, authorization: str | None, api_key: str,
                 identity: IdentityState, operation: str) -> None:
    """``key`` and ``authorization`` are the ``api-key`` and ``Authorization`` headers (None
    when absent); plain values rather than a request object keep the hot path cheap."""
    if key is not None:
        # Keys bypass RBAC entirely (FIDELITY.md §10.8).
        if key != api_key:
            raise errors.invalid_key()
        return
    if authorization is not None:
        authorize_bearer(authorization, identity, operation)
        return
    raise errors.missing_key()
