"""Entra ID offline: a token issuer, the managed-identity endpoints, an ``az`` shim and RBAC.

Seams used by the rest of the mock: the app owns one ``IdentityState`` (settings, token
issuer, IDENTITY_HEADER); ``IDENTITY_ROUTES`` are the HTTP routes' handlers;
``identity_env(state, url)`` adds the variables that point azure-identity at this mock;
``authorize_bearer`` (used by ``access.check_access``) checks a bearer token and the caller's
role. Config: the ``[identity]`` and ``[[role_assignments]]`` tables (``default_config.toml``).

Exported by the mock: ``IDENTITY_ENDPOINT`` (``{mock}/msi/token``) + ``IDENTITY_HEADER``
(App Service managed identity), ``AZURE_POD_IDENTITY_AUTHORITY_HOST`` (IMDS; answers
"Identity not found" unless ``imds_has_identity``), ``AZURE_OPENAI_MOCK_URL`` (for the shim).
The shim is opt-in: put ``az_shim_dir()`` first on PATH.

Short-lived tokens (to show expiry in seconds): every token route takes
``?token_lifetime=N`` (capped at the configured ``token_lifetime``). Managed identity: append
it to ``IDENTITY_ENDPOINT`` (azure-identity keeps the query string); the ``az`` shim: set
``AZURE_OPENAI_MOCK_TOKEN_LIFETIME=N``. Other identities: ``ManagedIdentityCredential(
client_id=...)`` (or ``AZURE_CLIENT_ID`` under DefaultAzureCredential) for user-assigned ones,
``AZURE_OPENAI_MOCK_AZ_USER=<name>`` for the user the shim is signed in as.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from ..._constants import EnvironmentVariables as Env
from .rbac import authorize_bearer
from .routes import APP_SERVICE_PATH, IDENTITY_ROUTES, IdentityRequest
from .settings import IdentitySettings, Principal
from .state import IdentityState
from .tokens import TokenIssuer, TokenRejected


def az_shim_dir() -> Path:
    """The absolute directory holding the ``az`` shim; put it first on PATH to opt in."""
    directory = Path(__file__).resolve().with_name("bin")
    shim = directory / "az"
    if not os.access(shim, os.X_OK):  # some installers drop the executable bit of package data
        with contextlib.suppress(OSError):
            shim.chmod(shim.stat().st_mode | 0o111)
    return directory


def identity_env(state: IdentityState, url: str) -> dict[str, str]:
    """Managed identity (App Service style) + IMDS host + where the az shim finds the mock.

    PATH is deliberately not here: the shim is opt-in (see ``az_shim_dir``).
    """
    base = url.rstrip("/")
    return {
        Env.IDENTITY_ENDPOINT: base + APP_SERVICE_PATH,
        Env.IDENTITY_HEADER: state.identity_header,
        # IMDS host: keeps ManagedIdentityCredential/DefaultAzureCredential off 169.254.169.254
        # once IDENTITY_* are unset (the mock's IMDS answers "Identity not found" by default).
        Env.AZURE_POD_IDENTITY_AUTHORITY_HOST: base,
        Env.AZURE_OPENAI_MOCK_URL: base + "/",
    }


def jwks_url(url: str, state: IdentityState) -> str:
    """Where the mock publishes its token-signing key (``{mock}/{tenant}/discovery/v2.0/keys``)."""
    return f"{url.rstrip('/')}/{state.settings.tenant_id}/discovery/v2.0/keys"


__all__ = [
    "IDENTITY_ROUTES", "IdentityRequest", "IdentitySettings", "IdentityState", "Principal",
    "TokenIssuer", "TokenRejected", "authorize_bearer", "az_shim_dir", "identity_env",
    "jwks_url",
]
