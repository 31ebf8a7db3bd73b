"""A lesson's set-up step: one call that points the SDKs at the mock or at your resource,
checks the configuration with a real call, and says what it did.

>>> from azure_llm_helpers.lesson import setup
>>> course = setup("mock", "key", chat=None)          # doctest: +SKIP
Set-up: mode='mock', auth='key'
  endpoint     the course's local mock of Azure OpenAI (AZURE_OPENAI_ENDPOINT)
  ...

This is the one place that interprets a lesson's ``mode``; everything mode-dependent in a
lesson asks the returned :class:`Course` (``course.mock``, ``course.fault(...)``).

A deployment name given as an argument wins; ``None`` takes ``AZURE_OPENAI_<KIND>_DEPLOYMENT``
(the mock's own in mock mode; your environment or ``.env`` in live mode), and for
``responses`` the chat deployment when that variable is unset. Problems stop the
lesson with the helpers' explanation and fix (:class:`SetupError`), never with a traceback
from inside an SDK. Nothing here prints a key, a token or the mock's port.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

from ._constants import (
    COGNITIVE_SERVICES_SCOPE,
    LATEST_GA_API_VERSION,
    EnvironmentVariables,
    is_loopback,
)

Mode = Literal["mock", "live", "replay"]
Auth = Literal["key", "aad"]
Kind = Literal["completions", "chat", "embeddings", "responses", "reasoning"]

ENV = EnvironmentVariables
#: the variable each kind of deployment is read from when its argument is None
DEPLOYMENT_VARIABLES: dict[str, str] = {
    kind: getattr(ENV, f"AZURE_OPENAI_{kind.upper()}_DEPLOYMENT") for kind in get_args(Kind)}
# kinds load_settings() knows and check_connection() can call with one token
_CHECKED_KINDS = ("completions", "chat", "embeddings")
# A chat deployment of a current model serves the Responses API too.
_FALLBACK = {"responses": "chat"}
_RETIRED_COMPLETIONS = (
    "gpt-35-turbo-instruct, the last completions model on Azure, is retired: lessons 05-07 "
    "teach the chat and Responses APIs that replace it")


_MOCK_ENV: dict[str, dict[str, str]] = {}


class SetupError(Exception):
    """The lesson cannot start; the message says what is wrong and how to fix it.

    In Jupyter it shows as its message alone: the fix, not a traceback.
    """

    def _render_traceback_(self) -> list[str]:  # IPython's hook for custom error display
        return [f"\x1b[31m{type(self).__name__}\x1b[0m: {self}"]


@dataclass(frozen=True, repr=False)
class Course:
    """What :func:`setup` did: the lesson reads its deployment names and auth from here."""

    mode: Mode
    auth: Auth
    api_version: str
    deployments: Mapping[str, str]
    #: keyword arguments for openai.AzureOpenAI and langchain's Azure classes: ``{}`` with a
    #: key (the SDKs read AZURE_OPENAI_API_KEY), ``{"azure_ad_token_provider": ...}`` with
    #: Entra ID
    auth_args: Mapping[str, Any] = field(default_factory=dict)
    token_provider: Callable[[], str] | None = None

    @property
    def mock(self) -> bool:
        """True when the course's mock answers (fault injection and its clock work)."""
        return self.mode == "mock"

    def __getattr__(self, kind: str) -> str:
        # course.chat, course.completions ...: the deployment names, for lesson cells
        if kind in get_args(Kind):
            try:
                return self.deployments[kind]
            except KeyError:
                raise AttributeError(f"no {kind} deployment was asked for in setup()") from None
        raise AttributeError(kind)

    @property
    def endpoint(self) -> str:
        return os.environ[ENV.AZURE_OPENAI_ENDPOINT]

    @property
    def v1_base_url(self) -> str:
        """The v1 API's base URL: ``<endpoint>openai/v1/``."""
        return self.endpoint.rstrip("/") + "/openai/v1/"

    @property
    def v1_api_key(self) -> str | Callable[[], str]:
        """What ``openai.OpenAI(api_key=...)`` takes on the v1 API: the key, or the token
        provider itself (openai >= 1.106 calls it before each request)."""
        if self.token_provider is not None:
            return self.token_provider
        return os.environ[ENV.AZURE_OPENAI_API_KEY]

    def fault(self, spec: str) -> dict[str, str]:
        """Extra headers asking the mock for a failure (``status=429; fail_first=1``...);
        nothing in live mode, where the real service decides."""
        return {"x-mock-fault": spec} if self.mock else {}

    def retirement(self, spec: str) -> dict[str, str]:
        """Headers asking the mock to enforce model retirement (``enforce``, or
        ``enforce; today=2027-03-01``); nothing in live mode, where Azure enforces it."""
        return {"x-mock-retirement": spec} if self.mock else {}

    def __repr__(self) -> str:
        names = ", ".join(f"{k}={v!r}" for k, v in self.deployments.items())
        return f"Course(mode={self.mode!r}, auth={self.auth!r}, {names})"


