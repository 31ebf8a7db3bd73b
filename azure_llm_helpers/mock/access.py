"""Who may call the data plane: an API key, or an Entra ID bearer token plus an RBAC role.

``check_access`` returns when the request may proceed, else raises Azure's 401.  The rules
(docs/fidelity.md, "Authentication"):

1. ``api-key`` equal to the resource key: allowed (keys bypass RBAC).
2. Dated API: otherwise a wrong ``api-key`` is refused; ``Authorization: Bearer <token>``
   is verified, then RBAC.
3. v1 API (``v1=True``, or ``check_v1_access``): ``Authorization: Bearer <value>`` decides
   whatever ``api-key`` holds (some integrations send the token in both headers); a value
   that is not a JWT is the key itself (the plain ``openai.OpenAI`` client sends it so).
4. Neither header: 401 "missing subscription key".
"""

from __future__ import annotations

import hmac
from collections.abc import Container

from . import errors
from .identity import IdentityState, authorize_bearer


def _is_key(value: str, api_key: str, learner_keys: Container[str] = ()) -> bool:
    """The resource's key, or one of a room's per-learner keys (course/room.py)."""
    return hmac.compare_digest(value.encode(), api_key.encode()) or value in learner_keys


def check_access(key: str | None, authorization: str | None, api_key: str,
                 identity: IdentityState, operation: str, *, v1: bool = False,
                 learner_keys: Container[str] = ()) -> None:
    """``key`` and ``authorization`` are the ``api-key`` and ``Authorization`` headers (None
    when absent); plain values rather than a request object keep the hot path cheap."""
    if key is not None:
        if _is_key(key, api_key, learner_keys):
            return
        if not v1 or authorization is None:
            raise errors.invalid_key()
        # v1 with both headers (e.g. a token in each): the bearer value decides, below.
    if authorization is not None:
        scheme, _, value = authorization.partition(" ")
        value = value.strip()
        if v1 and scheme.lower() == "bearer" and value and value.count(".") != 2:
            if not _is_key(value, api_key, learner_keys):  # a key, not a JWT
                raise errors.invalid_key()
            return
        authorize_bearer(authorization, identity, operation)
        return
    raise errors.missing_key()


def check_v1_access(key: str | None, authorization: str | None, api_key: str,
                    identity: IdentityState, operation: str,
                    learner_keys: Container[str] = ()) -> None:
    """The v1 API's rule (``/openai/v1/...``): ``check_access`` with ``v1=True``."""
    check_access(key, authorization, api_key, identity, operation, v1=True,
                 learner_keys=learner_keys)
