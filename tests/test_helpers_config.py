"""load_settings: precedence, the mock's values, and a table of the mistakes learners make."""

from __future__ import annotations

import time
import warnings

import jwt
import pytest

from azure_llm_helpers import ConfigurationError, ConfigurationWarning, Settings, load_settings
from azure_llm_helpers._constants import DATED_API_VERSIONS

from . import loopback

KEY = "0123456789abcdef0123456789abcdef"
KEY84 = "A1b2C3d4E5" * 8 + "F6g7"
GOOD = {
    "AZURE_OPENAI_ENDPOINT": "https://contoso-aoai.openai.azure.com/",
    "OPENAI_API_VERSION": "2024-10-21",
    "AZURE_OPENAI_API_KEY": KEY,
}


def token(**claims) -> str:
    base = {"aud": "https://cognitiveservices.azure.com", "oid": "o-1", "tid": "t-1",
            "exp": int(time.time()) + 3600, "iat": int(time.time())}
    return jwt.encode({**base, **claims}, "not-a-real-signing-key-" * 2, algorithm="HS256")


def load(env: dict[str, str], **overrides) -> Settings:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConfigurationWarning)
        return load_settings(env_file=None, environ=env, **overrides)


def problems(env: dict[str, str], **overrides) -> str:
    with pytest.raises(ConfigurationError) as caught:
        load(env, **overrides)
    return str(caught.value)


def with_(**changes: str | None) -> dict[str, str]:
    env = {**GOOD, **{k: v for k, v in changes.items() if v is not None}}
    return {k: v for k, v in env.items() if changes.get(k, "") is not None}


