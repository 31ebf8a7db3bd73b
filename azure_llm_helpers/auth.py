"""Authentication: API keys, Microsoft Entra ID tokens, and a look inside a token.

Three routes, in the order the course teaches them:

* **API key**: ``load_settings()`` with ``AZURE_OPENAI_API_KEY``; the SDK sends ``api-key``.
* **Token provider** (recommended for Entra ID): a credential fetches and refreshes tokens.

  >>> from azure_llm_helpers.auth import token_provider, managed_identity_or_cli_credential
  >>> provider = token_provider(managed_identity_or_cli_credential())   # doctest: +SKIP
  >>> client = openai.AzureOpenAI(azure_ad_token_provider=provider)     # doctest: +SKIP

* **A fixed token** (``AZURE_OPENAI_AD_TOKEN``, or the pre-1.0 ``OPENAI_API_TYPE=azure_ad``
  route, :func:`use_legacy_azure_ad_env`): works until the token expires, about an hour.

Nothing here prints a token; :func:`describe_token` shows only its claims.
"""

from __future__ import annotations

import inspect
import os
import time
import warnings
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ._constants import COGNITIVE_SERVICES_RESOURCE, COGNITIVE_SERVICES_SCOPE, EnvironmentVariables

if TYPE_CHECKING:  # azure-identity is imported on first use, not with the package
    from azure.identity import ChainedTokenCredential, DefaultAzureCredential


class TokenExpiryWarning(UserWarning):
    """A fixed token was handed to a client: it will stop working when it expires."""


def token_provider(credential: Any = None, *, scope: str = COGNITIVE_SERVICES_SCOPE
                   ) -> Callable[[], Any]:
    """A callable returning a fresh bearer token, for ``azure_ad_token_provider=``.

    Wraps ``azure.identity.get_bearer_token_provider``: tokens are cached and renewed
    shortly before they expire. ``credential`` defaults to :func:`default_credential`;
    an ``azure.identity.aio`` credential gives an async provider (for ``AsyncAzureOpenAI``).

    >>> provider = token_provider(AzureCliCredential())     # doctest: +SKIP
    >>> llm = AzureChatOpenAI(azure_ad_token_provider=provider)  # doctest: +SKIP
    """
    if credential is None:
        credential = default_credential()
    if inspect.iscoroutinefunction(getattr(credential, "get_token", None)):
        from azure.identity.aio import get_bearer_token_provider as get_async_provider

        return get_async_provider(credential, scope)
    from azure.identity import get_bearer_token_provider

    return get_bearer_token_provider(credential, scope)


def managed_identity_or_cli_credential() -> ChainedTokenCredential:
    """The source material's chain: managed identity when running in Azure, else ``az login``.

    ``ChainedTokenCredential(ManagedIdentityCredential(), AzureCliCredential())``; the first
    credential that returns a token is used from then on.
    """
    from azure.identity import AzureCliCredential, ChainedTokenCredential, ManagedIdentityCredential

    return ChainedTokenCredential(ManagedIdentityCredential(), AzureCliCredential())


def default_credential(**kwargs: Any) -> DefaultAzureCredential:
    """``azure.identity.DefaultAzureCredential(**kwargs)``: environment, workload identity,
    managed identity, Azure CLI and more, tried in order.

    Outside Azure with no identity variables set, its managed-identity step first probes
    169.254.169.254 (about a second); ``exclude_managed_identity_credential=True`` skips it.
    """
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential(**kwargs)


def use_legacy_azure_ad_env(
    credential: Any = None, *, environ: MutableMapping[str, str] | None = None
) -> TokenInfo:
    """The pre-1.0 route, as older tutorials teach it: fetch one token and put it in the
    environment as ``OPENAI_API_TYPE=azure_ad`` and ``OPENAI_API_KEY=<token>``.

    Kept for teaching. The token is a snapshot: when it expires (about an hour) every call
    fails with 401; a :class:`TokenExpiryWarning` says when. The current SDKs ignore
    ``OPENAI_API_TYPE``; :func:`azure_llm_helpers.load_settings` recognises the pair and the
    client factories send the token as a bearer token. Prefer :func:`token_provider`.
    Returns the token's description (never the token).
    """
    environ = os.environ if environ is None else environ
    credential = default_credential() if credential is None else credential
    access = credential.get_token(COGNITIVE_SERVICES_SCOPE)
    environ[EnvironmentVariables.OPENAI_API_TYPE] = "azure_ad"
    environ[EnvironmentVariables.OPENAI_API_KEY] = access.token
    info = describe_token(access)
    warnings.warn(
        f"this token expires at {info.expires_at:%H:%M} UTC (in {info.minutes_left:.0f} "
        "minutes); after that every call fails with 401. Use token_provider(credential) for "
        "tokens that renew themselves", TokenExpiryWarning, stacklevel=2)
    return info