def setup(mode: str = "mock", auth: str = "key", *, api_version: str = LATEST_GA_API_VERSION,
          check: bool = True, quiet: bool = False, **deployments: str | None) -> Course:
    """Prepare the kernel for a lesson and check it with one tiny real call per deployment.

    ``deployments``: the kinds the lesson calls (``completions``, ``chat``, ``embeddings``,
    ``responses``, ``reasoning``), each a name or ``None`` (from its environment variable).
    Raises :class:`SetupError` with the explanation and the fix when anything is wrong.
    """
    if mode not in get_args(Mode):
        raise SetupError(f"mode={mode!r}: use 'mock' (the course's local mock), 'live' (your "
                         "own resource, configured in .env) or 'replay' (a recording, served "
                         "by `tools/run_lessons.py -p mode=replay --replay DIR`)")
    if auth not in get_args(Auth):
        raise SetupError(f"auth={auth!r}: use 'key' (API key) or 'aad' (Microsoft Entra ID "
                         "through a token provider)")
    unknown = sorted(set(deployments) - set(get_args(Kind)))
    if unknown:
        raise SetupError(f"unknown deployment kind(s) {unknown}: use {', '.join(get_args(Kind))}")
    if mode == "mock":
        source = _point_at_mock()
    elif mode == "replay":  # tools/run_lessons.py started the replaying mock and set its env
        source = dict(os.environ)
    else:
        source = _dotenv_values()
    names = {kind: name or source.get(DEPLOYMENT_VARIABLES[kind])
             or source.get(DEPLOYMENT_VARIABLES[_FALLBACK.get(kind, kind)])
             for kind, name in deployments.items()}
    settings = _settings(mode, auth, api_version, names)  # endpoint and key first
    names = _require_names(names, mode)
    _export(settings, auth)
    provider = _token_provider() if auth == "aad" else None
    course = Course(mode, auth, api_version, names,  # type: ignore[arg-type]
                    {"azure_ad_token_provider": provider} if provider else {}, provider)
    if check:
        _check(settings, provider)
        _check_current(course)
    if not quiet:
        print(_summary(course, settings.endpoint, checked=check))
    return course


def _point_at_mock() -> dict[str, str]:
    """Start (or reuse) the mock and point this kernel's environment at it, identity too."""
    from .mock import ensure_mock
    from .mock.identity import az_shim_dir

    running = ensure_mock()
    # A reused mock's variables come from os.environ, which an auth='aad' set-up stripped of
    # the key: remember the first complete set, per mock.
    env = _MOCK_ENV.setdefault(running.url, dict(running.env))
    os.environ.update(env)
    shim = str(az_shim_dir())
    if not os.environ.get("PATH", "").startswith(shim):
        os.environ["PATH"] = shim + os.pathsep + os.environ.get("PATH", "")
    return env


def _dotenv_values() -> dict[str, str]:
    """The environment over the nearest .env (as load_settings() reads them)."""
    from dotenv import dotenv_values, find_dotenv

    found = find_dotenv(usecwd=True)
    values = {k: v for k, v in dotenv_values(found).items() if v} if found else {}
    return {**values, **{k: v for k, v in os.environ.items() if v}}


