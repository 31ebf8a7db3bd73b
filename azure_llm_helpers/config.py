"""One settings object for an Azure OpenAI resource, checked before the first call.

Values come from explicit arguments, then environment variables, then a ``.env`` file.
Every mistake found becomes one line of a :class:`ConfigurationError` that says what is
wrong, where the value came from and how to fix it (which variable, which portal page).

>>> settings = load_settings(endpoint="http://127.0.0.1:8000/", api_version="2024-10-21",
...                          api_key="0123456789abcdef0123456789abcdef", env_file=None,
...                          environ={})
>>> settings.auth, settings.endpoint
('key', 'http://127.0.0.1:8000/')
>>> settings.api_key
Secret('********')
"""

from __future__ import annotations

import difflib
import os
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args
from urllib.parse import parse_qs, urlsplit

from ._secret import Secret

AuthMode = Literal["key", "token", "entra"]
DeploymentKind = Literal["completions", "chat", "embeddings"]

# Where learners find each value (named in every message about it).
PORTAL_KEYS = ("Azure portal → your Azure OpenAI resource → Resource Management → "
               "Keys and Endpoint")
PORTAL_DEPLOYMENTS = ("Azure AI Foundry portal (ai.azure.com) → your resource → Deployments, "
                      "column 'Name'")
ROLE_HINT = ("the 'Cognitive Services OpenAI User' role on the resource (Azure portal → "
             "resource → Access control (IAM) → Add role assignment)")
VERSIONS_DOC = "https://learn.microsoft.com/azure/ai-services/openai/api-version-lifecycle"

# Data-plane versions of the inference API (GA and preview) this course knows.
GA_API_VERSIONS = ("2022-12-01", "2023-05-15", "2024-02-01", "2024-06-01", "2024-10-21")
PREVIEW_API_VERSIONS = (
    "2023-06-01-preview", "2023-07-01-preview", "2023-08-01-preview", "2023-09-01-preview",
    "2023-12-01-preview", "2024-02-15-preview", "2024-03-01-preview", "2024-04-01-preview",
    "2024-05-01-preview", "2024-07-01-preview", "2024-08-01-preview", "2024-09-01-preview",
    "2024-10-01-preview", "2024-12-01-preview", "2025-01-01-preview", "2025-02-01-preview",
    "2025-03-01-preview", "2025-04-01-preview",
)
KNOWN_API_VERSIONS = frozenset(GA_API_VERSIONS + PREVIEW_API_VERSIONS)
LATEST_GA_API_VERSION = GA_API_VERSIONS[-1]

ENV = {
    "endpoint": "AZURE_OPENAI_ENDPOINT",
    "api_version": "OPENAI_API_VERSION",
    "api_key": "AZURE_OPENAI_API_KEY",
    "ad_token": "AZURE_OPENAI_AD_TOKEN",
    "completions_deployment": "AZURE_OPENAI_COMPLETIONS_DEPLOYMENT",
    "chat_deployment": "AZURE_OPENAI_CHAT_DEPLOYMENT",
    "embeddings_deployment": "AZURE_OPENAI_EMBEDDINGS_DEPLOYMENT",
}
_OVERRIDES = (*ENV, "auth")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_AZURE_OPENAI_HOSTS = (".openai.azure.com", ".cognitiveservices.azure.com", ".openai.azure.us",
                       ".cognitiveservices.azure.us", ".openai.azure.cn",
                       ".cognitiveservices.azure.cn")
_EXAMPLE_ENDPOINT = "https://<your-resource>.openai.azure.com/"
_KEY_SHAPES = (re.compile(r"[0-9a-fA-F]{32}"), re.compile(r"[A-Za-z0-9]{84}"))
_VERSION_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}(-preview)?")
_DEPLOYMENT_SHAPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_PLACEHOLDER = re.compile(r"[<>]|your[-_ ]?(resource|key|api|deployment)|\.\.\.|xxxx",
                          re.IGNORECASE)