@dataclass(frozen=True)
class TokenInfo:
    """What a JWT access token says about itself (read, not verified). No token inside."""

    audience: str | None
    issuer: str | None
    tenant_id: str | None
    principal_id: str | None
    principal_name: str | None
    principal_kind: str
    scopes: tuple[str, ...]
    roles: tuple[str, ...]
    issued_at: datetime | None
    expires_at: datetime | None
    minutes_left: float
    algorithm: str | None

    @property
    def expired(self) -> bool:
        return self.minutes_left <= 0

    @property
    def for_azure_openai(self) -> bool:
        """True when the audience is Azure OpenAI's (Cognitive Services)."""
        return (self.audience or "").rstrip("/") == COGNITIVE_SERVICES_RESOURCE

    def __str__(self) -> str:
        left = (f"expired {-self.minutes_left:.0f} min ago" if self.expired
                else f"{self.minutes_left:.0f} min left")
        rows = [
            ("audience", f"{self.audience}"
             + ("" if self.for_azure_openai else "  (Azure OpenAI needs "
                f"{COGNITIVE_SERVICES_RESOURCE})")),
            ("principal", f"{self.principal_kind}: {self.principal_name or '-'}"
             f" (object id {self.principal_id or '-'})"),
            ("tenant", self.tenant_id or "-"),
            ("issuer", self.issuer or "-"),
            ("scopes", " ".join(self.scopes) or "-"),
            ("expires", f"{self.expires_at:%Y-%m-%d %H:%M} UTC ({left})"
             if self.expires_at else "-"),
            ("signed with", self.algorithm or "-"),
        ]
        return "Access token (claims only)\n" + "\n".join(f"  {k:<11} {v}" for k, v in rows)

    def _repr_pretty_(self, printer, cycle: bool) -> None:  # IPython display
        printer.text(str(self))


def describe_token(token: Any, *, now: float | None = None) -> TokenInfo:
    """Read a JWT access token's claims for teaching: audience, principal, minutes to expiry.

    ``token`` is the string or an ``AccessToken`` (anything with ``.token``). The signature
    is not verified: this explains a token, it does not trust one. Raises ``ValueError``
    (without the token in the message) when it is not a JWT.

    >>> print(describe_token(credential.get_token(COGNITIVE_SERVICES_SCOPE)))  # doctest: +SKIP
    """
    import jwt  # PyJWT, imported on use

    text = getattr(token, "token", token)
    if not isinstance(text, str) or text.count(".") != 2:
        raise ValueError("not a JWT access token: expected three base64url parts separated by "
                         "dots (Entra ID tokens start with 'eyJ')")
    try:
        header = jwt.get_unverified_header(text)
        claims = jwt.decode(text, options={"verify_signature": False, "verify_exp": False,
                                           "verify_aud": False, "verify_iat": False,
                                           "verify_nbf": False})
    except jwt.PyJWTError:
        raise ValueError("not a JWT access token: its parts do not decode") from None
    now = time.time() if now is None else now
    exp, iat = claims.get("exp"), claims.get("iat")
    audience = claims.get("aud")
    if isinstance(audience, list):
        audience = " ".join(audience)
    scopes = tuple(str(claims.get("scp", "")).split())
    if scopes or any(k in claims for k in ("upn", "unique_name", "preferred_username")):
        kind = "user"
    elif "xms_mirid" in claims:
        kind = "managed identity"
    else:
        kind = "application (service principal or managed identity)"
    name = next((claims[k] for k in ("upn", "unique_name", "preferred_username", "name",
                                     "appid", "azp") if claims.get(k)), None)
    return TokenInfo(
        audience=audience, issuer=claims.get("iss"), tenant_id=claims.get("tid"),
        principal_id=claims.get("oid"), principal_name=name, principal_kind=kind,
        scopes=scopes, roles=tuple(claims.get("roles", ())),
        issued_at=datetime.fromtimestamp(iat, UTC) if isinstance(iat, int | float) else None,
        expires_at=datetime.fromtimestamp(exp, UTC) if isinstance(exp, int | float) else None,
        minutes_left=(exp - now) / 60 if isinstance(exp, int | float) else float("inf"),
        algorithm=header.get("alg"),
    )
