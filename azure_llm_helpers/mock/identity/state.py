"""One mock's identity state: its settings, its token issuer and its IDENTITY_HEADER.

The app makes one per server (``MockApp.identity``) and hands it to the data plane's
bearer check, the identity routes and ``MockServer.env``: all three see the same issuer,
and each server start gets a fresh signing key and header.
"""

from __future__ import annotations

import uuid
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

    @classmethod
    def from_config(cls, config: MockConfig) -> IdentityState:
        """A fresh state for ``config``'s ``[identity]`` tables (a bad entry: MockConfigError)."""
        settings = read_settings(config)
        return cls(settings, TokenIssuer(settings.tenant_id), str(uuid.uuid4()))