class ConfigurationError(ValueError):
    """The configuration has one or more problems; ``problems`` lists them, each with a fix."""

    def __init__(self, problems: list[str], notes: list[str] | None = None) -> None:
        self.problems = list(problems)
        #: lesser findings (leftover variables...) reported alongside the problems
        self.notes = list(notes or ())
        if len(problems) == 1:
            text = f"Azure OpenAI configuration problem: {problems[0]}"
        else:
            lines = "\n".join(f"  {i}. {p}" for i, p in enumerate(problems, 1))
            text = f"Azure OpenAI configuration has {len(problems)} problems:\n{lines}"
        text += "".join(f"\n  Also: {note}" for note in self.notes)
        super().__init__(text)


class ConfigurationWarning(UserWarning):
    """Something works but is probably not what you meant (e.g. a leftover variable)."""


@dataclass(frozen=True, repr=False)
class Settings:
    """Where an Azure OpenAI resource is and how to authenticate to it. Never shows a secret.

    Build it with :func:`load_settings`. ``auth`` is ``"key"`` (API key), ``"token"`` (a fixed
    Entra ID access token, which expires) or ``"entra"`` (a credential fetches fresh tokens;
    see :mod:`azure_llm_helpers.auth`).
    """

    endpoint: str
    api_version: str
    auth: AuthMode
    api_key: Secret | None = None
    ad_token: Secret | None = None
    completions_deployment: str | None = None
    chat_deployment: str | None = None
    embeddings_deployment: str | None = None
    #: True when the token came the pre-1.0 way: OPENAI_API_TYPE=azure_ad + OPENAI_API_KEY.
    legacy_azure_ad: bool = False
    warnings: tuple[str, ...] = ()
    #: setting name → where its value came from ("argument", "environment", ".env file …").
    sources: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_local(self) -> bool:
        """True for a loopback endpoint such as the course's mock."""
        return urlsplit(self.endpoint).hostname in _LOOPBACK

    def deployment(self, kind: DeploymentKind) -> str:
        """The deployment name for ``"completions"``, ``"chat"`` or ``"embeddings"``.

        Raises :class:`ConfigurationError` naming the variable to set when there is none.
        """
        if kind not in get_args(DeploymentKind):
            raise ValueError(f"kind must be one of {get_args(DeploymentKind)}, not {kind!r}")
        name = getattr(self, f"{kind}_deployment")
        if not name:
            variable = ENV[f"{kind}_deployment"]
            raise ConfigurationError([
                f"no {kind} deployment: set {variable} (or pass {kind}_deployment=...) to the "
                f"name of a {kind} model deployment. Find it in the {PORTAL_DEPLOYMENTS}; it "
                "is the name you chose when deploying, not the model's name."
            ])
        return name

    def _rows(self) -> list[tuple[str, str]]:
        rows = [("endpoint", self.endpoint), ("api_version", self.api_version)]
        auth = {"key": "API key", "token": "Entra ID token (fixed; it expires)",
                "entra": "Microsoft Entra ID (token provider)"}[self.auth]
        if self.legacy_azure_ad:
            auth += ", pre-1.0 OPENAI_API_TYPE=azure_ad route"
        rows.append(("auth", auth))
        for kind in get_args(DeploymentKind):
            name = getattr(self, f"{kind}_deployment")
            rows.append((f"{kind}_deployment", name or "(not set)"))
        return rows

    def __str__(self) -> str:
        lines = ["Azure OpenAI settings"]
        for label, value in self._rows():
            source = self.sources.get(label, "")
            lines.append(f"  {label:<23} {value}" + (f"   [{source}]" if source else ""))
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def __repr__(self) -> str:
        secret = {"key": "api_key", "token": "ad_token"}.get(self.auth)
        parts = [f"endpoint={self.endpoint!r}", f"api_version={self.api_version!r}",
                 f"auth={self.auth!r}"]
        if secret:
            parts.append(f"{secret}=Secret('********')")
        parts += [f"{k}_deployment={getattr(self, f'{k}_deployment')!r}"
                  for k in get_args(DeploymentKind)]
        return f"Settings({', '.join(parts)})"

    def _repr_pretty_(self, printer, cycle: bool) -> None:  # IPython display
        printer.text(str(self))


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
    ``api_key``, ``ad_token``, ``auth`` (``"key"``/``"token"``/``"entra"``),
    ``completions_deployment``, ``chat_deployment``, ``embeddings_deployment``.
    ``env_file``: the ``.env`` to read last (default: the nearest ``.env`` from the current
    folder upwards; ``None``: none). ``environ``: use this mapping instead of ``os.environ``.
    The ``.env`` file is only read, never copied into ``os.environ``.

    >>> s = load_settings()                            # doctest: +SKIP
    >>> s = load_settings(auth="entra", chat_deployment="gpt-4o-mini")  # doctest: +SKIP
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

    def endpoint(self) -> str | None:
        value, where = self.get("endpoint")
        if value is None:
            if not self.problems_mention(where):
                self.problems.append(self.missing_endpoint())
            return None
        problem, warning = check_endpoint(value, where)
        if warning:
            self.warnings.append(warning)
        if problem:
            self.problems.append(problem)
            return None
        return value.rstrip("/") + "/"

    def problems_mention(self, where: str) -> bool:
        return bool(where) and any(p.startswith(where) for p in self.problems)

    def missing_endpoint(self) -> str:
        old, old_where = self.raw("OPENAI_API_BASE")
        if old:
            return (f"AZURE_OPENAI_ENDPOINT is not set, but {old_where} is: that is the pre-1.0 "
                    "name, which the current openai SDK ignores. Rename OPENAI_API_BASE to "
                    "AZURE_OPENAI_ENDPOINT")
        return ("AZURE_OPENAI_ENDPOINT is not set. Copy 'Endpoint' from the "
                f"{PORTAL_KEYS} page; it looks like {_EXAMPLE_ENDPOINT}")

    def api_version(self) -> str | None:
        value, where = self.get("api_version")
        if value is None:
            if self.problems_mention(where):
                return None
            old, old_where = self.raw("AZURE_OPENAI_API_VERSION")
            if old:
                self.problems.append(
                    f"OPENAI_API_VERSION is not set, but {old_where} is: the openai SDK and "
                    "langchain-openai read only OPENAI_API_VERSION. Rename it")
            else:
                self.problems.append(
                    "OPENAI_API_VERSION is not set. Use a GA version such as "
                    f"{LATEST_GA_API_VERSION} (the list: {VERSIONS_DOC})")
            return None
        problem, warning = check_api_version(value, where)
        if warning:
            self.warnings.append(warning)
        if problem:
            self.problems.append(problem)
            return None
        return value

    def credentials(self) -> tuple[AuthMode, Secret | None, Secret | None, bool]:
        auth = self.overrides.get("auth")
        if auth is not None and auth not in get_args(AuthMode):
            self.problems.append(f"argument auth={auth!r} is not one of 'key' (API key), "
                                 "'token' (a fixed Entra ID token) or 'entra' (a credential)")
            auth = None
        key, key_where = self.get("api_key")
        token, token_where = self.get("ad_token")
        legacy = False
        api_type = (self.raw("OPENAI_API_TYPE")[0] or "").strip().lower()
        if token is None and api_type == "azure_ad":
            token, token_where = self.raw("OPENAI_API_KEY")
            if token:
                legacy = True
                token = token.strip()
                self.sources["ad_token"] = "OPENAI_API_KEY (OPENAI_API_TYPE=azure_ad)"
                self.warnings.append(
                    "OPENAI_API_TYPE=azure_ad with a token in OPENAI_API_KEY is the pre-1.0 "
                    "route: the current SDKs ignore OPENAI_API_TYPE (openai.AzureOpenAI() does "
                    "not read OPENAI_API_KEY at all; langchain sends it as an api-key). The "
                    "helpers pass it as azure_ad_token instead. The token expires (about an "
                    "hour): prefer auth='entra' with a credential")
        if legacy and key and auth is None:
            self.warnings.append(
                f"{key_where} is also set: openai.AzureOpenAI() on its own would use that key; "
                "the helpers use the token because OPENAI_API_TYPE=azure_ad")
        if auth is None:
            if key and token and not legacy:
                self.problems.append(
                    f"both an API key ({key_where}) and an Entra ID token ({token_where}) are "
                    "set: openai.AzureOpenAI() silently prefers the token, langchain the key. "
                    "Unset one of them, or pass auth='key' or auth='token'")
                return "key", None, None, legacy
            auth = "token" if token else "key" if key else None
            if auth is None:
                self.problems.append(self.missing_credential())
                return "key", None, None, legacy
        elif auth == "key" and token:
            self.warnings.append(f"{token_where} is set but auth='key': it is not used here, "
                                 "though openai.AzureOpenAI() on its own would prefer it")
        if auth == "key":
            if key is None:
                if not self.problems_mention(key_where):
                    self.problems.append(self.missing_credential())
                return auth, None, None, legacy
            problem = check_api_key(key, key_where)
            if problem:
                self.problems.append(problem)
            return auth, Secret(key), None, legacy
        if auth == "token":
            if token is None:
                self.problems.append(
                    "auth='token' but AZURE_OPENAI_AD_TOKEN is not set. Get a token with "
                    "`az account get-access-token --resource https://cognitiveservices.azure.com`"
                    ", or better, use auth='entra' with a credential that refreshes it")
                return auth, None, None, legacy
            problem = check_ad_token(token, token_where)
            if problem:
                self.problems.append(problem)
            return auth, None, Secret(token), legacy
        return "entra", None, None, legacy

    def missing_credential(self) -> str:
        for old in ("OPENAI_API_KEY", "AZURE_OPENAI_KEY"):
            value, where = self.raw(old)
            if value:
                return (f"AZURE_OPENAI_API_KEY is not set, but {where} is: openai.AzureOpenAI() "
                        f"reads only AZURE_OPENAI_API_KEY. Rename {old} to AZURE_OPENAI_API_KEY")
        return ("no credential: set AZURE_OPENAI_API_KEY to 'KEY 1' from the "
                f"{PORTAL_KEYS} page, or use Microsoft Entra ID with load_settings(auth='entra')"
                f" (your identity needs {ROLE_HINT})")

    def deployment(self, kind: str) -> str | None:
        value, where = self.get(f"{kind}_deployment")
        if value is None:
            return None
        if "://" in value or "/" in value:
            self.problems.append(f"{where} looks like a URL or path; it must be just the "
                                 f"deployment's name from the {PORTAL_DEPLOYMENTS}")
        elif _PLACEHOLDER.search(value):
            self.problems.append(f"{where} is still a placeholder: put the deployment name "
                                 f"from the {PORTAL_DEPLOYMENTS}")
        elif not _DEPLOYMENT_SHAPE.fullmatch(value):
            self.problems.append(f"{where} is not a valid deployment name (letters, digits, "
                                 "'.', '-', '_', at most 64): copy it from the "
                                 f"{PORTAL_DEPLOYMENTS}")
        else:
            return value
        return None

    def leftovers(self) -> None:
        base, base_where = self.raw("OPENAI_API_BASE")
        if base and "endpoint" in self.sources:
            self.warnings.append(f"{base_where} is a pre-1.0 leftover that the current SDK "
                                 "ignores (AZURE_OPENAI_ENDPOINT is used): remove it")
        api_type, type_where = self.raw("OPENAI_API_TYPE")
        if api_type and api_type.strip().lower() != "azure_ad":
            self.warnings.append(
                f"{type_where}={api_type.strip()!r} is a pre-1.0 leftover: the current SDK "
                "ignores it (choosing AzureOpenAI or AzureChatOpenAI is what selects Azure). "
                "Remove it")


