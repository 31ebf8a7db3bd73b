"""Entra ID offline: the real azure-identity credentials get tokens from the mock and call it.

Nothing is patched: env vars point azure-identity at the mock's managed-identity endpoints and
(opted in, via PATH) at the course's ``az`` shim, exactly as a learner's shell would.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import jwt
import openai
import pytest
from azure.core.credentials import TokenCredential
from azure.identity import (
    AzureCliCredential,
    ChainedTokenCredential,
    DefaultAzureCredential,
    ManagedIdentityCredential,
    get_bearer_token_provider,
)
from langchain_openai import AzureChatOpenAI, AzureOpenAI, AzureOpenAIEmbeddings

from azure_llm_helpers._constants import COGNITIVE_SERVICES_RESOURCE, COGNITIVE_SERVICES_SCOPE
from azure_llm_helpers.mock import MockServer
from azure_llm_helpers.mock.identity import az_shim_dir

SCOPE = COGNITIVE_SERVICES_SCOPE
MI_OID = "4070e959-e80b-48d9-9322-f8b659ca21e4"          # app-course-demo (has the role)
CLI_OID = "c9cf9ff9-5558-4461-93cd-753450c79422"         # learner@... (has the role)
BATCH_CLIENT_ID = "70a08ff5-43bf-4a47-a463-c66c640fa348"  # id-course-batch (no role)
BATCH_OID = "b35fbd2f-f18d-4c65-98e6-460ca1bb5a41"


@pytest.fixture
def entra_env(mock_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The mock's environment without any API key, so only Entra ID tokens can get in."""
    for name in ("AZURE_OPENAI_API_KEY", "OPENAI_API_KEY", "AZURE_OPENAI_AD_TOKEN",
                 "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET",
                 "AZURE_FEDERATED_TOKEN_FILE", "AZURE_TOKEN_CREDENTIALS"):
        monkeypatch.delenv(name, raising=False)
    return mock_env


@pytest.fixture
def shim_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", f"{az_shim_dir()}{os.pathsep}{os.environ['PATH']}")


@pytest.fixture
def off_azure(entra_env, monkeypatch: pytest.MonkeyPatch) -> None:
    """A laptop: no App Service identity variables (the mock's IMDS says "Identity not found")."""
    monkeypatch.delenv("IDENTITY_ENDPOINT")
    monkeypatch.delenv("IDENTITY_HEADER")


CREDENTIALS: dict[str, tuple[list[str], Callable[[], TokenCredential], str]] = {
    # name: (fixtures, credential factory, oid that must be in the token)
    "managed_identity": ([], ManagedIdentityCredential, MI_OID),
    "azure_cli": (["shim_on_path"], AzureCliCredential, CLI_OID),
    "default": ([], DefaultAzureCredential, MI_OID),
    "default_off_azure": (["off_azure", "shim_on_path"], DefaultAzureCredential, CLI_OID),
    "chained_mi_unavailable": (
        ["off_azure", "shim_on_path"],
        lambda: ChainedTokenCredential(ManagedIdentityCredential(), AzureCliCredential()),
        CLI_OID,
    ),
}


@pytest.mark.parametrize("name", list(CREDENTIALS))
def test_credentials_get_tokens_and_call_every_operation(name, request, entra_env, mock):
    fixtures, make, oid = CREDENTIALS[name]
    for fixture in fixtures:
        request.getfixturevalue(fixture)
    credential = make()
    token = credential.get_token(SCOPE).token
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["oid"] == oid and claims["aud"] == COGNITIVE_SERVICES_RESOURCE

    provider = get_bearer_token_provider(credential, SCOPE)
    env = entra_env
    client = openai.AzureOpenAI(azure_ad_token_provider=provider)
    text = client.completions.create(
        model=env["AZURE_OPENAI_COMPLETIONS_DEPLOYMENT"], prompt="Tell me a joke"
    ).choices[0].text
    assert "two-tired" in text
    chat = client.chat.completions.create(
        model=env["AZURE_OPENAI_CHAT_DEPLOYMENT"],
        messages=[{"role": "user", "content": "Tell me a joke"}],
    )
    assert "two-tired" in chat.choices[0].message.content
    assert "two-tired" in AzureOpenAI(
        azure_deployment=env["AZURE_OPENAI_COMPLETIONS_DEPLOYMENT"],
        azure_ad_token_provider=provider,
    ).invoke("Tell me a joke")
    assert "two-tired" in AzureChatOpenAI(
        azure_deployment=env["AZURE_OPENAI_CHAT_DEPLOYMENT"], azure_ad_token_provider=provider,
    ).invoke("Tell me a joke").content
    vector = client.embeddings.create(
        model=env["AZURE_OPENAI_EMBEDDINGS_DEPLOYMENT"], input="hello"
    ).data[0].embedding
    assert len(vector) > 0
    vectors = AzureOpenAIEmbeddings(
        azure_deployment=env["AZURE_OPENAI_EMBEDDINGS_DEPLOYMENT"],
        azure_ad_token_provider=provider, check_embedding_ctx_length=False,
    ).embed_documents(["a", "b"])
    assert len(vectors) == 2


