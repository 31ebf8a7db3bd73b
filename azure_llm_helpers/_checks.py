"""Judging one configuration value: what is wrong with it and how to fix it.

Each check takes the value and ``where`` (how the value reached us, e.g. "environment
variable AZURE_OPENAI_ENDPOINT") and returns a message naming both the mistake and the fix,
or ``None``. No message ever repeats a key or a token. :mod:`azure_llm_helpers._config`
decides where values come from and calls these.

>>> check_api_version("2024-10-21", "OPENAI_API_VERSION")
(None, None)
>>> check_deployment("gpt 4o", "argument chat_deployment=")[:45]
'argument chat_deployment= is not a valid depl'
"""

from __future__ import annotations

import difflib
import re
from urllib.parse import SplitResult, parse_qs, urlsplit

from ._constants import (
    API_KEY_SHAPES,
    COGNITIVE_SERVICES_RESOURCE,
    COGNITIVE_SERVICES_SCOPE,
    DATED_API_VERSIONS,
    LATEST_GA_API_VERSION,
    V1_API_VERSIONS,
    EnvironmentVariables,
    is_loopback,
)

# Where learners find each value (named in every message about it).
PORTAL_KEYS = ("Azure portal → your Azure OpenAI resource → Resource Management → "
               "Keys and Endpoint")
PORTAL_DEPLOYMENTS = ("Azure AI Foundry portal (ai.azure.com) → your resource → Deployments, "
                      "column 'Name'")
ROLE_HINT = ("the 'Cognitive Services OpenAI User' role on the resource (Azure portal → "
             "resource → Access control (IAM) → Add role assignment)")
VERSIONS_DOC = "https://learn.microsoft.com/azure/ai-services/openai/api-version-lifecycle"
EXAMPLE_ENDPOINT = "https://<your-resource>.openai.azure.com/"
#: The command that prints a token for Azure OpenAI.
AZ_GET_TOKEN = f"`az account get-access-token --resource {COGNITIVE_SERVICES_RESOURCE}`"

_E = EnvironmentVariables
_AZURE_OPENAI_HOSTS = (".openai.azure.com", ".cognitiveservices.azure.com", ".openai.azure.us",
                       ".cognitiveservices.azure.us", ".openai.azure.cn",
                       ".cognitiveservices.azure.cn")
_VERSION_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}(-preview)?")
_DEPLOYMENT_SHAPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_PLACEHOLDER = re.compile(r"[<>]|your[-_ ]?(resource|key|api|deployment)|\.\.\.|xxxx",
                          re.IGNORECASE)
# Hosts that are real Azure (or OpenAI) services, but not an Azure OpenAI resource.
_OTHER_SERVICES = {
    ".inference.ai.azure.com": "a serverless model endpoint of Azure AI Foundry",
    ".models.ai.azure.com": "a serverless model endpoint of Azure AI Foundry",
    ".search.windows.net": "Azure AI Search",
    ".vault.azure.net": "Azure Key Vault",
    ".blob.core.windows.net": "Azure Storage",
    ".api.cognitive.microsoft.com": ("a regional Cognitive Services endpoint (Azure OpenAI "
                                     "needs the resource's own custom subdomain)"),
    ".azurewebsites.net": "an Azure App Service web app",
}


def is_placeholder(value: str) -> bool:
    """True for a value still holding a template's text (``<your-resource>``, ``...``)."""
    return bool(_PLACEHOLDER.search(value))


def check_endpoint(value: str, where: str) -> tuple[str | None, str | None]:
    """(problem, warning) for an endpoint value; both None when it is fine."""
    if is_placeholder(value):
        return (f"{where} is still the placeholder {value!r}: replace it with 'Endpoint' from "
                f"the {PORTAL_KEYS} page"), None
    if "://" not in value:
        fixed = "https://" + value.lstrip("/").rstrip("/") + "/"
        return f"{where} must start with https:// (for example {fixed})", None
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return f"{where} must be an https:// URL such as {EXAMPLE_ENDPOINT}", None
    wrong = _other_service(host, parts.path)
    if wrong:
        return (f"{where} points at {wrong}, not at an Azure OpenAI resource. Use the "
                f"'Endpoint' on the {PORTAL_KEYS} page ({EXAMPLE_ENDPOINT} or "
                "https://<your-resource>.cognitiveservices.azure.com/)"), None
    local = is_loopback(host)
    if parts.scheme == "http" and not local:
        return (f"{where} uses http:// for {host}: Azure only answers https://. Plain http "
                "is only for a local server such as the course mock (127.0.0.1)"), None
    if not (local or host.endswith(_AZURE_OPENAI_HOSTS)):
        return None, (f"{where} ({host}) is not an Azure OpenAI host (*.openai.azure.com or "
                      "*.cognitiveservices.azure.com). Fine for a gateway such as API "
                      f"Management; otherwise copy 'Endpoint' from the {PORTAL_KEYS} page")
    return _extra_path(parts, where), None


def _extra_path(parts: SplitResult, where: str) -> str | None:
    """The problem with anything after an Azure OpenAI endpoint's host (or None)."""
    root = f"{parts.scheme}://{parts.netloc}/"
    path = parts.path.rstrip("/")
    if "/openai/deployments/" in parts.path + "/":
        found = parts.path.split("/openai/deployments/", 1)[1].strip("/").split("/")[0]
        version = parse_qs(parts.query).get("api-version", [""])[0]
        extra = f" and {_E.OPENAI_API_VERSION}={version}" if version else ""
        return (f"{where} is a deployment's full 'Target URI'. The endpoint is only {root}; "
                f"the deployment ({found!r}) goes in {_E.AZURE_OPENAI_CHAT_DEPLOYMENT} (or the "
                f"completions/embeddings one){extra}")
    if path.lower() in ("/openai", "/openai/v1"):
        return (f"{where} ends in {parts.path!r}: remove it, the SDK appends /openai/... "
                f"itself (otherwise it calls /openai/openai/... and gets 404). Use {root}")
    if path or parts.query or parts.fragment:
        return (f"{where} has a path or query ({parts.path}{'?' if parts.query else ''}"
                f"{parts.query}); the endpoint is only the scheme and host: {root}")
    return None


