"""Bearer tokens the data plane must refuse, each with Azure's 401; and short-lived tokens."""

from __future__ import annotations

import base64
import json
import time

import httpx
import jwt
import openai
import pytest
from azure.identity import ManagedIdentityCredential, get_bearer_token_provider
from cryptography.hazmat.primitives.asymmetric import rsa

from azure_llm_helpers._constants import COGNITIVE_SERVICES_SCOPE

SCOPE = COGNITIVE_SERVICES_SCOPE
BAD_TOKEN_BODY = {
    "statusCode": 401,
    "message": "Unauthorized. Access token is missing, invalid, audience is incorrect "
               "(https://cognitiveservices.azure.com), or have expired.",
}


@pytest.fixture
def entra_env(mock_env, monkeypatch):
    for name in ("AZURE_OPENAI_API_KEY", "OPENAI_API_KEY", "AZURE_OPENAI_AD_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return mock_env


def good_claims(mock) -> dict:
    """The claims of a genuine managed-identity token from the mock's endpoint."""
    token = ManagedIdentityCredential().get_token(SCOPE).token
    return jwt.decode(token, options={"verify_signature": False})


def sign(mock, claims: dict) -> str:
    return mock.app.identity.issuer.sign(claims)


def chat_status(mock, token: str) -> httpx.Response:
    dep = mock.env["AZURE_OPENAI_CHAT_DEPLOYMENT"]
    return httpx.post(
        f"{mock.url}openai/deployments/{dep}/chat/completions",
        params={"api-version": mock.env["OPENAI_API_VERSION"]},
        headers={"Authorization": f"Bearer {token}"},
        json={"messages": [{"role": "user", "content": "hi"}]},
    )


def _tamper_signature(token: str) -> str:
    head, body, sig = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)))
    raw[0] ^= 0xFF
    return ".".join([head, body, base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()])


def _tamper_payload(mock, token: str) -> str:
    head, _, sig = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["oid"] = "00000000-0000-0000-0000-000000000000"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return ".".join([head, forged, sig])


def _foreign_key(mock, claims: dict) -> str:
    # Same claims and the mock's kid, but signed by a key the mock never had.
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = mock.app.identity.issuer.kid
    return jwt.encode(claims, other, algorithm="RS256", headers={"kid": kid})


def _bad_tokens(mock) -> dict[str, str]:
    now = int(time.time())
    claims = good_claims(mock)
    genuine = sign(mock, claims)
    return {
        "wrong audience": ManagedIdentityCredential().get_token(
            "https://management.azure.com/.default").token,
        "expired": sign(mock, {**claims, "iat": now - 7200, "nbf": now - 7200, "exp": now - 1}),
        "not yet valid": sign(mock, {**claims, "nbf": now + 600, "exp": now + 4200}),
        "tampered signature": _tamper_signature(genuine),
        "tampered payload": _tamper_payload(mock, genuine),
        "unknown issuer": sign(mock, {**claims, "iss": "https://sts.windows.net/"
                                      "11111111-2222-3333-4444-555555555555/"}),
        "not issued by the mock": _foreign_key(mock, claims),
        "missing exp": sign(mock, {k: v for k, v in claims.items() if k != "exp"}),
        "not a JWT": "not-a-token",
    }


def test_a_genuine_token_is_accepted(entra_env, mock):
    assert chat_status(mock, sign(mock, good_claims(mock))).status_code == 200