def _require_names(wanted: Mapping[str, str | None], mode: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for kind, name in wanted.items():
        variable = DEPLOYMENT_VARIABLES[kind]
        if not name:
            where = ("this version of the mock deploys none" if mode == "mock" else
                     "set it in .env (Azure AI Foundry portal → your resource → Deployments, "
                     "column 'Name'), or give the lesson's parameter a name")
            retired = f". Note: {_RETIRED_COMPLETIONS}" if kind == "completions" else ""
            raise SetupError(f"no {kind} deployment: {variable} is not set; {where}{retired}")
        names[kind] = name
    return names


def _settings(mode: str, auth: str, api_version: str, names: Mapping[str, str | None]):
    from . import ConfigurationError, load_settings

    try:
        return load_settings(
            env_file=".env" if mode == "live" else None,
            auth=auth, api_version=api_version,
            **{f"{k}_deployment": v for k, v in names.items() if k in _CHECKED_KINDS and v})
    except ConfigurationError as exc:
        raise SetupError(f"{exc}\n(The lesson stopped here: fix the settings above, in .env "
                         "or the environment, then run this cell again.)") from None


def _export(settings, auth: str) -> None:
    """Put the checked values where openai.AzureOpenAI() and langchain read them."""
    os.environ[ENV.AZURE_OPENAI_ENDPOINT] = settings.endpoint
    os.environ[ENV.OPENAI_API_VERSION] = settings.api_version
    # One credential only: the SDKs silently prefer one when they find two.
    os.environ.pop(ENV.AZURE_OPENAI_AD_TOKEN, None)
    if auth == "key":
        os.environ[ENV.AZURE_OPENAI_API_KEY] = settings.api_key.reveal()
    else:
        os.environ.pop(ENV.AZURE_OPENAI_API_KEY, None)


def _token_provider() -> Callable[[], str]:
    # As lesson 01 teaches: a provider renews tokens; a fixed token would expire mid-lesson.
    from azure.identity import DefaultAzureCredential, get_bearer_token_provider

    return get_bearer_token_provider(DefaultAzureCredential(), COGNITIVE_SERVICES_SCOPE)


def _check(settings, provider) -> None:
    from . import check_connection

    diagnosis = check_connection(settings, token_provider=provider)
    if not diagnosis:
        raise SetupError(f"the first call failed, so the lesson stopped here.\n{diagnosis}")


def _check_current(course: Course) -> None:
    """One tiny v1 call to the responses and reasoning deployments (check_connection's
    dated calls do not fit them: a reasoning model refuses max_tokens)."""
    wanted = [k for k in ("responses", "reasoning") if k in course.deployments]
    if not wanted:
        return
    from openai import OpenAI

    from . import explain

    client = OpenAI(base_url=course.v1_base_url, api_key=course.v1_api_key, max_retries=0,
                    timeout=15.0)
    ping = "ping"
    for kind in wanted:
        name = course.deployments[kind]
        try:
            if kind == "responses":
                client.responses.create(model=name, input=ping, max_output_tokens=16)
            else:
                client.chat.completions.create(model=name, max_completion_tokens=16,
                                               messages=[{"role": "user", "content": ping}])
        except Exception as exc:  # every failure becomes an explanation, as in check_connection
            key = os.environ.get(ENV.AZURE_OPENAI_API_KEY, "")
            raise SetupError(f"the first call to the {kind} deployment {name!r} failed, so the "
                             f"lesson stopped here.\n{explain(exc, secrets=(key,))}") from None


def _summary(course: Course, endpoint: str, *, checked: bool) -> str:
    host = urlsplit(endpoint).hostname
    where = ("the course's local mock of Azure OpenAI" if course.mock else
             "the mock, replaying a recording" if course.mode == "replay" else
             "a server on this machine" if is_loopback(host) else f"your resource {host}")
    auth = ("API key: the SDKs read AZURE_OPENAI_API_KEY; auth_args = {}" if course.auth == "key"
            else "Microsoft Entra ID: a token provider over DefaultAzureCredential; "
            "auth_args = {'azure_ad_token_provider': ...}")
    rows = [("endpoint", f"{where} (AZURE_OPENAI_ENDPOINT)"),
            ("api-version", f"{course.api_version} (OPENAI_API_VERSION)"),
            ("auth", auth),
            ("deployments", ", ".join(f"{k}={v}" for k, v in course.deployments.items()))]
    if checked:
        rows.append(("check", "✔ each deployment answered one tiny request"))
    lines = [f"Set-up: mode={course.mode!r}, auth={course.auth!r}"]
    lines += [f"  {label:<12} {value}" for label, value in rows]
    return "\n".join(lines)
