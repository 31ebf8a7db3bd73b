"""Who may call the data plane: an API key, or an Entra ID bearer token plus an RBAC role.

``check_access`` returns when the request may proceed, else raises Azure's 401.  The rules
(docs/fidelity.md, "Authentication"):

1. ``api-key`` equal to the resource key: allowed (keys bypass RBAC).
2. Else ``Authorization: Bearer <value>``: an Entra token is verified, then RBAC.  On the
   v1 API a value that is not a token is the key itself (the plain ``OpenAI`` client sends
   ``api_key`` that way).
3. Both headers, with a token in ``api-key`` too (some integrations send that): the bearer
   token decides, as in rule 2.
4. Neither header: 401 "missing subscription key".
"""

from __future__ import annotations

from . import errors
from .identity import IdentityState, authorize_bearer


def _looks_like_jwt(value: str) -> bool:
    return value.startswith("eyJ") and value.count(".") == 2


def check_access(key: str | None, authorization: str | None, api_key: str,
                 identity: IdentityState, operation: str, *, v1: bool = False) -> None:
    """``key`` and ``authorization`` are the ``api-key`` and ``Authorization`` headers (None
    when absent); plain values rather than a request object keep the hot path cheap."""
    if key is not None and key == api_key:
        return
    if authorization is not None:
        if v1:
            scheme, _, value = authorization.partition(" ")
            value = value.strip()
            if scheme.lower() == "bearer" and value and not _looks_like_jwt(value):
                if value != api_key:
                    raise errors.invalid_key()
                return
        authorize_bearer(authorization, identity, operation)
        return
    if key is not None:
        raise errors.invalid_key()
    raise errors.missing_key()