@pytest.mark.parametrize("case", [
    "wrong audience", "expired", "not yet valid", "tampered signature", "tampered payload",
    "unknown issuer", "not issued by the mock", "missing exp", "not a JWT",
])
def test_bad_tokens_get_azures_401_and_the_sdks_authentication_error(case, entra_env, mock):
    token = _bad_tokens(mock)[case]
    response = chat_status(mock, token)
    assert response.status_code == 401
    assert response.json() == BAD_TOKEN_BODY

    client = openai.AzureOpenAI(azure_ad_token=token, max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught:
        client.completions.create(model=entra_env["AZURE_OPENAI_COMPLETIONS_DEPLOYMENT"],
                                  prompt="hi")
    assert caught.value.message == f"Error code: 401 - {BAD_TOKEN_BODY['message']}"


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Token abc"])
def test_a_malformed_authorization_header_gets_the_bad_token_401(header, mock):
    dep = mock.env["AZURE_OPENAI_CHAT_DEPLOYMENT"]
    response = httpx.post(
        f"{mock.url}openai/deployments/{dep}/chat/completions",
        params={"api-version": mock.env["OPENAI_API_VERSION"]},
        headers={"Authorization": header}, json={"messages": []},
    )
    assert (response.status_code, response.json()) == (401, BAD_TOKEN_BODY)


def test_rejections_are_logged_without_the_token(entra_env, mock, caplog):
    token = _bad_tokens(mock)["expired"]
    with caplog.at_level("INFO", logger="azure_llm_helpers.mock"):
        chat_status(mock, token)
    assert "expired" in caplog.text
    assert token not in caplog.text and token.split(".")[2] not in caplog.text


def test_a_short_lived_token_stored_once_fails_while_the_provider_keeps_working(
    entra_env, mock, monkeypatch
):
    # The documented short-lifetime API: ?token_lifetime=N on the managed-identity endpoint.
    endpoint = entra_env["IDENTITY_ENDPOINT"]
    dep = entra_env["AZURE_OPENAI_CHAT_DEPLOYMENT"]
    messages = [{"role": "user", "content": "Tell me a joke"}]
    for _ in range(3):  # a machine stalled past the token's two seconds gets another try
        monkeypatch.setenv("IDENTITY_ENDPOINT", endpoint + "?token_lifetime=2")
        stored = ManagedIdentityCredential().get_token(SCOPE)
        assert 0 < stored.expires_on - time.time() <= 2
        static = openai.AzureOpenAI(azure_ad_token=stored.token, max_retries=0)
        try:
            assert static.chat.completions.create(model=dep, messages=messages).choices
            break
        except openai.AuthenticationError:
            assert time.time() >= stored.expires_on, "refused before it expired"
    else:
        pytest.fail("the machine never answered within a token's two-second lifetime")
    # The same token as the data plane sees it once its lifetime is over (it allows no clock
    # skew by default): its claims, every time moved back by the lifetime and a second, and
    # signed by the same issuer; no sleeping until the real expiry.
    claims = jwt.decode(stored.token, options={"verify_signature": False})
    lifetime = claims["exp"] - claims["iat"]
    assert 0 < lifetime <= 2 and claims["exp"] == stored.expires_on
    later = sign(mock, {**claims, **{t: claims[t] - lifetime - 1 for t in ("iat", "nbf", "exp")}})
    expired = openai.AzureOpenAI(azure_ad_token=later, max_retries=0)
    with pytest.raises(openai.AuthenticationError, match="or have expired"):
        expired.chat.completions.create(model=dep, messages=messages)
    # Tokens with < 300 s left are never cached, so the provider fetches a fresh one each
    # call; a minute's lifetime keeps this half immune to a loaded machine.
    monkeypatch.setenv("IDENTITY_ENDPOINT", endpoint + "?token_lifetime=60")
    provided = openai.AzureOpenAI(max_retries=0, azure_ad_token_provider=get_bearer_token_provider(
        ManagedIdentityCredential(), SCOPE))
    assert provided.chat.completions.create(model=dep, messages=messages).choices


def test_a_requested_lifetime_is_capped_at_the_configured_one(entra_env, mock, monkeypatch):
    monkeypatch.setenv("IDENTITY_ENDPOINT",
                       entra_env["IDENTITY_ENDPOINT"] + "?token_lifetime=999999")
    token = ManagedIdentityCredential().get_token(SCOPE)
    configured = mock.app.identity.settings.token_lifetime
    assert abs(token.expires_on - time.time() - configured) <= 2