def check_endpoint(value: str, where: str) -> tuple[str | None, str | None]:
    """(problem, warning) for an endpoint value; both None when it is fine."""
    if _PLACEHOLDER.search(value):
        return (f"{where} is still the placeholder {value!r}: replace it with 'Endpoint' from "
                f"the {PORTAL_KEYS} page"), None
    if "://" not in value:
        fixed = "https://" + value.lstrip("/").rstrip("/") + "/"
        return f"{where} must start with https:// (for example {fixed})", None
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return f"{where} must be an https:// URL such as {_EXAMPLE_ENDPOINT}", None
    wrong = _other_service(host, parts.path)
    if wrong:
        return (f"{where} points at {wrong}, not at an Azure OpenAI resource. Use the "
                f"'Endpoint' on the {PORTAL_KEYS} page ({_EXAMPLE_ENDPOINT} or "
                "https://<your-resource>.cognitiveservices.azure.com/)"), None
    local = host in _LOOPBACK
    if parts.scheme == "http" and not local:
        return (f"{where} uses http:// for {host}: Azure only answers https://. Plain http "
                "is only for a local server such as the course mock (127.0.0.1)"), None
    root = f"{parts.scheme}://{parts.netloc}/"
    path = parts.path.rstrip("/")
    known = local or host.endswith(_AZURE_OPENAI_HOSTS)
    if "/openai/deployments/" in parts.path + "/" and known:
        found = parts.path.split("/openai/deployments/", 1)[1].strip("/").split("/")[0]
        version = parse_qs(parts.query).get("api-version", [""])[0]
        extra = f" and OPENAI_API_VERSION={version}" if version else ""
        return (f"{where} is a deployment's full 'Target URI'. The endpoint is only {root}; "
                f"the deployment ({found!r}) goes in AZURE_OPENAI_CHAT_DEPLOYMENT (or the "
                f"completions/embeddings one){extra}"), None
    if path.lower() in ("/openai", "/openai/v1") and known:
        return (f"{where} ends in {parts.path!r}: remove it, the SDK appends /openai/... "
                f"itself (otherwise it calls /openai/openai/... and gets 404). Use {root}"), None
    if (path or parts.query or parts.fragment) and known:
        return (f"{where} has a path or query ({parts.path}{'?' if parts.query else ''}"
                f"{parts.query}); the endpoint is only the scheme and host: {root}"), None
    if not known:
        return None, (f"{where} ({host}) is not an Azure OpenAI host (*.openai.azure.com or "
                      "*.cognitiveservices.azure.com). Fine for a gateway such as API "
                      f"Management; otherwise copy 'Endpoint' from the {PORTAL_KEYS} page")
    return None, None


