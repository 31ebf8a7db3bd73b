"""The identity side's HTTP routes: managed-identity token endpoints, the key set, the CLI's route.

- ``GET /msi/token`` — App Service style (``IDENTITY_ENDPOINT``; FIDELITY.md §10.2).
- ``GET /metadata/identity/oauth2/token`` — IMDS style (``AZURE_POD_IDENTITY_AUTHORITY_HOST``;
  §10.3). By default it answers like a machine *without* a managed identity (a laptop).
- ``GET /{tenant}/discovery/v2.0/keys`` and ``/{tenant}/.well-known/openid-configuration``.
- ``GET /mock-identity/cli/token`` and ``/mock-identity/cli/account`` — what the ``az`` shim asks.

Every token route takes an optional ``token_lifetime=<seconds>`` query parameter that asks
for a shorter-lived token (capped at the configured lifetime): the course's way to show
token expiry in seconds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..config import MockConfig
from .settings import IdentitySettings, Principal
from .state import identity_state

APP_SERVICE_PATH = "/msi/token"
IMDS_PATH = "/metadata/identity/oauth2/token"
CLI_TOKEN_PATH = "/mock-identity/cli/token"
CLI_ACCOUNT_PATH = "/mock-identity/cli/account"


class _Refused(Exception):
    def __init__(self, message: str, error: str = "invalid_request") -> None:
        super().__init__(message)
        self.message, self.error = message, error


def identity_routes(config: MockConfig) -> list[BaseRoute]:
    state = identity_state(config)
    settings = state.settings

    def mint(principal: Principal, resource: str, request: Request) -> tuple[str, int, int]:
        """``(token, expires_on, lifetime)`` for ``principal``, or ``_Refused``."""
        if not resource:
            raise _Refused("The 'resource' query parameter is required.")
        if not settings.resource_known(resource):
            raise _Refused(
                f"AADSTS500011: The resource principal named {resource} was not found in the "
                f"tenant named {settings.tenant_id}. This can happen if the application has not "
                "been installed by the administrator of the tenant or consented to by any user "
                "in the tenant. You might have sent your authentication request to the wrong "
                "tenant.", "invalid_resource",
            )
        lifetime = settings.lifetime_for(principal, _requested_lifetime(request))
        token, expires_on = state.issuer.issue(
            audience=resource, lifetime=lifetime, principal_claims=principal.claims()
        )
        return token, expires_on, lifetime

    async def app_service(request: Request) -> Response:
        q = request.query_params
        try:
            sent = request.headers.get("x-identity-header")
            if sent is None:
                raise _Refused("The X-IDENTITY-HEADER header is missing.")
            if sent != state.identity_header:
                raise _Refused("The X-IDENTITY-HEADER header does not match IDENTITY_HEADER.")
            if q.get("api-version") != "2019-08-01":
                raise _Refused(f"api-version {q.get('api-version')!r} is not supported here; "
                               "use 2019-08-01.")
            principal = _managed_identity(settings, q.get("client_id"), q.get("object_id"),
                                          q.get("mi_res_id"), system=True)
            if principal is None:
                raise _Refused("Unable to load the proper Managed Identity.")
            token, expires_on, lifetime = mint(principal, q.get("resource", ""), request)
        except _Refused as refused:
            # The body decides for MSAL, not the status (FIDELITY.md §10.2).
            return JSONResponse({"statusCode": 400, "message": refused.message}, 400)
        return JSONResponse({
            "access_token": token, "expires_on": str(expires_on), "resource": q["resource"],
            "token_type": "Bearer", "client_id": principal.client_id,
        })

    async def imds(request: Request) -> Response:
        q = request.query_params
        try:
            if request.headers.get("metadata", "").lower() != "true":
                raise _Refused("Required metadata header not specified")
            if not q.get("api-version"):
                raise _Refused("Required query variable 'api-version' is missing")
            principal = None
            if settings.imds_has_identity:
                principal = _managed_identity(settings, q.get("client_id"), q.get("object_id"),
                                              q.get("msi_res_id"), system=True)
            if principal is None:
                raise _Refused("Identity not found")
            token, expires_on, lifetime = mint(principal, q.get("resource", ""), request)
        except _Refused as refused:
            return JSONResponse({"error": refused.error, "error_description": refused.message},
                                400)
        # Real IMDS sends every value as a string.
        return JSONResponse({
            "access_token": token, "refresh_token": "", "expires_in": str(lifetime),
            "expires_on": str(expires_on), "ext_expires_in": str(lifetime),
            "not_before": str(expires_on - lifetime), "resource": q["resource"],
            "token_type": "Bearer",
        })

    async def cli_token(request: Request) -> Response:
        q = request.query_params
        try:
            user = _cli_user(settings, q.get("user"))
            tenant = q.get("tenant")
            if tenant and tenant.lower() != settings.tenant_id.lower():
                raise _Refused(f"AADSTS90002: Tenant '{tenant}' not found. Check to make sure "
                               "you have the correct tenant ID and are signing into the "
                               "correct cloud.")
            token, expires_on, lifetime = mint(user, q.get("resource", ""), request)
        except _Refused as refused:
            return JSONResponse({"error": refused.message}, 400)
        return JSONResponse({
            "accessToken": token,
            # naive local time, as the real CLI prints it (AzureCliCredential prefers expires_on)
            "expiresOn": datetime.fromtimestamp(expires_on).strftime("%Y-%m-%d %H:%M:%S.%f"),
            "expires_on": expires_on, "subscription": settings.subscription_id,
            "tenant": settings.tenant_id, "tokenType": "Bearer",
        })

    async def cli_account(request: Request) -> Response:
        try:
            user = _cli_user(settings, request.query_params.get("user"))
        except _Refused as refused:
            return JSONResponse({"error": refused.message}, 400)
        return JSONResponse(_account(settings, user))

    async def keys(request: Request) -> Response:
        if not _our_tenant(settings, request.path_params["tenant"]):
            return _unknown_tenant(request.path_params["tenant"])
        return JSONResponse(state.issuer.jwks())

    async def openid_configuration(request: Request) -> Response:
        tenant = request.path_params["tenant"]
        if not _our_tenant(settings, tenant):
            return _unknown_tenant(tenant)
        base = str(request.base_url)
        return JSONResponse({
            "issuer": state.issuer.issuer,
            "jwks_uri": f"{base}{settings.tenant_id}/discovery/v2.0/keys",
            "token_endpoint": f"{base}{settings.tenant_id}/oauth2/token",
            "id_token_signing_alg_values_supported": ["RS256"],
            "tenant_region_scope": "NA",
        })

    return [
        Route(APP_SERVICE_PATH, app_service, methods=["GET"]),
        Route(IMDS_PATH, imds, methods=["GET"]),
        Route(CLI_TOKEN_PATH, cli_token, methods=["GET"]),
        Route(CLI_ACCOUNT_PATH, cli_account, methods=["GET"]),
        Route("/{tenant}/discovery/v2.0/keys", keys, methods=["GET"]),
        Route("/{tenant}/discovery/keys", keys, methods=["GET"]),
        Route("/{tenant}/.well-known/openid-configuration", openid_configuration,
              methods=["GET"]),
    ]


def _requested_lifetime(request: Request) -> int | None:
    value = request.query_params.get("token_lifetime")
    if value is None:
        return None
    if not value.isdigit() or int(value) < 1:
        raise _Refused(f"token_lifetime must be a whole number of seconds >= 1, not {value!r}")
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
            raise _Refused(f"User '{name}' does not exist in MSAL token cache. Run `az login`.")
        return user
    user = settings.find("user")
    if user is None:
        raise _Refused("Please run 'az login' to setup account.")
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


def _unknown_tenant(tenant: str) -> JSONResponse:
    return JSONResponse({"error": "invalid_tenant", "error_description":
                         f"AADSTS90002: Tenant '{tenant}' not found."}, 400)
