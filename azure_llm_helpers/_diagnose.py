"""Is the resource reachable and does it accept us? One cheap real call, and plain answers.

>>> from azure_llm_helpers import check_connection, explain
>>> check_connection()                      # doctest: +SKIP
✔ Connected: chat completion on deployment 'gpt-4o-mini-chat' ...
>>> try:                                    # doctest: +SKIP
...     client.chat.completions.create(...)
... except Exception as exc:
...     print(explain(exc))

Every text here passes through a filter that masks anything shaped like a key or a token.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from ._checks import PORTAL_DEPLOYMENTS, PORTAL_KEYS, ROLE_HINT, VERSIONS_DOC
from ._config import load_settings
from ._constants import (
    COGNITIVE_SERVICES_RESOURCE,
    COGNITIVE_SERVICES_SCOPE,
    LATEST_GA_API_VERSION,
    SECRET_SHAPES,
    EnvironmentVariables,
)
from ._settings import ConfigurationError, Settings

_E = EnvironmentVariables


Explanation = tuple[str, str, str]  # (problem, why, fix)


@dataclass(frozen=True)
class Diagnosis:
    """The outcome of :func:`check_connection` or :func:`explain`: readable in a notebook.

    ``ok`` is True when the call worked (``bool(diagnosis)`` too); otherwise ``problem`` is
    a short title, ``explanation`` says what happened and ``fix`` what to do.
    """

    ok: bool
    checked: str
    problem: str = ""
    explanation: str = ""
    fix: str = ""
    status: int | None = None
    code: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        if self.ok:
            lines = [f"✔ Connected: {self.checked}"]
            if self.explanation:
                lines.append(f"  {self.explanation}")
        else:
            lines = [f"✘ {self.problem}", f"  checked: {self.checked}",
                     f"  why:     {self.explanation}", f"  fix:     {self.fix}"]
        lines += [f"  note:    {n}" for n in self.notes]
        return "\n".join(lines)

    def _repr_pretty_(self, printer, cycle: bool) -> None:  # IPython display
        printer.text(str(self))


def check_connection(
    settings: Settings | None = None, *, deployment: str | None = None, kind: str | None = None,
    credential: Any = None, token_provider: Any = None, timeout: float = 15.0,
) -> Diagnosis:
    """Make the cheapest real calls (one token each) and explain the outcome; never raises
    for a failed call or a bad configuration, never shows a secret.

    Without ``kind``/``deployment`` it calls every deployment the settings name (chat,
    completions, embeddings), so a misspelt one is found before it is used, and reports the
    first failure; ``kind``/``deployment`` check one. Auth as in
    :func:`azure_llm_helpers.openai_client`.

    >>> print(check_connection(load_settings(), kind="completions"))   # doctest: +SKIP
    """
    try:
        settings = settings or load_settings()
    except ConfigurationError as exc:
        return Diagnosis(False, "the configuration (before any call)", "Configuration problem",
                         _redact(str(exc)), "Fix the settings listed above, then run this again.")
    configured = [k for k in _KINDS if getattr(settings, f"{k}_deployment")]
    kinds = configured if kind is None and deployment is None else [
        kind or next(iter(configured), "chat")]
    if not kinds or any(k not in _KINDS for k in kinds):
        return Diagnosis(False, "nothing (no deployment to call)", "No deployment configured",
                         "A check needs a deployment to send one tiny request to.",
                         f"Set {_E.AZURE_OPENAI_CHAT_DEPLOYMENT} (or the completions/embeddings "
                         f"one) to a deployment name from the {PORTAL_DEPLOYMENTS}.")
    how = "Entra ID credential" if credential or token_provider else _AUTH[settings.auth]
    where = f" at {settings.endpoint} (api-version {settings.api_version}, {how})"
    calls, models = [], []
    for one in kinds:
        result = _check_one(settings, one, deployment, credential, token_provider, timeout)
        if not result.ok:
            return dataclasses.replace(result, checked=result.checked + where)
        calls.append(result.checked)
        models.append(result.explanation)
    return Diagnosis(True, "; ".join(calls) + where, explanation=" ".join(models),
                     notes=settings.warnings)


_KINDS = ("chat", "completions", "embeddings")
_AUTH = {"key": "API key", "token": "fixed Entra ID token", "aad": "Entra ID credential"}


def _check_one(settings: Settings, kind: str, deployment: str | None, credential: Any,
               token_provider: Any, timeout: float) -> Diagnosis:
    """One tiny call to one deployment; ``checked`` names the operation and deployment."""
    try:
        deployment = deployment or settings.deployment(kind)  # type: ignore[arg-type]
    except ConfigurationError as exc:
        return Diagnosis(False, f"a {kind} call", "No deployment configured",
                         str(exc.problems[0]), f"See the {PORTAL_DEPLOYMENTS}.")
    operation = {"chat": "chat completion", "completions": "completion",
                 "embeddings": "embedding"}[kind]
    checked = f"{operation} on deployment {deployment!r}"
    secrets = tuple(s.reveal() for s in (settings.api_key, settings.ad_token) if s)
    try:
        from ._clients import openai_client

        client = openai_client(settings, credential=credential, token_provider=token_provider,
                               max_retries=0, timeout=timeout)
        if kind == "chat":
            response = client.chat.completions.create(
                model=deployment, messages=[{"role": "user", "content": "ping"}], max_tokens=1)
        elif kind == "completions":
            response = client.completions.create(model=deployment, prompt="ping", max_tokens=1)
        else:
            response = client.embeddings.create(model=deployment, input="ping")
    except Exception as exc:  # every failure becomes an explanation, which is the point
        found = explain(exc, secrets=secrets)
        return Diagnosis(False, checked, found.problem, found.explanation, found.fix,
                         found.status, found.code, settings.warnings)
    return Diagnosis(True, checked, explanation=f"{deployment!r} runs model {response.model}.")


def explain(exc: BaseException, *, secrets: tuple[str, ...] = ()) -> Diagnosis:
    """Turn an exception raised by openai, langchain-openai, azure-identity or these helpers
    into a short explanation and fix. Secrets (``secrets`` and anything key- or token-shaped)
    are masked.

    >>> print(explain(caught_exception))                 # doctest: +SKIP
    """
    problem, why, fix = _classify(exc)
    status = getattr(exc, "status_code", None)
    code = getattr(exc, "code", None)
    return Diagnosis(
        False, f"{type(exc).__name__}" + (f" (HTTP {status})" if status else ""),
        _redact(problem, secrets), _redact(why, secrets), _redact(fix, secrets),
        status if isinstance(status, int) else None, code if isinstance(code, str) else None)


def _classify(exc: BaseException) -> Explanation:
    names = {cls.__name__ for cls in type(exc).__mro__}
    status = getattr(exc, "status_code", None)
    body = getattr(exc, "body", None)
    message = _azure_message(body) or str(exc)
    code = str(getattr(exc, "code", "") or (body.get("code") if isinstance(body, dict) else "")
               or "")
    url = getattr(getattr(exc, "request", None), "url", None)
    if isinstance(exc, ConfigurationError):
        return "Configuration problem", str(exc), "Fix the settings listed above."
    if isinstance(status, int):
        return _http(status, code, message, url, exc)
    if "APITimeoutError" in names or "TimeoutException" in names or isinstance(exc, TimeoutError):
        return ("Timed out", "The request got no answer in time: the host accepted the "
                "connection but did not reply (a stuck proxy, a firewall, or an overloaded "
                "service).", "Check proxy/VPN settings and retry; raise timeout= if the "
                "network is just slow.")
    if "APIConnectionError" in names or "ConnectError" in names or isinstance(exc, OSError):
        return _connection(exc, url)
    if "MutuallyExclusiveAuthError" in names:
        return ("Two credentials", "The client was given more than one of api_key, "
                "azure_ad_token and azure_ad_token_provider.", "Pass exactly one.")
    if "CredentialUnavailableError" in names or "ClientAuthenticationError" in names:
        return ("No Entra ID token", "azure-identity could not get a token: "
                f"{_first_line(str(exc))}", "Run `az login` (local), or give the app a managed "
                f"identity (in Azure); then grant it {ROLE_HINT}.")
    text = str(exc)
    if "Missing credentials" in text:
        return ("No credential", "The client had neither a key nor a token.",
                f"Set {_E.AZURE_OPENAI_API_KEY} ('KEY 1' on the {PORTAL_KEYS} page) or use "
                "Entra ID (auth='aad').")
    if "api_version" in text and _E.OPENAI_API_VERSION in text:
        return ("No API version", "The client was created without an api-version.",
                f"Set {_E.OPENAI_API_VERSION}, e.g. {LATEST_GA_API_VERSION}.")
    if "content filter" in text.lower():
        return ("Blocked by the content filter", "Azure's content filter withheld the answer.",
                "Rephrase the prompt, or review the deployment's content filter settings.")
    return (f"Unexpected {type(exc).__name__}", _first_line(text),
            "Not an Azure OpenAI error this helper knows; read the traceback.")


def _http(status: int, code: str, message: str, url: Any, exc: BaseException) -> Explanation:
    if status == 401:
        return _unauthorized(code, message)
    if status == 403:
        return ("Forbidden by the resource's network rules (403)", message,
                "Allow your network on the resource's Networking page (firewall / private "
                "endpoint), or connect from an allowed network.")
    if status == 404:
        return _not_found(code, url)
    if status == 400:
        return _bad_request(code, message)
    if status == 429:
        wait = re.search(r"retry after (\d+) second", message)
        header = _header(exc, "retry-after")
        seconds = wait.group(1) if wait else header
        when = f" after {seconds} s" if seconds else ""
        return ("Rate limited (429)", "The deployment's quota (tokens or requests per minute) "
                "is used up for now (the SDK retries a 429 by itself, twice by default).",
                f"Wait and retry{when}, send fewer or smaller requests (lower max_tokens), or "
                "raise the deployment's quota: https://aka.ms/oai/quotaincrease.")
    if status >= 500:
        return (f"Service error ({status})", message, "A problem on Azure's side: retry in "
                "a minute; check Azure status if it persists.")
    return (f"HTTP {status}", message, "See the message.")


def _unauthorized(code: str, message: str) -> Explanation:
    if code == "PermissionDenied" or "lacks the required data action" in message:
        return ("Signed in, but not allowed (401 PermissionDenied)",
                f"The token is valid, but its principal has no data-plane role on this "
                f"resource: {message}", f"Grant {ROLE_HINT}. Owner or Contributor is not "
                "enough; new assignments take up to 5 minutes.")
    if "Access token" in message or "audience" in message:
        return ("Token rejected (401)", "The Entra ID token is missing, expired, from "
                f"another tenant, or for another audience (it must be "
                f"{COGNITIVE_SERVICES_RESOURCE}).", f"Request the scope "
                f"{COGNITIVE_SERVICES_SCOPE}, and use a token provider so tokens renew "
                "(describe_token() shows a token's audience and expiry).")
    if "missing subscription key" in message:
        return ("No key sent (401)", "The request carried no api-key header.",
                f"Set {_E.AZURE_OPENAI_API_KEY} from the {PORTAL_KEYS} page.")
    return ("Wrong API key (401)", "The key does not belong to this resource (or was "
            "regenerated), or the endpoint is another resource's.", "Copy 'KEY 1' and "
            f"'Endpoint' together from the same resource's {PORTAL_KEYS} page.")


def _not_found(code: str, url: Any) -> Explanation:
    path = f" ({url.path})" if url is not None and getattr(url, "path", None) else ""
    if code == "DeploymentNotFound":
        return ("Deployment not found (404)", "This resource has no deployment by that "
                "name. Deployment names are chosen when deploying, they are not model "
                "names.", f"Copy the name from the {PORTAL_DEPLOYMENTS}; a deployment "
                "created in the last 5 minutes may not be ready yet.")
    return (f"Nothing at that address (404){path}", "The URL does not exist: usually an "
            "endpoint with an extra path (such as /openai, which the SDK adds itself) or "
            "a missing/unsupported api-version.", "Use just https://<resource>.openai."
            f"azure.com/ as the endpoint and a valid {_E.OPENAI_API_VERSION} "
            f"({VERSIONS_DOC}).")


def _bad_request(code: str, message: str) -> Explanation:
    if code == "OperationNotSupported":
        return ("Wrong API for this model (400 OperationNotSupported)", message,
                "Chat models (gpt-35-turbo, gpt-4o...) need the chat API (AzureChatOpenAI,"
                " client.chat.completions); completions models (gpt-35-turbo-instruct) "
                "the completions API (AzureOpenAI, client.completions).")
    if "API version not supported" in message:
        return ("API version not supported (400)", message,
                f"Set {_E.OPENAI_API_VERSION} to a supported version, e.g. "
                f"{LATEST_GA_API_VERSION} ({VERSIONS_DOC}).")
    if code == "content_filter":
        return ("Blocked by the content filter (400)", "Azure's content filter flagged "
                "the prompt.", "Rephrase the prompt; the exception's body['innererror'] "
                "says which category fired.")
    return (f"Bad request (400{', ' + code if code else ''})", message,
            "Check the parameters named in the message.")


def _connection(exc: BaseException, url: Any) -> Explanation:
    chain = " | ".join(str(e) for e in _causes(exc))
    host = getattr(url, "host", None) or "the endpoint's host"
    if any(isinstance(e, ConnectionRefusedError) for e in _causes(exc)) or "refused" in chain:
        return ("Connection refused", f"Nothing is listening at {host}"
                f"{':' + str(url.port) if getattr(url, 'port', None) else ''}.",
                "For the course mock: start it (ensure_mock() or `make lab`) and use the "
                f"endpoint it prints; otherwise check the port in {_E.AZURE_OPENAI_ENDPOINT}.")
    if "Name or service not known" in chain or "getaddrinfo" in chain or "nodename" in chain \
            or "Temporary failure in name resolution" in chain or "gaierror" in chain:
        return ("Host name not found (DNS)", f"{host} does not resolve: a typo in the "
                "resource name, a deleted resource, or a private endpoint reachable only "
                "through your company network/VPN.", "Copy 'Endpoint' again from the "
                f"{PORTAL_KEYS} page; on a private network, connect the VPN.")
    if "CERTIFICATE" in chain.upper() or "SSL" in chain.upper():
        return ("TLS certificate problem", _first_line(chain), "A proxy is intercepting TLS: "
                "point SSL_CERT_FILE / REQUESTS_CA_BUNDLE at your company's CA bundle.")
    if "timed out" in chain.lower():
        return ("Timed out", f"No answer from {host} in time.", "Check proxy/VPN settings "
                "and retry; raise timeout= if the network is just slow.")
    return ("Cannot connect", _first_line(chain) or "The connection failed.",
            "Check the endpoint, your network and any proxy settings (HTTPS_PROXY).")


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _azure_message(body: Any) -> str:
    # Azure sends {"error": {"message"}} or, for token 401s, {"statusCode", "message"};
    # the openai SDK keeps body["error"] when present, else the whole body.
    if isinstance(body, dict):
        inner = body.get("error")
        if isinstance(inner, dict):
            body = inner
        message = body.get("message")
        if isinstance(message, str):
            return message
    return ""


def _header(exc: BaseException, name: str) -> str | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    return headers.get(name) if headers is not None else None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:300] if text.strip() else ""


def _redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "********")
    for shape in SECRET_SHAPES.values():
        text = shape.sub("********", text)
    return text