def _other_service(host: str, path: str) -> str | None:
    """The service a host belongs to when it is not Azure OpenAI (or None)."""
    if host == "openai.com" or host.endswith(".openai.com"):
        return (f"OpenAI's own API (use openai.OpenAI / ChatOpenAI with {_E.OPENAI_API_KEY} "
                "for that)")
    if host.endswith(".services.ai.azure.com") and path.rstrip("/").lower().startswith(
            ("/models", "/api/projects")):
        return ("the Azure AI Foundry model-inference or project endpoint (that is for the "
                "azure-ai-inference / azure-ai-projects SDKs)")
    for suffix, service in _OTHER_SERVICES.items():
        if host.endswith(suffix):
            return service
    if host in ("portal.azure.com", "ai.azure.com", "oai.azure.com"):
        return "a web page of the Azure portal or AI Foundry, not an API"
    if host == "management.azure.com":
        return "Azure Resource Manager (the control plane, not the inference API)"
    return None


def check_api_version(value: str, where: str) -> tuple[str | None, str | None]:
    """(problem, warning) for an api-version value."""
    if value.lower() in V1_API_VERSIONS | {"latest"}:
        return (f"{where} is {value!r}: that form belongs to the v1 API used with "
                "openai.OpenAI(base_url='<endpoint>/openai/v1/'). AzureOpenAI needs a dated "
                f"version such as {LATEST_GA_API_VERSION}"), None
    if not _VERSION_SHAPE.fullmatch(value):
        hint = f" ({value.lower()}?)" if _VERSION_SHAPE.fullmatch(value.lower()) else ""
        return (f"{where} is {value!r}, which is not an API version{hint}: the form is "
                f"YYYY-MM-DD or YYYY-MM-DD-preview, for example {LATEST_GA_API_VERSION}"), None
    if value in DATED_API_VERSIONS:
        return None, None
    newest = max(v[:10] for v in DATED_API_VERSIONS)
    if value[:10] > newest:
        return None, (f"{where}={value} is newer than the versions this course knows; fine "
                      f"if Microsoft lists it ({VERSIONS_DOC})")
    close = difflib.get_close_matches(value, sorted(DATED_API_VERSIONS), n=2, cutoff=0.8)
    hint = f" Did you mean {' or '.join(close)}?" if close else ""
    return (f"{where}={value} is not an Azure OpenAI API version (Azure answers 'API version "
            f"not supported' or 404).{hint} Use {LATEST_GA_API_VERSION} (GA) or see "
            f"{VERSIONS_DOC}"), None


def check_api_key(key: str, where: str) -> str | None:
    """A problem with an API key's shape, described without showing the key."""
    if any(shape.fullmatch(key) for shape in API_KEY_SHAPES):
        return None
    if is_placeholder(key):
        return f"{where} is still a placeholder: paste 'KEY 1' from the {PORTAL_KEYS} page"
    if key.startswith("sk-"):
        return (f"{where} is an OpenAI platform key (sk-...), not an Azure key: copy 'KEY 1' "
                f"from the {PORTAL_KEYS} page")
    if key.startswith("eyJ") and key.count(".") == 2:
        return (f"{where} holds an Entra ID access token, not a key: put tokens in "
                f"{_E.AZURE_OPENAI_AD_TOKEN}, or better use auth='aad' with a credential")
    return (f"{where} does not look like an Azure key ({len(key)} characters; Azure keys are "
            "32 hexadecimal characters, or 84 letters and digits): copy 'KEY 1' again from the "
            f"{PORTAL_KEYS} page with its copy button")


def check_ad_token(token: str, where: str) -> str | None:
    """A problem with an Entra ID token: not a JWT, expired, or for another audience."""
    from .auth import describe_token  # PyJWT loads on use

    fetch = f"{AZ_GET_TOKEN} (or better, auth='aad' with a credential that refreshes tokens)"
    try:
        info = describe_token(token)
    except ValueError:
        return f"{where} is not an Entra ID access token (a JWT, 'eyJ...'). Get one with {fetch}"
    if info.audience and not info.for_azure_openai:
        return (f"{where} is a token for {info.audience}, but Azure OpenAI needs audience "
                f"{COGNITIVE_SERVICES_RESOURCE}: request the scope "
                f"{COGNITIVE_SERVICES_SCOPE}, e.g. {fetch}")
    if info.expired:
        return f"{where} expired {-info.minutes_left:.0f} minutes ago. Get a fresh one with {fetch}"
    return None


def check_deployment(value: str, where: str) -> str | None:
    """A problem with a deployment name (a URL, a placeholder, characters Azure refuses)."""
    if "://" in value or "/" in value:
        return (f"{where} looks like a URL or path; it must be just the deployment's name "
                f"from the {PORTAL_DEPLOYMENTS}")
    if is_placeholder(value):
        return (f"{where} is still a placeholder: put the deployment name from the "
                f"{PORTAL_DEPLOYMENTS}")
    if not _DEPLOYMENT_SHAPE.fullmatch(value):
        return (f"{where} is not a valid deployment name (letters, digits, '.', '-', '_', at "
                f"most 64): copy it from the {PORTAL_DEPLOYMENTS}")
    return None
