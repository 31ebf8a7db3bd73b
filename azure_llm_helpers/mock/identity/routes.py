"""The identity side's HTTP routes: managed-identity token endpoints, the key set, the CLI's route.

- ``GET /msi/token`` — App Service style (``IDENTITY_ENDPOINT``).
- ``GET /metadata/identity/oauth2/token`` — IMDS style (``AZURE_POD_IDENTITY_AUTHORITY_HOST``;
  both in docs/fidelity.md, "Identity"). By default it answers like a machine *without* a
  managed identity (a laptop).
- ``GET /{tenant}/discovery/v2.0/keys`` and ``/{tenant}/.well-known/openid-configuration``.
- ``GET /mock-identity/cli/token`` and ``/mock-identity/cli/account`` — what the ``az`` shim asks.

Every token route takes an optional ``token_lifetime=<seconds>`` query parameter that asks
for a shorter-lived token (capped at the configured lifetime): the course's way to show
token expiry in seconds.

A handler takes the ``IdentityState`` and a plain ``IdentityRequest`` and returns the JSON
body of a 200, or raises ``AzureError`` with the body that route's real service sends
(each of them words its 400 differently); ``asgi.py`` routes and renders them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..errors import AzureError
from .settings import IdentitySettings, Principal
from .state import IdentityState

APP_SERVICE_PATH = "/msi/token"
IMDS_PATH = "/metadata/identity/oauth2/token"
CLI_TOKEN_PATH = "/mock-identity/cli/token"
CLI_ACCOUNT_PATH = "/mock-identity/cli/account"
MANAGED_IDENTITY_API_VERSION = "2019-08-01"  # the App Service endpoint's only version


@dataclass(frozen=True)
class IdentityRequest:
    """What a handler reads of a GET request (header names in lower case, as ASGI gives them)."""

    query: Mapping[str, str]
    headers: Mapping[str, str]
    path_params: Mapping[str, str]
    base_url: str


Refuse = Callable[..., AzureError]  # (message, error="invalid_request") -> the route's 400
Handler = Callable[[IdentityState, IdentityRequest], dict[str, Any]]


def _app_service_refusal(message: str, error: str = "invalid_request") -> AzureError:
    # The body decides for MSAL, not the status (docs/fidelity.md, "Identity").
    return AzureError(400, {"statusCode": 400, "message": message})


def _imds_refusal(message: str, error: str = "invalid_request") -> AzureError:
    return AzureError(400, {"error": error, "error_description": message})


def _cli_refusal(message: str, error: str = "invalid_request") -> AzureError:
    return AzureError(400, {"error": message})


def _mint(state: IdentityState, principal: Principal, request: IdentityRequest,
          refuse: Refuse) -> tuple[str, int, int]:
    """``(token, expires_on, lifetime)`` for ``principal`` and the requested resource."""
    settings = state.settings
    resource = request.query.get("resource", "")
    if not resource:
        raise refuse("The 'resource' query parameter is required.")
    if not settings.resource_known(resource):
        raise refuse(
            f"AADSTS500011: The resource principal named {resource} was not found in the "
            f"tenant named {settings.tenant_id}. This can happen if the application has not "
            "been installed by the administrator of the tenant or consented to by any user "
            "in the tenant. You might have sent your authentication request to the wrong "
            "tenant.", "invalid_resource",
        )
    lifetime = settings.lifetime_for(principal, _requested_lifetime(request, refuse))
    token, expires_on = state.issuer.issue(
        audience=resource, lifetime=lifetime, principal_claims=principal.claims()
    )
    return token, expires_on, lifetime


def app_service(state: IdentityState, request: IdentityRequest) -> dict[str, Any]:
    q, refuse = request.query, _app_service_refusal
    sent = request.headers.get("x-identity-header")
    if sent is None:
        raise refuse("The X-IDENTITY-HEADER header is missing.")
    if sent != state.identity_header:
        raise refuse("The X-IDENTITY-HEADER header does not match IDENTITY_HEADER.")
    if q.get("api-version") != MANAGED_IDENTITY_API_VERSION:
        raise refuse(f"api-version {q.get('api-version')!r} is not supported here; "
                     f"use {MANAGED_IDENTITY_API_VERSION}.")
    principal = _managed_identity(state.settings, q.get("client_id"), q.get("object_id"),
                                  q.get("mi_res_id"), system=True)
    if principal is None:
        raise refuse("Unable to load the proper Managed Identity.")
    token, expires_on, _ = _mint(state, principal, request, refuse)
    return {"access_token": token, "expires_on": str(expires_on), "resource": q["resource"],
            "token_type": "Bearer", "client_id": principal.client_id}


def imds(state: IdentityState, request: IdentityRequest) -> dict[str, Any]:
    q, refuse = request.query, _imds_refusal
    if request.headers.get("metadata", "").lower() != "true":
        raise refuse("Required metadata header not specified")
    if not q.get("api-version"):
        raise refuse("Required query variable 'api-version' is missing")
    principal = None
    if state.settings.imds_has_identity:
        principal = _managed_identity(state.settings, q.get("client_id"), q.get("object_id"),
                                      q.get("msi_res_id"), system=True)
    if principal is None:
        raise refuse("Identity not found")
    token, expires_on, lifetime = _mint(state, principal, request, refuse)
    # Real IMDS sends every value as a string.
    return {"access_token": token, "refresh_token": "", "expires_in": str(lifetime),
            "expires_on": str(expires_on), "ext_expires_in": str(lifetime),
            "not_before": str(expires_on - lifetime), "resource": q["resource"],
            "token_type": "Bearer"}


def cli_token(state: IdentityState, request: IdentityRequest) -> dict[str, Any]:
    settings, q = state.settings, request.query
    user = _cli_user(settings, q.get("user"))
    tenant = q.get("tenant")
    if tenant and tenant.lower() != settings.tenant_id.lower():
        raise _cli_refusal(f"AADSTS90002: Tenant '{tenant}' not found. Check to make sure "
                           "you have the correct tenant ID and are signing into the correct "
                           "cloud.")
    token, expires_on, _ = _mint(state, user, request, _cli_refusal)
    return {
        "accessToken": token,
        # naive local time, as the real CLI prints it (AzureCliCredential prefers expires_on)
        "expiresOn": datetime.fromtimestamp(expires_on).strftime("%Y-%m-%d %H:%M:%S.%f"),
        "expires_on": expires_on, "subscription": settings.subscription_id,
        "tenant": settings.tenant_id, "tokenType": "Bearer",
    }


def cli_account(state: IdentityState, request: IdentityRequest) -> dict[str, Any]:
    return _account(state.settings, _cli_user(state.settings, request.query.get("user")))


def keys(state: IdentityState, request: IdentityRequest) -> dict[str, Any]:
    _check_tenant(state.settings, request.path_params["tenant"])
    return state.issuer.jwks()


def openid_configuration(state: IdentityState, request: IdentityRequest) -> dict[str, Any]:
    settings = state.settings
    _check_tenant(settings, request.path_params["tenant"])
    base = request.base_url
    return {
        "issuer": state.issuer.issuer,
        "jwks_uri": f"{base}{settings.tenant_id}/discovery/v2.0/keys",
        "token_endpoint": f"{base}{settings.tenant_id}/oauth2/token",
        "id_token_signing_alg_values_supported": ["RS256"],
        "tenant_region_scope": "NA",
    }


#: (path, handler) of every identity route; all answer GET only.
IDENTITY_ROUTES: tuple[tuple[str, Handler], ...] = (
    (APP_SERVICE_PATH, app_service),
    (IMDS_PATH, imds),
    (CLI_TOKEN_PATH, cli_token),
    (CLI_ACCOUNT_PATH, cli_account),
    ("/{tenant}/discovery/v2.0/keys", keys),
    ("/{tenant}/discovery/keys", keys),
    ("/{tenant}/.well-known/openid-configuration", openid_configuration),
)


def _requested_lifetime(request: IdentityRequest, refuse: Refuse) -> int | None:
    value = request.query.get("token_lifetime")
    if value is None:
        return None
    if not value.isdigit() or int(value) < 1:
        raise refuse(f"token_lifetime must be a whole number of seconds >= 1, not {value!r}")
    return int(value)


def _managed_identity(
    settings: IdentitySettings, client_id: str | None, object_id: str | None,
    resource_id: str | None, *, system: bool,
) -> Principal | None:
    if client_id or object_id or resource_id:
        return settings.find("user_assigned", client_id=client_id or "",
                             object_id=object_id or "", resource_id=resource_id or "")
    return settings.find("system_assigned") if system else None


def _cli_user(settings: IdentitySettings, name: str | None) -> Principal:
    if name:
        user = settings.principal_by_name(name)
        if user is None or user.kind != "user":
            raise _cli_refusal(f"User '{name}' does not exist in MSAL token cache. Run `az login`.")
        return user
    user = settings.find("user")
    if user is None:
        raise _cli_refusal("Please run 'az login' to setup account.")
    return user


def _account(settings: IdentitySettings, user: Principal) -> dict[str, Any]:
    return {
        "environmentName": "AzureCloud", "homeTenantId": settings.tenant_id,
        "id": settings.subscription_id, "isDefault": True, "managedByTenants": [],
        "name": settings.subscription_name, "state": "Enabled", "tenantId": settings.tenant_id,
        "user": {"name": user.name, "type": "user"},
    }


def _our_tenant(settings: IdentitySettings, tenant: str) -> bool:
    return tenant.lower() in {settings.tenant_id.lower(), "common", "organizations"}


def _check_tenant(settings: IdentitySettings, tenant: str) -> None:
    if not _our_tenant(settings, tenant):
        raise AzureError(400, {"error": "invalid_tenant", "error_description":
                               f"AADSTS90002: Tenant '{tenant}' not found."})
