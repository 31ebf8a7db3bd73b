"""Reusable plumbing for the Azure OpenAI course: configuration, auth, clients, diagnosis,
and a local mock of the service (:mod:`azure_llm_helpers.mock`).

>>> from azure_llm_helpers import load_settings, langchain_chat, check_connection
>>> settings = load_settings()          # arguments, then environment, then .env  # doctest: +SKIP
>>> print(check_connection(settings))   # one tiny real call, explained           # doctest: +SKIP
>>> langchain_chat(settings).invoke("Hello").content                              # doctest: +SKIP

Importing this package is cheap: each name below loads its module (and the SDKs behind it)
on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> submodule that defines it
_EXPORTS = {
    "ConfigurationError": "config",
    "ConfigurationWarning": "config",
    "Settings": "config",
    "load_settings": "config",
    "Secret": "_secret",
    "COGNITIVE_SERVICES_SCOPE": "auth",
    "TokenExpiryWarning": "auth",
    "TokenInfo": "auth",
    "default_credential": "auth",
    "describe_token": "auth",
    "managed_identity_or_cli_credential": "auth",
    "token_provider": "auth",
    "use_legacy_azure_ad_env": "auth",
    "async_openai_client": "clients",
    "langchain_chat": "clients",
    "langchain_embeddings": "clients",
    "langchain_llm": "clients",
    "openai_client": "clients",
    "Diagnosis": "diagnose",
    "check_connection": "diagnose",
    "explain": "diagnose",
}

__all__ = [
    "COGNITIVE_SERVICES_SCOPE",
    "ConfigurationError",
    "ConfigurationWarning",
    "Diagnosis",
    "Secret",
    "Settings",
    "TokenExpiryWarning",
    "TokenInfo",
    "async_openai_client",
    "check_connection",
    "default_credential",
    "describe_token",
    "explain",
    "langchain_chat",
    "langchain_embeddings",
    "langchain_llm",
    "load_settings",
    "managed_identity_or_cli_credential",
    "openai_client",
    "token_provider",
    "use_legacy_azure_ad_env",
]

if TYPE_CHECKING:
    from ._secret import Secret
    from .auth import (
        COGNITIVE_SERVICES_SCOPE,
        TokenExpiryWarning,
        TokenInfo,
        default_credential,
        describe_token,
        managed_identity_or_cli_credential,
        token_provider,
        use_legacy_azure_ad_env,
    )
    from .clients import (
        async_openai_client,
        langchain_chat,
        langchain_embeddings,
        langchain_llm,
        openai_client,
    )
    from .config import ConfigurationError, ConfigurationWarning, Settings, load_settings
    from .diagnose import Diagnosis, check_connection, explain


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'azure_llm_helpers' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
