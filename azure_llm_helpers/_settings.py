"""What an Azure OpenAI resource's settings are: the :class:`Settings` value and its errors.

:func:`azure_llm_helpers.load_settings` builds one (:mod:`azure_llm_helpers._config`); this
module only says what a finished one holds and how it shows itself, never with a secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args
from urllib.parse import urlsplit

from ._checks import PORTAL_DEPLOYMENTS
from ._constants import EnvironmentVariables, is_loopback
from ._secret import Secret

AuthMode = Literal["key", "token", "aad"]
DeploymentKind = Literal["completions", "chat", "embeddings"]

_E = EnvironmentVariables
#: setting name -> the environment variable it is read from
ENV = {
    "endpoint": _E.AZURE_OPENAI_ENDPOINT,
    "api_version": _E.OPENAI_API_VERSION,
    "api_key": _E.AZURE_OPENAI_API_KEY,
    "ad_token": _E.AZURE_OPENAI_AD_TOKEN,
    "completions_deployment": _E.AZURE_OPENAI_COMPLETIONS_DEPLOYMENT,
    "chat_deployment": _E.AZURE_OPENAI_CHAT_DEPLOYMENT,
    "embeddings_deployment": _E.AZURE_OPENAI_EMBEDDINGS_DEPLOYMENT,
}


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
    Entra ID access token, which expires) or ``"aad"`` (Microsoft Entra ID: a credential
    fetches fresh tokens; see :mod:`azure_llm_helpers.auth`). The lessons' ``auth`` parameter
    and lesson 00's form use the same words.
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
        return is_loopback(urlsplit(self.endpoint).hostname)

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
                "aad": "Microsoft Entra ID (token provider)"}[self.auth]
        if self.legacy_azure_ad:
            auth += f", pre-1.0 {_E.OPENAI_API_TYPE}=azure_ad route"
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