# (case id, environment, overrides, words naming the problem, words naming the fix)
MISTAKES = [
    ("endpoint missing", with_(AZURE_OPENAI_ENDPOINT=None), {},
     ["AZURE_OPENAI_ENDPOINT", "not set"], ["Keys and Endpoint", "openai.azure.com"]),
    ("endpoint with /openai", with_(AZURE_OPENAI_ENDPOINT="https://r.openai.azure.com/openai"),
     {}, ["/openai"], ["remove it", "https://r.openai.azure.com/"]),
    ("endpoint with /openai/", with_(AZURE_OPENAI_ENDPOINT="https://r.openai.azure.com/openai/"),
     {}, ["/openai"], ["remove it"]),
    ("target URI pasted", with_(AZURE_OPENAI_ENDPOINT="https://r.openai.azure.com/openai/"
                                "deployments/gpt4o/chat/completions?api-version=2024-10-21"),
     {}, ["Target URI"], ["https://r.openai.azure.com/", "'gpt4o'", "OPENAI_API_VERSION"]),
    ("endpoint with another path", with_(AZURE_OPENAI_ENDPOINT="https://r.openai.azure.com/v2"),
     {}, ["path"], ["https://r.openai.azure.com/"]),
    ("endpoint without scheme", with_(AZURE_OPENAI_ENDPOINT="r.openai.azure.com"), {},
     ["https://"], ["https://r.openai.azure.com/"]),
    ("http to Azure", with_(AZURE_OPENAI_ENDPOINT="http://r.openai.azure.com/"), {},
     ["http://", "r.openai.azure.com"], ["https://", "127.0.0.1"]),
    ("OpenAI's API", with_(AZURE_OPENAI_ENDPOINT="https://api.openai.com/v1"), {},
     ["OpenAI's own API"], ["Keys and Endpoint"]),
    ("AI Foundry models", with_(AZURE_OPENAI_ENDPOINT="https://r.services.ai.azure.com/models"),
     {}, ["model-inference"], ["Keys and Endpoint", "openai.azure.com"]),
    ("AI Search", with_(AZURE_OPENAI_ENDPOINT="https://s.search.windows.net"), {},
     ["Azure AI Search"], ["Keys and Endpoint"]),
    ("regional endpoint", with_(AZURE_OPENAI_ENDPOINT="https://eastus.api.cognitive.microsoft.com/"),
     {}, ["regional"], ["custom subdomain", "Keys and Endpoint"]),
    ("portal page", with_(AZURE_OPENAI_ENDPOINT="https://portal.azure.com/#home"), {},
     ["portal"], ["Keys and Endpoint"]),
    ("endpoint placeholder", with_(AZURE_OPENAI_ENDPOINT="https://<your-resource-name>.openai."
                                   "azure.com/"), {}, ["placeholder"], ["Keys and Endpoint"]),
    ("quoted endpoint", with_(AZURE_OPENAI_ENDPOINT='"https://r.openai.azure.com/"'), {},
     ["quotes"], ["remove the quotes"]),
    ("api version missing", with_(OPENAI_API_VERSION=None), {},
     ["OPENAI_API_VERSION", "not set"], ["2024-10-21"]),
    ("api version malformed", with_(OPENAI_API_VERSION="2024/10/21"), {},
     ["not an API version"], ["YYYY-MM-DD", "2024-10-21"]),
    ("api version capitalised", with_(OPENAI_API_VERSION="2024-05-01-Preview"), {},
     ["not an API version"], ["2024-05-01-preview?"]),
    ("api version unknown", with_(OPENAI_API_VERSION="2024-10-20"), {},
     ["2024-10-20", "not an Azure OpenAI API version"], ["Did you mean", "2024-10-21"]),
    ("api version of the v1 API", with_(OPENAI_API_VERSION="latest"), {},
     ["v1 API"], ["2024-10-21"]),
    ("azure api version name",
     with_(OPENAI_API_VERSION=None, AZURE_OPENAI_API_VERSION="2024-10-21"), {},
     ["AZURE_OPENAI_API_VERSION"], ["Rename"]),
    ("no credential", with_(AZURE_OPENAI_API_KEY=None), {},
     ["no credential"], ["AZURE_OPENAI_API_KEY", "Keys and Endpoint", "auth='aad'",
                         "Cognitive Services OpenAI User"]),
    ("key too short", with_(AZURE_OPENAI_API_KEY=KEY[:-1]), {},
     ["31 characters"], ["32 hexadecimal", "84", "KEY 1"]),
    ("key placeholder", with_(AZURE_OPENAI_API_KEY="<KEY 1 or KEY 2>"), {},
     ["placeholder"], ["KEY 1", "Keys and Endpoint"]),
    ("OpenAI key", with_(AZURE_OPENAI_API_KEY="sk-proj-abcdefghijklmnopqrstuvwxyz012345"), {},
     ["OpenAI platform key"], ["KEY 1", "Keys and Endpoint"]),
    ("token in the key variable", with_(AZURE_OPENAI_API_KEY=token()), {},
     ["Entra ID access token, not a key"], ["AZURE_OPENAI_AD_TOKEN", "auth='aad'"]),
    ("key and token", with_(AZURE_OPENAI_AD_TOKEN=token()), {},
     ["both", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_AD_TOKEN"], ["Unset one", "auth='key'"]),
    ("token expired", with_(AZURE_OPENAI_API_KEY=None,
                            AZURE_OPENAI_AD_TOKEN=token(exp=int(time.time()) - 600)), {},
     ["expired"], ["az account get-access-token", "auth='aad'"]),
    ("token for ARM", with_(AZURE_OPENAI_API_KEY=None,
                            AZURE_OPENAI_AD_TOKEN=token(aud="https://management.azure.com")),
     {}, ["https://management.azure.com"], ["https://cognitiveservices.azure.com/.default"]),
    ("token not a JWT", with_(AZURE_OPENAI_API_KEY=None, AZURE_OPENAI_AD_TOKEN="abc.def"), {},
     ["not an Entra ID access token"], ["az account get-access-token"]),
    ("pre-1.0 names", {"OPENAI_API_TYPE": "azure", "OPENAI_API_BASE": GOOD["AZURE_OPENAI_ENDPOINT"],
                       "OPENAI_API_KEY": KEY, "OPENAI_API_VERSION": "2024-10-21"}, {},
     ["OPENAI_API_BASE", "pre-1.0", "OPENAI_API_KEY", "OPENAI_API_TYPE='azure'"],
     ["Rename OPENAI_API_BASE to AZURE_OPENAI_ENDPOINT",
      "Rename OPENAI_API_KEY to AZURE_OPENAI_API_KEY", "Remove it"]),
    ("sample key name", with_(AZURE_OPENAI_API_KEY=None, AZURE_OPENAI_KEY=KEY), {},
     ["AZURE_OPENAI_KEY"], ["Rename AZURE_OPENAI_KEY to AZURE_OPENAI_API_KEY"]),
    ("deployment is a URL", with_(AZURE_OPENAI_CHAT_DEPLOYMENT="https://r.openai.azure.com/"
                                  "openai/deployments/gpt"), {},
     ["AZURE_OPENAI_CHAT_DEPLOYMENT", "URL"], ["Deployments", "Name"]),
    ("deployment with a space", with_(AZURE_OPENAI_CHAT_DEPLOYMENT="gpt 4o"), {},
     ["not a valid deployment name"], ["Deployments"]),
    ("unknown auth mode", GOOD, {"auth": "azure_ad"}, ["auth='azure_ad'"], ["'key'", "'aad'"]),
    ("argument overrides are named", GOOD, {"endpoint": "https://r.openai.azure.com/openai"},
     ["argument endpoint="], ["remove it"]),
    ("unknown keyword", GOOD, {"deployment": "x"}, ["unknown setting", "deployment"],
     ["chat_deployment"]),
]


@pytest.mark.parametrize(("env", "overrides", "names", "fixes"),
                         [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_each_mistake_names_the_problem_and_the_fix(env, overrides, names, fixes):
    message = problems(env, **overrides)
    for words in names + fixes:
        assert words in message, f"{words!r} missing from: {message}"


def test_several_problems_are_all_reported():
    message = problems({"AZURE_OPENAI_ENDPOINT": "http://r.openai.azure.com/openai",
                        "OPENAI_API_VERSION": "2024-13-45", "AZURE_OPENAI_API_KEY": "short"})
    assert "3 problems" in message
    for words in ("http://", "2024-13-45", "5 characters"):
        assert words in message


def test_problems_list_is_available_to_code():
    with pytest.raises(ConfigurationError) as caught:
        load({})
    assert len(caught.value.problems) == 3  # endpoint, version, credential
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("endpoint", [
    "http://127.0.0.1:8765/", "http://localhost:8765", "https://r.openai.azure.com",
    "https://r.cognitiveservices.azure.com/", "https://r.openai.azure.us/",
])
def test_valid_endpoints_are_normalised_with_a_trailing_slash(endpoint):
    settings = load(with_(AZURE_OPENAI_ENDPOINT=endpoint))
    assert settings.endpoint == endpoint.rstrip("/") + "/"


def test_the_mocks_environment_is_valid_and_local(mock):
    settings = load(mock.env)
    assert settings.endpoint == mock.url
    assert settings.is_local and settings.auth == "key"
    assert settings.chat_deployment == mock.config.first_deployment("chat")


def test_the_mock_accepts_every_api_version_the_helpers_accept(mock):
    key = {"api-key": mock.env["AZURE_OPENAI_API_KEY"]}
    for version in sorted(DATED_API_VERSIONS):
        response = loopback.client().get(f"{mock.url}openai/models",
                                         params={"api-version": version}, headers=key)
        assert response.status_code == 200, (version, response.text)


def test_newer_key_form_and_a_token_are_accepted():
    assert load(with_(AZURE_OPENAI_API_KEY=KEY84)).api_key.reveal() == KEY84
    settings = load(with_(AZURE_OPENAI_API_KEY=None, AZURE_OPENAI_AD_TOKEN=token()))
    assert settings.auth == "token"


def test_a_future_api_version_warns_instead_of_failing():
    with pytest.warns(ConfigurationWarning, match="newer than the versions"):
        load_settings(env_file=None, environ=with_(OPENAI_API_VERSION="2031-01-01-preview"))


def test_leftovers_warn_when_the_new_names_are_set():
    env = {**GOOD, "OPENAI_API_TYPE": "azure", "OPENAI_API_BASE": "https://old.openai.azure.com/"}
    with pytest.warns(ConfigurationWarning) as record:
        settings = load_settings(env_file=None, environ=env)
    text = " ".join(str(w.message) for w in record)
    assert "OPENAI_API_TYPE" in text and "OPENAI_API_BASE" in text and "remove" in text.lower()
    assert len(settings.warnings) == 2


def test_explicit_auth_resolves_key_and_token_both_set():
    env = with_(AZURE_OPENAI_AD_TOKEN=token())
    assert load(env, auth="key").auth == "key"
    assert load(env, auth="token").auth == "token"
    assert load(with_(AZURE_OPENAI_API_KEY=None), auth="aad").auth == "aad"
    assert load(with_(AZURE_OPENAI_API_KEY=None), auth="entra").auth == "aad"  # the old name


def test_legacy_azure_ad_route_is_recognised_with_a_warning():
    env = {**with_(AZURE_OPENAI_API_KEY=None), "OPENAI_API_TYPE": "azure_ad",
           "OPENAI_API_KEY": token()}
    with pytest.warns(ConfigurationWarning, match="expires"):
        settings = load_settings(env_file=None, environ=env)
    assert settings.auth == "token" and settings.legacy_azure_ad


def test_precedence_argument_then_environment_then_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("AZURE_OPENAI_ENDPOINT=https://from-file.openai.azure.com/\n"
                        "OPENAI_API_VERSION=2024-06-01\n"
                        f"AZURE_OPENAI_API_KEY={KEY}\nAZURE_OPENAI_CHAT_DEPLOYMENT=file-chat\n")
    env = {"OPENAI_API_VERSION": "2024-02-01", "AZURE_OPENAI_CHAT_DEPLOYMENT": "env-chat"}
    settings = load_settings(env_file=env_file, environ=env, chat_deployment="arg-chat")
    assert settings.endpoint == "https://from-file.openai.azure.com/"
    assert settings.api_version == "2024-02-01"
    assert settings.chat_deployment == "arg-chat"
    assert settings.sources["chat_deployment"] == "argument"
    assert settings.sources["api_version"] == "environment"
    assert str(env_file) in settings.sources["endpoint"]


def test_env_file_mistakes_say_which_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("AZURE_OPENAI_ENDPOINT=https://r.openai.azure.com/openai\n")
    with pytest.raises(ConfigurationError, match=str(env_file).replace("\\", "\\\\")):
        load_settings(env_file=env_file, environ={**GOOD, "AZURE_OPENAI_ENDPOINT": ""})
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_settings(env_file=tmp_path / "missing.env", environ=GOOD)


def test_the_default_env_file_is_found_from_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text(f"AZURE_OPENAI_API_KEY={KEY}\n")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    settings = load_settings(environ=with_(AZURE_OPENAI_API_KEY=None))
    assert settings.api_key.reveal() == KEY


def test_missing_deployment_names_the_variable():
    settings = load(GOOD)
    with pytest.raises(ConfigurationError, match="AZURE_OPENAI_EMBEDDINGS_DEPLOYMENT"):
        settings.deployment("embeddings")


def test_no_secret_in_repr_str_or_errors():
    secret_token = token()
    for settings in (load(GOOD), load(with_(AZURE_OPENAI_API_KEY=None,
                                            AZURE_OPENAI_AD_TOKEN=secret_token))):
        shown = repr(settings) + str(settings) + f"{settings}" + repr(settings.api_key)
        assert KEY not in shown and secret_token not in shown
    for bad in (KEY[:-1], KEY + "0", "sk-" + KEY, secret_token):
        message = problems(with_(AZURE_OPENAI_API_KEY=bad))
        assert bad not in message
        assert KEY[:10] not in message
