"""One identity state per loaded config: its settings, its token issuer and its IDENTITY_HEADER.

The data plane (``access.check_access``), the identity routes and ``MockServer.env`` only see
the ``MockConfig``; keying the state on that object gives all three the same issuer, and a
fresh key and header each time a config is loaded (i.e. per server start).
"""

from __future__ import annotations

import threading
import uuid
import weakref
from dataclasses import dataclass, field

from ..config import MockConfig
from .settings import IdentitySettings, read_settings
from .tokens import TokenIssuer


@dataclass(frozen=True)
class IdentityState:
    settings: IdentitySettings
    issuer: TokenIssuer
    # App Service rotates a GUID like this one; azure-identity sends it back as X-IDENTITY-HEADER.
    identity_header: str = field(repr=False)


_states: dict[int, IdentityState] = {}
_lock = threading.Lock()


def identity_state(config: MockConfig) -> IdentityState:
    """The identity state belonging to ``config`` (made on first use, dropped with the config)."""
    key = id(config)
    with _lock:
        state = _states.get(key)
        if state is None:
            settings = read_settings(config)
            state = IdentityState(settings, TokenIssuer(settings.tenant_id), str(uuid.uuid4()))
            _states[key] = state
            weakref.finalize(config, _states.pop, key, None)
        return state