def _other_service(host: str, path: str) -> str | None:
    """The service a host belongs to when it is not Azure OpenAI (or None)."""
    if host == "openai.com" or host.endswith(".openai.com"):
        return ("OpenAI's own API (use openai.OpenAI / ChatOpenAI with OPENAI_API_KEY for "
                "that)")
    if host.endswith(".services.ai.azure.com") and path.rstrip("/").lower().startswith(
            ("/models", "/api/projects")):
        return ("the Azure AI Foundry model-inference or project endpoint (that is for the "
                "azure-ai-inference / azure-ai-projects SDKs)")
    others = {
        ".inference.ai.azure.com": "a serverless model endpoint of Azure AI Foundry",
        ".models.ai.azure.com": "a serverless model endpoint of Azure AI Foundry",
        ".search.windows.net": "Azure AI Search",
        ".vault.azure.net": "Azure Key Vault",
        ".blob.core.windows.net": "Azure Storage",
        ".api.cognitive.microsoft.com": ("a regional Cognitive Services endpoint (Azure OpenAI "
                                         "needs the resource's own custom subdomain)"),
        ".azurewebsites.net": "an Azure App Service web app",
    }
    for suffix, service in others.items():
        if host.endswith(suffix):
            return service
    if host in ("portal.azure.com", "ai.azure.com", "oai.azure.com"):
        return "a web page of the Azure portal or AI Foundry, not an API"
    if host == "management.azure.com":
        return "Azure Resource Manager (the control plane, not the inference API)"
    return None


