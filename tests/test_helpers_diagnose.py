"""check_connection / explain: each common failure, produced for real, explained, no secrets."""

from __future__ import annotations

import dataclasses
import socket
import time
from collections.abc import Iterator

import jwt
import openai
import pytest
from azure.identity import AzureCliCredential, CredentialUnavailableError, ManagedIdentityCredential

from azure_llm_helpers import (
    ConfigurationError,
    Diagnosis,
    check_connection,
    explain,
    load_settings,
    openai_client,
)

BATCH_IDENTITY = "70a08ff5-43bf-4a47-a463-c66c640fa348"  # the mock's user-assigned id, no role


@pytest.fixture
def settings(mock_env):
    return load_settings(env_file=None)


@pytest.fixture
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections (the kernel does) and never answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield s.getsockname()[1]


def assert_clean(diagnosis: Diagnosis, *secrets: str) -> str:
    text = str(diagnosis) + repr(diagnosis)
    for secret in secrets:
        assert secret not in text
    return text


def forged_token() -> str:
    now = int(time.time())
    return jwt.encode({"aud": "https://cognitiveservices.azure.com", "oid": "x", "iat": now,
                       "exp": now + 3600}, "a-key-long-enough-for-hs256-32b!", algorithm="HS256")


def test_ok_against_the_mock(settings):
    diagnosis = check_connection(settings)
    assert diagnosis.ok and bool(diagnosis)
    text = assert_clean(diagnosis, settings.api_key.reveal())
    assert text.startswith("✔") and settings.chat_deployment in text and "API key" in text


@pytest.mark.parametrize("kind", ["completions", "chat"])
def test_each_kind_can_be_checked(settings, kind):
    assert check_connection(settings, kind=kind).ok


def test_bad_key(settings):
    bad = "f" * 32
    diagnosis = check_connection(load_settings(env_file=None, api_key=bad))
    assert not diagnosis.ok and diagnosis.status == 401
    text = assert_clean(diagnosis, bad, settings.api_key.reveal())
    assert "Wrong API key" in diagnosis.problem and "Keys and Endpoint" in text


def test_bad_token(mock_env, monkeypatch):
    monkeypatch.delenv("AZURE_OPENAI_API_KEY")
    token = forged_token()  # right audience, not signed by the issuer
    diagnosis = check_connection(load_settings(env_file=None, ad_token=token))
    text = assert_clean(diagnosis, token)
    assert diagnosis.problem == "Token rejected (401)"
    assert "cognitiveservices.azure.com/.default" in diagnosis.fix and "eyJ" not in text


def test_permission_denied(mock_env):
    entra = load_settings(env_file=None, auth="aad")
    diagnosis = check_connection(entra, credential=ManagedIdentityCredential(
        client_id=BATCH_IDENTITY))
    assert diagnosis.status == 401 and diagnosis.code == "PermissionDenied"
    assert "Cognitive Services OpenAI User" in diagnosis.fix
    assert "b35fbd2f-f18d-4c65-98e6-460ca1bb5a41" in diagnosis.explanation  # the principal


def test_deployment_not_found(mock_env):
    diagnosis = check_connection(load_settings(env_file=None, chat_deployment="gpt4"))
    assert diagnosis.code == "DeploymentNotFound"
    assert "not model" in diagnosis.explanation and "Deployments" in diagnosis.fix


def test_wrong_endpoint_path_is_a_404_explained(settings):
    # load_settings refuses this; a hand-made Settings shows what Azure would answer.
    wrong = dataclasses.replace(settings, endpoint=settings.endpoint + "openai/")
    diagnosis = check_connection(wrong)
    assert diagnosis.status == 404 and "/openai/openai/" in diagnosis.problem
    assert "/openai" in diagnosis.explanation and "OPENAI_API_VERSION" in diagnosis.fix


def test_unsupported_api_version(settings):
    diagnosis = check_connection(dataclasses.replace(settings, api_version="2023-01-01"))
    assert diagnosis.status == 400 and "API version" in diagnosis.problem
    assert "OPENAI_API_VERSION" in diagnosis.fix


def test_operation_not_supported(settings):
    diagnosis = check_connection(settings, kind="chat",
                                 deployment=settings.completions_deployment)
    assert diagnosis.code == "OperationNotSupported"
    assert "chat API" in diagnosis.fix and "completions API" in diagnosis.fix


def test_connection_refused(mock_env, free_port):
    settings = load_settings(env_file=None, endpoint=f"http://127.0.0.1:{free_port}/")
    diagnosis = check_connection(settings)
    assert diagnosis.problem == "Connection refused" and str(free_port) in diagnosis.explanation
    assert "ensure_mock" in diagnosis.fix


def test_dns_failure(mock_env):
    with pytest.warns(UserWarning, match="not an Azure OpenAI host"):
        settings = load_settings(env_file=None, endpoint="https://no-such-resource.invalid/")
    diagnosis = check_connection(settings, timeout=5)
    assert diagnosis.problem == "Host name not found (DNS)"
    assert "no-such-resource.invalid" in diagnosis.explanation
    assert "not an Azure OpenAI host" in str(diagnosis)  # the settings' warning rides along


def test_timeout(mock_env, silent_server):
    settings = load_settings(env_file=None, endpoint=f"http://127.0.0.1:{silent_server}/")
    started = time.monotonic()
    diagnosis = check_connection(settings, timeout=0.3)
    assert diagnosis.problem == "Timed out" and "timeout=" in diagnosis.fix
    assert time.monotonic() - started < 5


def test_configuration_problems_are_returned_not_raised(mock_env, monkeypatch):
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://r.openai.azure.com/openai")
    diagnosis = check_connection()
    assert not diagnosis.ok and diagnosis.problem == "Configuration problem"
    assert "/openai" in diagnosis.explanation


def test_explain_an_exception_from_the_sdk(settings):
    try:
        openai_client(settings, max_retries=0).completions.create(model="nope", prompt="x")
    except openai.NotFoundError as exc:
        diagnosis = explain(exc)
    assert diagnosis.code == "DeploymentNotFound" and "NotFoundError" in diagnosis.checked
    assert "✘ Deployment not found" in str(diagnosis)


def test_explain_azure_identity_and_configuration_errors(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(CredentialUnavailableError) as caught:
        AzureCliCredential().get_token("https://cognitiveservices.azure.com/.default")
    diagnosis = explain(caught.value)
    assert diagnosis.problem == "No Entra ID token" and "az login" in diagnosis.fix
    with pytest.raises(ConfigurationError) as config_error:
        load_settings(env_file=None, environ={})
    assert "AZURE_OPENAI_ENDPOINT" in explain(config_error.value).explanation


def test_explain_masks_anything_secret_shaped():
    token = forged_token()
    key = "0123456789abcdef0123456789abcdef"
    openai_key = "sk-proj-abcdefghijklmnopqrstuvwxyz012345"
    diagnosis = explain(RuntimeError(f"boom key={key} token={token} openai={openai_key}"))
    signature = token.rsplit(".", 1)[1]
    assert_clean(diagnosis, key, token, signature, openai_key)
    assert "********" in diagnosis.explanation


def test_rate_limited(settings):
    client = openai_client(settings, max_retries=0,
                           default_headers={"x-mock-fault": "status=429; fail_first=5"})
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model=settings.chat_deployment,
                                       messages=[{"role": "user", "content": "hi"}])
    diagnosis = explain(caught.value, secrets=(settings.api_key.reveal(),))
    assert diagnosis.status == 429 and diagnosis.problem == "Rate limited (429)"
    assert "quotaincrease" in diagnosis.fix and "Wait and retry after" in diagnosis.fix