def test_a_principal_without_the_role_gets_401_permission_denied(entra_env):
    provider = get_bearer_token_provider(ManagedIdentityCredential(client_id=BATCH_CLIENT_ID),
                                         SCOPE)
    client = openai.AzureOpenAI(azure_ad_token_provider=provider, max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught:
        client.chat.completions.create(
            model=entra_env["AZURE_OPENAI_CHAT_DEPLOYMENT"],
            messages=[{"role": "user", "content": "hi"}],
        )
    exc = caught.value
    assert exc.status_code == 401 and exc.code == "PermissionDenied"
    assert f"`{BATCH_OID}`" in exc.message
    assert ("`Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action`"
            in exc.message)
    with pytest.raises(openai.AuthenticationError, match="deployments/completions/action"):
        client.completions.create(model=entra_env["AZURE_OPENAI_COMPLETIONS_DEPLOYMENT"],
                                  prompt="hi")
    with pytest.raises(openai.AuthenticationError, match="lacks the required data action"):
        AzureChatOpenAI(azure_deployment=entra_env["AZURE_OPENAI_CHAT_DEPLOYMENT"],
                        azure_ad_token_provider=provider, max_retries=0).invoke("hi")


def test_default_credential_picks_the_user_assigned_identity_from_azure_client_id(
    entra_env, monkeypatch
):
    # How a lesson switches identities without code changes: DAC reads AZURE_CLIENT_ID.
    monkeypatch.setenv("AZURE_CLIENT_ID", BATCH_CLIENT_ID)
    token = DefaultAzureCredential().get_token(SCOPE).token
    assert jwt.decode(token, options={"verify_signature": False})["oid"] == BATCH_OID


def test_an_api_key_still_works_and_bypasses_rbac(mock_env):
    client = openai.AzureOpenAI()
    chat = client.chat.completions.create(
        model=mock_env["AZURE_OPENAI_CHAT_DEPLOYMENT"],
        messages=[{"role": "user", "content": "Tell me a joke"}],
    )
    assert "two-tired" in chat.choices[0].message.content


def test_the_issuer_key_is_made_on_the_first_token_request_not_at_start(monkeypatch):
    # Start-up time itself is a benchmark figure (bench/mock_bench.py), not a test.
    with MockServer() as fresh:
        issuer = fresh.app.identity.issuer
        assert not issuer.has_key
        assert "IDENTITY_ENDPOINT" in fresh.env and "IDENTITY_HEADER" in fresh.env
        env = fresh.env
        chat = openai.AzureOpenAI(azure_endpoint=env["AZURE_OPENAI_ENDPOINT"],
                                  api_key=env["AZURE_OPENAI_API_KEY"],
                                  api_version=env["OPENAI_API_VERSION"], max_retries=0)
        chat.chat.completions.create(model=env["AZURE_OPENAI_CHAT_DEPLOYMENT"],
                                     messages=[{"role": "user", "content": "hi"}])
        assert not issuer.has_key, "a key-authenticated request made the signing key"
        for name in ("IDENTITY_ENDPOINT", "IDENTITY_HEADER"):
            monkeypatch.setenv(name, env[name])
        ManagedIdentityCredential().get_token(SCOPE)
        assert issuer.has_key
