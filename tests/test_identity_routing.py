"""How the identity side routes what is not the data plane (mock/identity/asgi.py), over HTTP."""

from __future__ import annotations

import httpx
import pytest

from azure_llm_helpers.mock.identity.routes import APP_SERVICE_PATH, CLI_ACCOUNT_PATH

NOT_FOUND = {"error": {"code": "404", "message": "Resource not found"}}
RESOURCE = "https://cognitiveservices.azure.com"


def _token_query(mock) -> tuple[dict[str, str], dict[str, str]]:
    params = {"api-version": "2019-08-01", "resource": RESOURCE}
    return params, {"X-IDENTITY-HEADER": mock.env["IDENTITY_HEADER"]}


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_identity_routes_answer_get_only_and_other_methods_get_azures_404(mock, method):
    params, headers = _token_query(mock)
    response = httpx.request(method, mock.url.rstrip("/") + APP_SERVICE_PATH, params=params,
                             headers=headers)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert response.headers["content-type"] == "application/json"


def test_head_gets_the_headers_a_get_gets(mock):
    params, headers = _token_query(mock)
    url = mock.url.rstrip("/") + APP_SERVICE_PATH
    got = httpx.get(url, params=params, headers=headers)
    head = httpx.head(url, params=params, headers=headers)
    assert got.status_code == head.status_code == 200 and "access_token" in got.json()
    assert head.content == b""
    assert head.headers["content-length"] == got.headers["content-length"]


@pytest.mark.parametrize("path", [
    "/", "/nowhere", APP_SERVICE_PATH + "/", "//discovery/v2.0/keys",
    "/common/discovery/v2X0/keys", "/common/discovery/v2.0/keys/more", CLI_ACCOUNT_PATH + "x",
])
def test_paths_no_route_names_get_azures_404(mock, path):
    response = httpx.get(mock.url.rstrip("/") + path)
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_a_path_parameter_and_the_host_the_client_used_reach_the_handler(mock):
    tenant = mock.app.identity.settings.tenant_id
    url = f"{mock.url}{tenant}/.well-known/openid-configuration"
    assert httpx.get(url).json()["jwks_uri"] == f"{mock.url}{tenant}/discovery/v2.0/keys"
    named = httpx.get(url, headers={"Host": "login.example:8443"}).json()
    assert named["token_endpoint"] == f"http://login.example:8443/{tenant}/oauth2/token"
    other = httpx.get(f"{mock.url}another-tenant/discovery/v2.0/keys")
    assert other.status_code == 400 and other.json()["error"] == "invalid_tenant"


def test_the_first_of_repeated_headers_and_the_last_of_repeated_parameters_count(mock):
    params, headers = _token_query(mock)
    url = mock.url.rstrip("/") + APP_SERVICE_PATH
    repeated = [("api-version", "2019-08-01"), ("resource", "https://other.example"),
                ("resource", RESOURCE)]
    right_then_wrong = [("x-identity-header", headers["X-IDENTITY-HEADER"]),
                        ("x-identity-header", "wrong")]
    response = httpx.get(url, params=repeated, headers=right_then_wrong)
    assert response.status_code == 200 and response.json()["resource"] == RESOURCE
    wrong_then_right = list(reversed(right_then_wrong))
    assert httpx.get(url, params=params, headers=wrong_then_right).status_code == 400
