"""Reusable plumbing for the Azure OpenAI course: configuration, auth, clients, diagnosis,
and a local mock of the service (:mod:`azure_llm_helpers.mock`).

>>> from azure_llm_helpers import load_settings, langchain_chat, check_connection
>>> settings = load_settings()          # arguments, then environment, then .env  # doctest: +SKIP
>>> print(check_connection(settings))   # one tiny real call, explained           # doctest: +SKIP
>>> langchain_chat(settings).invoke("Hello").content                              # doctest: +SKIP

Importing this package is cheap: each name below loads its module (and the SDKs behind it)
on first use. The public submodules are :mod:`~azure_llm_helpers.auth` (Entra ID and
tokens), :mod:`~azure_llm_helpers.exercises` (the lessons' answer checker),
:mod:`~azure_llm_helpers.lesson` (a lesson's one-call set-up) and
:mod:`~azure_llm_helpers.mock` (the local Azure OpenAI); modules whose names start with an
underscore are private: import their public names from here.
"""

from __future__ import annotations

import importlib
from typing import Any

# The public API, declared once: submodule -> the names it defines. ``__all__``, ``dir()``
# and the lazy look-up below all derive from it (as httpx declares its surface in one
# ``__all__``; the modules themselves are private, their names are public here).
_EXPORTS = {
    "_config": ("load_settings",),
    "_settings": ("ConfigurationError", "ConfigurationWarning", "Settings"),
    "_secret": ("Secret",),
    "auth": ("COGNITIVE_SERVICES_SCOPE", "TokenExpiryWarning", "TokenInfo", "default_credential",
             "describe_token", "managed_identity_or_cli_credential", "token_provider",
             "use_legacy_azure_ad_env"),
    "_clients": ("async_openai_client", "langchain_chat", "langchain_embeddings", "langchain_llm",
                 "openai_client"),
    "_diagnose": ("Diagnosis", "check_connection", "explain"),
}
_HOME = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'azure_llm_helpers' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
