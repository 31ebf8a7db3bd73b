"""One settings object for an Azure OpenAI resource, checked before the first call.

Values come from explicit arguments, then environment variables, then a ``.env`` file.
Every mistake found becomes one line of a :class:`ConfigurationError` that says what is
wrong, where the value came from and how to fix it (which variable, which portal page).
This module finds the values and their sources; :mod:`azure_llm_helpers._checks` judges them.

>>> settings = load_settings(endpoint="http://127.0.0.1:8000/", api_version="2024-10-21",
...                          api_key="0123456789abcdef0123456789abcdef", env_file=None,
...                          environ={})
>>> settings.auth, settings.endpoint
('key', 'http://127.0.0.1:8000/')
>>> settings.api_key
Secret('********')
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import get_args

from ._checks import (
    AZ_GET_TOKEN,
    EXAMPLE_ENDPOINT,
    PORTAL_KEYS,
    ROLE_HINT,
    VERSIONS_DOC,
    check_ad_token,
    check_api_key,
    check_api_version,
    check_deployment,
    check_endpoint,
)
from ._constants import LATEST_GA_API_VERSION, EnvironmentVariables
from ._secret import Secret
from ._settings import (
    ENV,
    AuthMode,
    ConfigurationError,
    ConfigurationWarning,
    DeploymentKind,
    Settings,
)

_E = EnvironmentVariables
#: a check of one value: (value, where it came from) -> (problem, warning)
Check = Callable[[str, str], tuple[str | None, str | None]]
_OVERRIDES = (*ENV, "auth")
_DEFAULT_ENV_FILE = ".env"


def load_settings(
    *,
    env_file: str | os.PathLike[str] | None = _DEFAULT_ENV_FILE,
    environ: Mapping[str, str] | None = None,
    **overrides: str | None,
) -> Settings:
    """Read, check and return the settings; raise :class:`ConfigurationError` listing every
    problem found, each with its fix.

    Keyword overrides (each beats its environment variable): ``endpoint``, ``api_version``,
    ``api_key``, ``ad_token``, ``auth`` (``"key"``/``"token"``/``"aad"``),
    ``completions_deployment``, ``chat_deployment``, ``embeddings_deployment``.
    ``env_file``: the ``.env`` to read last (default: the nearest ``.env`` from the current
    folder upwards; ``None``: none). ``environ``: use this mapping instead of ``os.environ``.
    The ``.env`` file is only read, never copied into ``os.environ``.

    >>> s = load_settings()                            # doctest: +SKIP
    >>> s = load_settings(auth="aad", chat_deployment="gpt-4o-mini")  # doctest: +SKIP
    """
    unknown = sorted(set(overrides) - set(_OVERRIDES))
    if unknown:
        raise ConfigurationError([
            f"unknown setting(s) {', '.join(unknown)}: load_settings() accepts "
            f"{', '.join(_OVERRIDES)} (and env_file=, environ=)"
        ])
    env = os.environ if environ is None else environ
    file_values, file_label, file_problem = _read_env_file(env_file)
    return _Resolver(overrides, env, file_values, file_label, file_problem).build()


def _read_env_file(env_file) -> tuple[dict[str, str], str, str | None]:
    if env_file is None:
        return {}, "", None
    from dotenv import dotenv_values, find_dotenv  # imported on use: keeps the package light

    if env_file == _DEFAULT_ENV_FILE:
        found = find_dotenv(usecwd=True)
        if not found:
            return {}, "", None
        path = Path(found)
    else:
        path = Path(env_file)
        if not path.is_file():
            return {}, "", (f"env_file {str(path)!r} does not exist; copy .env.example to .env "
                            "and fill it in, or pass env_file=None")
    values = {k: v for k, v in dotenv_values(path).items() if v is not None}
    return values, f".env file {path}", None


class _Resolver:
    """Collects values with their sources, then problems and warnings, then builds Settings."""

    def __init__(self, overrides, env, file_values, file_label, file_problem) -> None:
        self.overrides = {k: v for k, v in overrides.items() if v is not None}
        self.env = env
        self.file_values = file_values
        self.file_label = file_label
        self.problems: list[str] = [file_problem] if file_problem else []
        self.warnings: list[str] = []
        self.sources: dict[str, str] = {}

    # -- reading -------------------------------------------------------------------------
    def raw(self, variable: str) -> tuple[str | None, str]:
        """A variable from the environment or the .env file, with where it came from."""
        value = self.env.get(variable)
        if value:
            return value, f"environment variable {variable}"
        value = self.file_values.get(variable)
        if value:
            return value, f"{variable} in {self.file_label}"
        return None, ""

    def get(self, name: str) -> tuple[str | None, str]:
        """A setting: the argument, else its variable. Surrounding blanks are dropped."""
        if name in self.overrides:
            value, where = str(self.overrides[name]), f"argument {name}="
            self.sources[name] = "argument"
        else:
            value, where = self.raw(ENV[name])
            if value is not None:
                self.sources[name] = "environment" if where.startswith("env") else self.file_label
        if value is not None and value != value.strip():
            self.warnings.append(f"{where} has spaces or line breaks around it; they were "
                                 "removed here, but SDKs reading the variable directly keep them")
            value = value.strip()
        if value is not None and len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            self.problems.append(f"{where} is wrapped in quotes, which became part of the "
                                 "value: remove the quotes")
            return None, where
        return (value or None), where

    # -- building ------------------------------------------------------------------------
    def build(self) -> Settings:
        endpoint = self.endpoint()
        api_version = self.api_version()
        auth, api_key, ad_token, legacy = self.credentials()
        deployments = {kind: self.deployment(kind) for kind in get_args(DeploymentKind)}
        self.leftovers()
        if self.problems:
            raise ConfigurationError(self.problems, self.warnings)
        for message in self.warnings:
            warnings.warn(message, ConfigurationWarning, stacklevel=3)
        # Sources are keyed by the labels Settings prints.
        sources = {("auth" if k in ("api_key", "ad_token") else k): v
                   for k, v in self.sources.items()}
        return Settings(
            endpoint=endpoint or "", api_version=api_version or "", auth=auth,
            api_key=api_key, ad_token=ad_token, legacy_azure_ad=legacy,
            completions_deployment=deployments["completions"],
            chat_deployment=deployments["chat"], embeddings_deployment=deployments["embeddings"],
            warnings=tuple(self.warnings), sources=sources,
        )

    def required(self, name: str, missing: Callable[[], str], check: Check) -> str | None:
        """A setting that must be there: its value once ``check`` passes it, else None (and a
        problem: ``missing()``, unless reading the value already reported one)."""
        value, where = self.get(name)
        if value is None:
            if not self.problems_mention(where):
                self.problems.append(missing())
            return None
        return value if self.judged(check(value, where)) else None

    def endpoint(self) -> str | None:
        value = self.required("endpoint", self.missing_endpoint, check_endpoint)
        return value.rstrip("/") + "/" if value else None

    def problems_mention(self, where: str) -> bool:
        return bool(where) and any(p.startswith(where) for p in self.problems)

    def missing_endpoint(self) -> str:
        old, old_where = self.raw(_E.OPENAI_API_BASE)
        if old:
            return (f"{_E.AZURE_OPENAI_ENDPOINT} is not set, but {old_where} is: that is the "
                    "pre-1.0 name, which the current openai SDK ignores. Rename "
                    f"{_E.OPENAI_API_BASE} to {_E.AZURE_OPENAI_ENDPOINT}")
        return (f"{_E.AZURE_OPENAI_ENDPOINT} is not set. Copy 'Endpoint' from the "
                f"{PORTAL_KEYS} page; it looks like {EXAMPLE_ENDPOINT}")

    def api_version(self) -> str | None:
        return self.required("api_version", self.missing_api_version, check_api_version)

    def missing_api_version(self) -> str:
        old, old_where = self.raw(_E.AZURE_OPENAI_API_VERSION)
        if old:
            return (f"{_E.OPENAI_API_VERSION} is not set, but {old_where} is: the openai SDK "
                    f"and langchain-openai read only {_E.OPENAI_API_VERSION}. Rename it")
        return (f"{_E.OPENAI_API_VERSION} is not set. Use a GA version such as "
                f"{LATEST_GA_API_VERSION} (the list: {VERSIONS_DOC})")

    def credentials(self) -> tuple[AuthMode, Secret | None, Secret | None, bool]:
        """(auth mode, key, token, whether the token came the pre-1.0 way)."""
        auth = self.overrides.get("auth")
        if auth == "entra":  # this helper's earlier name for "aad", still understood
            auth = "aad"
        if auth is not None and auth not in get_args(AuthMode):
            self.problems.append(f"argument auth={auth!r} is not one of 'key' (API key), "
                                 "'token' (a fixed Entra ID token) or 'aad' (Microsoft Entra ID "
                                 "through a credential)")
            auth = None
        key, key_where = self.get("api_key")
        token, token_where, legacy = self.token()
        if legacy and key and auth is None:
            self.warnings.append(
                f"{key_where} is also set: openai.AzureOpenAI() on its own would use that key; "
                f"the helpers use the token because {_E.OPENAI_API_TYPE}=azure_ad")
        if auth is None:
            auth = self.implied_auth(key, key_where, token, token_where, legacy)
            if auth is None:
                return "key", None, None, legacy
        elif auth == "key" and token:
            self.warnings.append(f"{token_where} is set but auth='key': it is not used here, "
                                 "though openai.AzureOpenAI() on its own would prefer it")
        if auth == "key":
            return auth, self.checked_key(key, key_where), None, legacy
        if auth == "token":
            return auth, None, self.checked_token(token, token_where), legacy
        return "aad", None, None, legacy

    def token(self) -> tuple[str | None, str, bool]:
        """The fixed token, where it came from, and whether that was the pre-1.0 route."""
        token, where = self.get("ad_token")
        api_type = (self.raw(_E.OPENAI_API_TYPE)[0] or "").strip().lower()
        if token is not None or api_type != "azure_ad":
            return token, where, False
        token, where = self.raw(_E.OPENAI_API_KEY)
        if not token:
            return None, where, False
        self.sources["ad_token"] = f"{_E.OPENAI_API_KEY} ({_E.OPENAI_API_TYPE}=azure_ad)"
        self.warnings.append(
            f"{_E.OPENAI_API_TYPE}=azure_ad with a token in {_E.OPENAI_API_KEY} is the pre-1.0 "
            f"route: the current SDKs ignore {_E.OPENAI_API_TYPE} (openai.AzureOpenAI() does "
            f"not read {_E.OPENAI_API_KEY} at all; langchain sends it as an api-key). The "
            "helpers pass it as azure_ad_token instead. The token expires (about an "
            "hour): prefer auth='aad' with a credential")
        return token.strip(), where, True

    def implied_auth(self, key: str | None, key_where: str, token: str | None,
                     token_where: str, legacy: bool) -> AuthMode | None:
        """The mode the values imply when none was asked for (None: a problem was noted)."""
        if key and token and not legacy:
            self.problems.append(
                f"both an API key ({key_where}) and an Entra ID token ({token_where}) are "
                "set: openai.AzureOpenAI() silently prefers the token, langchain the key. "
                "Unset one of them, or pass auth='key' or auth='token'")
            return None
        if token:
            return "token"
        if key:
            return "key"
        self.problems.append(self.missing_credential())
        return None

    def checked_key(self, key: str | None, where: str) -> Secret | None:
        if key is None:
            if not self.problems_mention(where):
                self.problems.append(self.missing_credential())
            return None
        self.note(check_api_key(key, where))
        return Secret(key)

    def checked_token(self, token: str | None, where: str) -> Secret | None:
        if token is None:
            self.problems.append(
                f"auth='token' but {_E.AZURE_OPENAI_AD_TOKEN} is not set. Get a token with "
                f"{AZ_GET_TOKEN}, or better, use auth='aad' with a credential that "
                "refreshes it")
            return None
        self.note(check_ad_token(token, where))
        return Secret(token)

    def note(self, problem: str | None) -> None:
        if problem:
            self.problems.append(problem)

    def judged(self, verdict: tuple[str | None, str | None]) -> bool:
        """Record a check's (problem, warning); True when there is no problem."""
        problem, warning = verdict
        if warning:
            self.warnings.append(warning)
        self.note(problem)
        return problem is None

    def missing_credential(self) -> str:
        wanted = _E.AZURE_OPENAI_API_KEY
        for old in (_E.OPENAI_API_KEY, _E.AZURE_OPENAI_KEY):
            value, where = self.raw(old)
            if value:
                return (f"{wanted} is not set, but {where} is: openai.AzureOpenAI() reads only "
                        f"{wanted}. Rename {old} to {wanted}")
        return (f"no credential: set {wanted} to 'KEY 1' from the {PORTAL_KEYS} page, or use "
                f"Microsoft Entra ID with load_settings(auth='aad') (your identity needs "
                f"{ROLE_HINT})")

    def deployment(self, kind: str) -> str | None:
        value, where = self.get(f"{kind}_deployment")
        if value is None:
            return None
        problem = check_deployment(value, where)
        self.note(problem)
        return None if problem else value

    def leftovers(self) -> None:
        base, base_where = self.raw(_E.OPENAI_API_BASE)
        if base and "endpoint" in self.sources:
            self.warnings.append(f"{base_where} is a pre-1.0 leftover that the current SDK "
                                 f"ignores ({_E.AZURE_OPENAI_ENDPOINT} is used): remove it")
        api_type, type_where = self.raw(_E.OPENAI_API_TYPE)
        if api_type and api_type.strip().lower() != "azure_ad":
            self.warnings.append(
                f"{type_where}={api_type.strip()!r} is a pre-1.0 leftover: the current SDK "
                "ignores it (choosing AzureOpenAI or AzureChatOpenAI is what selects Azure). "
                "Remove it")