def check_api_version(value: str, where: str) -> tuple[str | None, str | None]:
    """(problem, warning) for an api-version value."""
    if value.lower() in ("latest", "preview", "v1"):
        return (f"{where} is {value!r}: that form belongs to the v1 API used with "
                "openai.OpenAI(base_url='<endpoint>/openai/v1/'). AzureOpenAI needs a dated "
                f"version such as {LATEST_GA_API_VERSION}"), None
    if not _VERSION_SHAPE.fullmatch(value):
        hint = f" ({value.lower()}?)" if _VERSION_SHAPE.fullmatch(value.lower()) else ""
        return (f"{where} is {value!r}, which is not an API version{hint}: the form is "
                f"YYYY-MM-DD or YYYY-MM-DD-preview, for example {LATEST_GA_API_VERSION}"), None
    if value in KNOWN_API_VERSIONS:
        return None, None
    newest = max(v[:10] for v in KNOWN_API_VERSIONS)
    if value[:10] > newest:
        return None, (f"{where}={value} is newer than the versions this course knows; fine "
                      f"if Microsoft lists it ({VERSIONS_DOC})")
    close = difflib.get_close_matches(value, sorted(KNOWN_API_VERSIONS), n=2, cutoff=0.8)
    hint = f" Did you mean {' or '.join(close)}?" if close else ""
    return (f"{where}={value} is not an Azure OpenAI API version (Azure answers 'API version "
            f"not supported' or 404).{hint} Use {LATEST_GA_API_VERSION} (GA) or see "
            f"{VERSIONS_DOC}"), None


