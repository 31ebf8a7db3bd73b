"""The course's facts, each written once: environment variable names, API versions, the
Cognitive Services scope, what counts as loopback and what a secret looks like.

The helpers, the mock and the tests all read them from here (as azure-identity keeps its
``EnvironmentVariables`` in one module), so a new API version or variable is one edit.
"""

from __future__ import annotations

import re


class EnvironmentVariables:
    """Names of the environment variables the SDKs, the helpers and the mock read."""

    # Read by openai.AzureOpenAI() and langchain-openai.
    AZURE_OPENAI_ENDPOINT = "AZURE_OPENAI_ENDPOINT"
    AZURE_OPENAI_API_KEY = "AZURE_OPENAI_API_KEY"
    AZURE_OPENAI_AD_TOKEN = "AZURE_OPENAI_AD_TOKEN"
    OPENAI_API_VERSION = "OPENAI_API_VERSION"
    # The pre-1.0 names learners still paste from old posts.
    OPENAI_API_TYPE = "OPENAI_API_TYPE"
    OPENAI_API_BASE = "OPENAI_API_BASE"
    OPENAI_API_KEY = "OPENAI_API_KEY"
    AZURE_OPENAI_KEY = "AZURE_OPENAI_KEY"
    AZURE_OPENAI_API_VERSION = "AZURE_OPENAI_API_VERSION"
    # The course's own: which deployment each lesson calls.
    AZURE_OPENAI_COMPLETIONS_DEPLOYMENT = "AZURE_OPENAI_COMPLETIONS_DEPLOYMENT"
    AZURE_OPENAI_CHAT_DEPLOYMENT = "AZURE_OPENAI_CHAT_DEPLOYMENT"
    AZURE_OPENAI_EMBEDDINGS_DEPLOYMENT = "AZURE_OPENAI_EMBEDDINGS_DEPLOYMENT"
    AZURE_OPENAI_RESPONSES_DEPLOYMENT = "AZURE_OPENAI_RESPONSES_DEPLOYMENT"
    AZURE_OPENAI_REASONING_DEPLOYMENT = "AZURE_OPENAI_REASONING_DEPLOYMENT"
    # Read by azure-identity's ManagedIdentityCredential (App Service and IMDS routes).
    IDENTITY_ENDPOINT = "IDENTITY_ENDPOINT"
    IDENTITY_HEADER = "IDENTITY_HEADER"
    AZURE_POD_IDENTITY_AUTHORITY_HOST = "AZURE_POD_IDENTITY_AUTHORITY_HOST"
    # Read by tiktoken: where it caches the encodings it would otherwise download.
    TIKTOKEN_CACHE_DIR = "TIKTOKEN_CACHE_DIR"
    DATA_GYM_CACHE_DIR = "DATA_GYM_CACHE_DIR"
    # Where the per-user cache directory is (the mock keeps cl100k_base parsed there).
    XDG_CACHE_HOME = "XDG_CACHE_HOME"
    LOCALAPPDATA = "LOCALAPPDATA"
    # The mock's own.
    AZURE_OPENAI_MOCK_URL = "AZURE_OPENAI_MOCK_URL"
    AZURE_OPENAI_MOCK_AZ_USER = "AZURE_OPENAI_MOCK_AZ_USER"
    AZURE_OPENAI_MOCK_TOKEN_LIFETIME = "AZURE_OPENAI_MOCK_TOKEN_LIFETIME"
    #: The recording ``tools/run_lessons.py -p mode=replay`` replays (``--replay`` wins).
    AZURE_OPENAI_MOCK_REPLAY = "AZURE_OPENAI_MOCK_REPLAY"


# Dated data-plane versions of the inference API (GA, then preview), oldest first.
GA_API_VERSIONS = ("2022-12-01", "2023-05-15", "2024-02-01", "2024-06-01", "2024-10-21")
PREVIEW_API_VERSIONS = (
    "2023-03-15-preview",
    "2023-06-01-preview", "2023-07-01-preview", "2023-08-01-preview", "2023-09-01-preview",
    "2023-12-01-preview", "2024-02-15-preview", "2024-03-01-preview", "2024-04-01-preview",
    "2024-05-01-preview", "2024-07-01-preview", "2024-08-01-preview", "2024-09-01-preview",
    "2024-10-01-preview", "2024-12-01-preview", "2025-01-01-preview", "2025-02-01-preview",
    "2025-03-01-preview", "2025-04-01-preview",
)
DATED_API_VERSIONS = frozenset(GA_API_VERSIONS + PREVIEW_API_VERSIONS)
#: The version the seed page and lessons 00-04 use.
LATEST_GA_API_VERSION = GA_API_VERSIONS[-1]
#: The dated version that carries the Responses API (``AzureOpenAI(...).responses``).
RESPONSES_API_VERSION = "2025-04-01-preview"
#: What ``/openai/v1/`` accepts as ``api-version`` (it needs none at all).
V1_API_VERSIONS = frozenset({"v1", "preview"})

COGNITIVE_SERVICES_RESOURCE = "https://cognitiveservices.azure.com"
COGNITIVE_SERVICES_SCOPE = f"{COGNITIVE_SERVICES_RESOURCE}/.default"

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def is_loopback(host: str | None) -> bool:
    """True for this machine's own addresses (where the course's mock runs)."""
    return (host or "").lower() in LOOPBACK_HOSTS


#: What an Azure key, an Entra ID token or an OpenAI key looks like, by name; nothing shaped
#: like these may reach a notebook output, a log line, an error message or a recording.
#: A JWT matches whole (header, payload and signature), so masking it leaves nothing behind.
SECRET_SHAPES = {
    "api key (32 hex characters)": re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{32}(?![0-9a-fA-F])"),
    "api key (84 characters)": re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{84}(?![A-Za-z0-9])"),
    "JWT": re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}(?:\.[A-Za-z0-9_-]*)?"),
    "OpenAI key (sk-...)": re.compile(r"sk-[A-Za-z0-9_-]{16,}"),
}
#: The two forms of an Azure OpenAI API key (a value must match one of them whole).
API_KEY_SHAPES = (SECRET_SHAPES["api key (32 hex characters)"],
                  SECRET_SHAPES["api key (84 characters)"])
