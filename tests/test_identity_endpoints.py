"""The identity endpoints, the key set, the az shim and the CLI's output, as clients see them."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import time

import httpx
import jwt
import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import AzureCliCredential, CredentialUnavailableError, ManagedIdentityCredential

from azure_llm_helpers._constants import COGNITIVE_SERVICES_SCOPE
from azure_llm_helpers.mock import MockConfigError, MockServer, load_config
from azure_llm_helpers.mock.identity import az_shim_dir, jwks_url
from azure_llm_helpers.mock.identity.settings import read_settings

SCOPE = COGNITIVE_SERVICES_SCOPE
RESOURCE = "https://cognitiveservices.azure.com"
MI_OID = "4070e959-e80b-48d9-9322-f8b659ca21e4"
AZ = str(az_shim_dir() / "az")


@pytest.fixture
def off_azure(mock_env, monkeypatch):
    monkeypatch.delenv("IDENTITY_ENDPOINT")
    monkeypatch.delenv("IDENTITY_HEADER")


def run_az(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([AZ, *args], capture_output=True, text=True, timeout=10,
                          env={**os.environ, **env}, cwd="/")


# -- App Service managed-identity endpoint ---------------------------------------------------

def test_the_endpoint_refuses_a_request_without_the_identity_header(mock):
    response = httpx.get(mock.env["IDENTITY_ENDPOINT"],
                         params={"api-version": "2019-08-01", "resource": RESOURCE})
    assert response.status_code == 400
    assert response.json() == {"statusCode": 400,
                               "message": "The X-IDENTITY-HEADER header is missing."}


def test_the_credential_reports_a_wrong_identity_header(mock_env, monkeypatch):
    monkeypatch.setenv("IDENTITY_HEADER", "not-the-header")
    with pytest.raises(CredentialUnavailableError, match=r"\(invalid_scope\) 400, .*does not"):
        ManagedIdentityCredential().get_token(SCOPE)


def test_the_endpoint_refuses_another_resource(mock_env):
    with pytest.raises(CredentialUnavailableError, match="AADSTS500011.*vault.azure.net"):
        ManagedIdentityCredential().get_token("https://vault.azure.net/.default")


def test_the_endpoint_refuses_another_api_version(mock):
    response = httpx.get(mock.env["IDENTITY_ENDPOINT"],
                         params={"api-version": "2017-09-01", "resource": RESOURCE},
                         headers={"X-IDENTITY-HEADER": mock.env["IDENTITY_HEADER"]})
    assert response.status_code == 400 and "2019-08-01" in response.json()["message"]


def test_an_unknown_user_assigned_identity_is_unavailable(mock_env):
    with pytest.raises(CredentialUnavailableError, match="Unable to load the proper Managed"):
        ManagedIdentityCredential(client_id="99999999-0000-0000-0000-000000000000").get_token(
            SCOPE)


def test_the_endpoint_answers_the_app_service_shape(mock):
    response = httpx.get(mock.env["IDENTITY_ENDPOINT"],
                         params={"api-version": "2019-08-01", "resource": RESOURCE},
                         headers={"X-IDENTITY-HEADER": mock.env["IDENTITY_HEADER"]})
    body = response.json()
    assert set(body) == {"access_token", "expires_on", "resource", "token_type", "client_id"}
    assert isinstance(body["expires_on"], str) and int(body["expires_on"]) > time.time()
    assert "Retry-After" not in response.headers  # MSAL would replay it (docs/fidelity.md)


# -- IMDS -------------------------------------------------------------------------------------

def test_off_azure_managed_identity_is_unavailable_fast_and_offline(off_azure):
    started = time.perf_counter()
    with pytest.raises(CredentialUnavailableError, match="Identity not found"):
        ManagedIdentityCredential().get_token(SCOPE)
    assert time.perf_counter() - started < 1.0


def test_imds_needs_the_metadata_header(mock):
    response = httpx.get(mock.url + "metadata/identity/oauth2/token",
                         params={"api-version": "2018-02-01", "resource": RESOURCE})
    assert response.status_code == 400
    assert response.json()["error_description"] == "Required metadata header not specified"


def test_imds_serves_the_identity_when_configured(monkeypatch):
    base = load_config()
    raw = {**base.raw, "identity": {**base.raw["identity"], "imds_has_identity": True}}
    with MockServer(config=dataclasses.replace(base, raw=raw)) as vm:
        for name, value in vm.env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("IDENTITY_ENDPOINT")
        token = ManagedIdentityCredential().get_token(SCOPE)
        assert jwt.decode(token.token, options={"verify_signature": False})["oid"] == MI_OID
        body = httpx.get(vm.url + "metadata/identity/oauth2/token",
                         params={"api-version": "2018-02-01", "resource": RESOURCE},
                         headers={"Metadata": "true"}).json()
        assert all(isinstance(v, str) for v in body.values())  # as real IMDS sends them
        assert int(body["expires_in"]) == vm.app.identity.settings.token_lifetime


# -- the public key ---------------------------------------------------------------------------

def test_tokens_validate_against_the_published_key_set(mock_env, mock):
    token = ManagedIdentityCredential().get_token(SCOPE).token
    url = jwks_url(mock.url, mock.app.identity)
    keys = httpx.get(url).json()["keys"]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(keys[0]), "private key material published"
    tenant = mock.app.identity.settings.tenant_id
    oidc = httpx.get(f"{mock.url}{tenant}/.well-known/openid-configuration").json()
    assert oidc["jwks_uri"] == url
    signing_key = jwt.PyJWKClient(url).get_signing_key_from_jwt(token)
    claims = jwt.decode(token, signing_key.key, algorithms=["RS256"], audience=RESOURCE,
                        issuer=oidc["issuer"])
    assert claims["tid"] == tenant and claims["idtyp"] == "app"
    assert claims["iat"] == claims["nbf"] < claims["exp"]


def test_an_unknown_tenant_has_no_keys(mock):
    response = httpx.get(f"{mock.url}11111111-2222-3333-4444-555555555555/discovery/v2.0/keys")
    assert response.status_code == 400 and "AADSTS90002" in response.text


# -- the az shim ------------------------------------------------------------------------------

def test_az_get_access_token_prints_what_the_cli_prints(mock_env):
    result = run_az("account", "get-access-token", "--output", "json", "--resource", RESOURCE)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert set(body) == {"accessToken", "expiresOn", "expires_on", "subscription", "tenant",
                         "tokenType"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", body["expiresOn"])
    claims = jwt.decode(body["accessToken"], options={"verify_signature": False})
    assert claims["upn"] == "learner@coursetenant.onmicrosoft.com"
    assert claims["scp"] == "user_impersonation" and claims["idtyp"] == "user"


def test_az_scope_form_and_short_lifetime(mock_env):
    result = run_az("account", "get-access-token", "--scope", SCOPE,
                    AZURE_OPENAI_MOCK_TOKEN_LIFETIME="5")
    body = json.loads(result.stdout)
    assert 0 < body["expires_on"] - time.time() <= 5
    assert jwt.decode(body["accessToken"], options={"verify_signature": False})["aud"] == RESOURCE


def test_az_account_show_login_and_version(mock_env):
    show = json.loads(run_az("account", "show").stdout)
    assert show["user"] == {"name": "learner@coursetenant.onmicrosoft.com", "type": "user"}
    login = run_az("login")
    assert json.loads(login.stdout) == [show] and "signed in" in login.stderr
    assert "course az shim" in run_az("--version").stdout


def test_az_rejects_what_it_does_not_answer(mock_env):
    result = run_az("group", "list")
    assert result.returncode == 2 and "answers only" in result.stderr


def test_az_without_the_mock_says_run_az_login(mock_env, monkeypatch):
    monkeypatch.setenv("PATH", f"{az_shim_dir()}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("AZURE_OPENAI_MOCK_URL", "http://127.0.0.1:9/")
    result = run_az("account", "show")
    assert result.returncode == 1 and "az login" in result.stderr
    with pytest.raises(CredentialUnavailableError, match="az login"):
        AzureCliCredential().get_token(SCOPE)


def test_az_with_an_unknown_user_or_tenant(mock_env, monkeypatch):
    monkeypatch.setenv("PATH", f"{az_shim_dir()}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(ClientAuthenticationError, match="AADSTS90002"):
        AzureCliCredential(tenant_id="11111111-2222-3333-4444-555555555555").get_token(SCOPE)
    monkeypatch.setenv("AZURE_OPENAI_MOCK_AZ_USER", "nobody@example.com")
    with pytest.raises(CredentialUnavailableError, match="az login"):
        AzureCliCredential().get_token(SCOPE)


# -- the mock's command line and config -------------------------------------------------------

def test_cli_exports_identity_variables_and_an_opt_in_path_line():
    proc = subprocess.Popen([sys.executable, "-m", "azure_llm_helpers.mock", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    exports: dict[str, str] = {}
    try:
        for line in iter(proc.stdout.readline, ""):
            if line.startswith("#"):
                comment = line
                break
            name, _, value = line.removeprefix("export ").rstrip("\n").partition("=")
            exports[name] = value
        else:
            raise AssertionError(f"mock exited early: {proc.stderr.read()}")
        shim = f"export PATH={az_shim_dir()}{os.pathsep}$PATH"
        assert comment.strip() == f"# to use the az shim: {shim}"
        assert "PATH" not in exports
        for name in ("IDENTITY_ENDPOINT", "IDENTITY_HEADER",
                     "AZURE_POD_IDENTITY_AUTHORITY_HOST", "AZURE_OPENAI_MOCK_URL"):
            assert exports.get(name), name
        # The shim talks to this separate process: one issuer signs everything.
        shim = run_az("account", "get-access-token", "--resource", RESOURCE, **exports)
        assert shim.returncode == 0, shim.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=5)
    assert exports["IDENTITY_HEADER"] not in err


@pytest.mark.parametrize("change, message", [
    ({"role_assignments": [{"principal": "nobody", "role": "Cognitive Services OpenAI User"}]},
     "no principal named 'nobody'"),
    ({"role_assignments": [{"principal": "app-course-demo", "role": "Owner"}]},
     "unknown role 'Owner'"),
    ({"identity": {"tenant_id": "t", "principals": [{"name": "x", "kind": "robot",
                                                      "object_id": "1"}]}}, "kind must be"),
    ({"identity": {"tenant_id": "t", "token_lifetime": 0}}, "at least 1 second"),
])
def test_bad_identity_config_is_a_clear_error(change, message):
    base = load_config()
    with pytest.raises(MockConfigError, match=message):
        read_settings(dataclasses.replace(base, raw={**base.raw, **change}))


def test_no_secret_in_reprs(mock):
    state = mock.app.identity
    assert state.identity_header not in repr(state)
    assert "PRIVATE" not in repr(state.issuer)
