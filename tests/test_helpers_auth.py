"""Entra ID routes against the mock's identity endpoints (real azure-identity, real HTTP)."""

from __future__ import annotations

import asyncio
import os
import time

import jwt
import pytest
from azure.identity import AzureCliCredential, ManagedIdentityCredential

from azure_llm_helpers import (
    COGNITIVE_SERVICES_SCOPE,
    TokenExpiryWarning,
    async_openai_client,
    default_credential,
    describe_token,
    langchain_chat,
    load_settings,
    managed_identity_or_cli_credential,
    openai_client,
    token_provider,
    use_legacy_azure_ad_env,
)
from azure_llm_helpers.mock.identity import az_shim_dir


@pytest.fixture
def entra(mock_env):
    return load_settings(env_file=None, auth="aad")


@pytest.fixture
def cli_only(mock_env, monkeypatch):
    """A laptop: no managed identity, `az login` done (the course's az shim first on PATH)."""
    monkeypatch.delenv("IDENTITY_ENDPOINT")
    monkeypatch.delenv("IDENTITY_HEADER")
    monkeypatch.setenv("PATH", f"{az_shim_dir()}{os.pathsep}{os.environ['PATH']}")


def chat(settings, **auth) -> str:
    client = openai_client(settings, max_retries=0, **auth)
    response = client.chat.completions.create(
        model=settings.chat_deployment, messages=[{"role": "user", "content": "Tell me a joke"}])
    return response.choices[0].message.content


def test_token_provider_over_managed_identity(entra):
    provider = token_provider(ManagedIdentityCredential())
    assert "two-tired" in chat(entra, token_provider=provider)


def test_source_chain_uses_managed_identity_in_azure(entra):
    credential = managed_identity_or_cli_credential()
    info = describe_token(credential.get_token(COGNITIVE_SERVICES_SCOPE))
    assert info.principal_kind == "managed identity"
    assert "two-tired" in chat(entra, credential=credential)


def test_source_chain_falls_back_to_the_azure_cli(entra, cli_only):
    credential = managed_identity_or_cli_credential()
    info = describe_token(credential.get_token(COGNITIVE_SERVICES_SCOPE))
    assert info.principal_kind == "user" and "@" in (info.principal_name or "")
    assert "two-tired" in chat(entra, credential=credential)


def test_auth_entra_defaults_to_default_azure_credential(entra):
    assert "two-tired" in langchain_chat(entra, max_retries=0).invoke("Tell me a joke").content
    assert type(default_credential()).__name__ == "DefaultAzureCredential"


def test_async_client_with_a_credential(entra):
    async def ask() -> str:
        async with async_openai_client(entra, credential=ManagedIdentityCredential(),
                                       max_retries=0) as client:
            response = await client.chat.completions.create(
                model=entra.chat_deployment, messages=[{"role": "user", "content": "hi"}])
            return response.choices[0].message.content

    assert asyncio.run(ask())


def test_legacy_route_works_and_warns_that_the_token_expires(mock_env, monkeypatch):
    for name in ("OPENAI_API_TYPE", "OPENAI_API_KEY"):
        monkeypatch.setenv(name, "placeholder")  # so monkeypatch restores (removes) them
    monkeypatch.delenv("AZURE_OPENAI_API_KEY")
    with pytest.warns(TokenExpiryWarning, match="expires at .* UTC"):
        info = use_legacy_azure_ad_env(ManagedIdentityCredential())
    assert os.environ["OPENAI_API_TYPE"] == "azure_ad"
    assert os.environ["OPENAI_API_KEY"].startswith("eyJ")
    assert 55 < info.minutes_left <= 60
    with pytest.warns(UserWarning, match="pre-1.0"):
        settings = load_settings(env_file=None)
    assert settings.legacy_azure_ad and settings.auth == "token"
    assert "two-tired" in langchain_chat(settings, max_retries=0).invoke("Tell me a joke").content


def test_describe_token_shows_claims_and_never_the_token(mock_env):
    access = ManagedIdentityCredential().get_token(COGNITIVE_SERVICES_SCOPE)
    info = describe_token(access)
    shown = str(info) + repr(info)
    assert access.token not in shown and access.token[:20] not in shown
    assert info.for_azure_openai and not info.expired
    assert info.principal_id and info.principal_id in shown
    assert info.algorithm == "RS256"
    assert "https://cognitiveservices.azure.com" in shown and "min left" in shown


def test_describe_token_reports_expiry_and_the_wrong_audience():
    now = time.time()
    text = jwt.encode({"aud": "https://management.azure.com", "exp": int(now) - 120,
                       "upn": "someone@example.com", "scp": "user_impersonation"},
                      "a-key-long-enough-for-hs256-32b!", algorithm="HS256")
    info = describe_token(text, now=now)
    assert info.expired and not info.for_azure_openai
    assert info.principal_kind == "user" and info.principal_name == "someone@example.com"
    assert "expired 2 min ago" in str(info) and "needs https://cognitiveservices" in str(info)


def test_describe_token_rejects_non_tokens_without_echoing_them():
    for bad in ("0123456789abcdef0123456789abcdef", "eyJhbGciOi.not-base64!.x"):
        with pytest.raises(ValueError) as caught:
            describe_token(bad)
        assert bad not in str(caught.value)


def test_azure_cli_credential_through_the_shim_gets_a_user_token(cli_only):
    info = describe_token(AzureCliCredential().get_token(COGNITIVE_SERVICES_SCOPE))
    assert info.for_azure_openai and "user_impersonation" in info.scopes
