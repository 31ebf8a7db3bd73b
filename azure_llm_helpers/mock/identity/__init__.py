"""Entra ID offline: a token issuer, the managed-identity endpoint, an ``az`` shim and RBAC.

Seams used by the rest of the mock (filled in by the identity work):
``identity_routes(config)`` adds HTTP routes; ``identity_env(config, url)`` adds the
variables that point azure-identity at this mock.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from ..config import MockConfig


def identity_routes(config: MockConfig) -> list[BaseRoute]:
    return []


def identity_env(config: MockConfig, url: str) -> dict[str, str]:
    return {}