def check_api_key(key: str, where: str) -> str | None:
    """A problem with an API key's shape, described without showing the key."""
    if any(shape.fullmatch(key) for shape in _KEY_SHAPES):
        return None
    if _PLACEHOLDER.search(key):
        return f"{where} is still a placeholder: paste 'KEY 1' from the {PORTAL_KEYS} page"
    if key.startswith("sk-"):
        return (f"{where} is an OpenAI platform key (sk-...), not an Azure key: copy 'KEY 1' "
                f"from the {PORTAL_KEYS} page")
    if key.startswith("eyJ") and key.count(".") == 2:
        return (f"{where} holds an Entra ID access token, not a key: put tokens in "
                "AZURE_OPENAI_AD_TOKEN, or better use auth='entra' with a credential")
    return (f"{where} does not look like an Azure key ({len(key)} characters; Azure keys are "
            "32 hexadecimal characters, or 84 letters and digits): copy 'KEY 1' again from the "
            f"{PORTAL_KEYS} page with its copy button")


def check_ad_token(token: str, where: str) -> str | None:
    """A problem with an Entra ID token: not a JWT, expired, or for another audience."""
    from .auth import COGNITIVE_SERVICES_RESOURCE, describe_token  # PyJWT loads on use

    fetch = ("`az account get-access-token --resource https://cognitiveservices.azure.com` "
             "(or better, auth='entra' with a credential that refreshes tokens)")
    try:
        info = describe_token(token)
    except ValueError:
        return f"{where} is not an Entra ID access token (a JWT, 'eyJ...'). Get one with {fetch}"
    if info.audience and info.audience.rstrip("/") != COGNITIVE_SERVICES_RESOURCE:
        return (f"{where} is a token for {info.audience}, but Azure OpenAI needs audience "
                f"{COGNITIVE_SERVICES_RESOURCE}: request the scope "
                f"{COGNITIVE_SERVICES_RESOURCE}/.default, e.g. {fetch}")
    if info.expired:
        return f"{where} expired {-info.minutes_left:.0f} minutes ago. Get a fresh one with {fetch}"
    return None
