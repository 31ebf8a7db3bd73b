"""Who may call the data plane: an API key, or an Entra ID bearer token plus an RBAC role.

``check_access`` (dated routes) and ``check_v1_access`` (``/openai/v1/``) return when
the request may proceed, else raise Azure's 401.
"""

from __future__ import annotations

import hmac

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


def check_v1_access(key: str | None, authorization: str | None, api_key: str,
                    identity: IdentityState, operation: str) -> None:
    """The v1 API's rule (``/openai/v1/...``): ``api-key: <key>``, ``Authorization: Bearer
    <key>`` (what the plain ``openai.OpenAI`` client sends) or ``Authorization: Bearer
    <Entra token>``.  A valid bearer token wins even when ``api-key`` carries something
    else: some integrations send the token in both headers, and Azure accepts it."""
    if key is not None and hmac.compare_digest(key.encode(), api_key.encode()):
        return
    if authorization is not None:
        scheme, _, value = authorization.partition(" ")
        value = value.strip()
        if scheme.lower() == "bearer" and value.count(".") != 2:  # a key, not a JWT
            if hmac.compare_digest(value.encode(), api_key.encode()):
                return
            raise errors.invalid_key()
        authorize_bearer(authorization, identity, operation)
        return
    if key is not None:
        raise errors.invalid_key()
    raise errors.missing_key()
